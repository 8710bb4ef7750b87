"""`newsroom articles ...`: the workflow for editors without a browser."""

from datetime import datetime
from typing import Annotated

import typer
from beanie import SortDirection
from rich.markup import escape

from cms.access import Actor
from cms.articles import Article
from cms.cli.common import AsJson, console, counted, fail, run_with_store, show_rows
from cms.errors import InvalidContentError
from cms.status import ArticleStatus
from cms.store.connection import Store
from cms.workflow.articles import transition_article, update_article

articles_app = typer.Typer(
    help="List articles and move them through the workflow.", no_args_is_help=True
)

ARTICLE_COLUMNS = ("slug", "status", "version", "published_at", "updated_by")
Slug = Annotated[
    str, typer.Argument(metavar="SLUG", help="The article's slug.", show_default=False)
]


@articles_app.command("list")
def list_articles(
    status: Annotated[
        ArticleStatus | None,
        typer.Option(
            "--status",
            metavar="STATUS",
            help="Only articles in this status: draft, review, scheduled, published or archived.",
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Articles in every status (or one), newest publication time first."""

    async def work(store: Store) -> list[Article]:
        query = {"status": status.value} if status else {}
        newest = [("published_at", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)]
        return await Article.find(query).sort(newest).to_list()

    found = run_with_store(work)
    rows = [
        {
            "slug": article.slug,
            "status": article.status.value,
            "version": article.version,
            "published_at": article.published_at.isoformat(timespec="seconds"),
            "updated_by": article.updated_by,
        }
        for article in found
    ]
    show_rows(rows, columns=ARTICLE_COLUMNS, title=counted(len(found), "article"), as_json=as_json)


async def _by_slug(slug: str) -> Article:
    article = await Article.find_one({"slug": slug})
    if article is None:
        fail(f"No article has the slug {slug!r}.")
    return article


def _move(slug: str, to: ArticleStatus, at: datetime | None) -> None:
    async def work(store: Store) -> Article:
        article = await _by_slug(slug)
        return await transition_article(
            actor=Actor.local("cli"), article_id=str(article.id), to=to, publish_at=at
        )

    moved = run_with_store(work)
    console.print(
        f"{escape(moved.slug)} is now {moved.status.value} (version {moved.version}, "
        f"publication time {moved.published_at.isoformat(timespec='seconds')})."
    )


At = Annotated[
    datetime | None,
    typer.Option(
        "--at",
        metavar="TIME",
        help="Publication time, ISO 8601 (UTC unless an offset is given).",
    ),
]


@articles_app.command()
def review(slug: Slug) -> None:
    """Submit a draft for review."""
    _move(slug, ArticleStatus.REVIEW, None)


@articles_app.command()
def publish(slug: Slug, at: At = None) -> None:
    """Publish now (or backdated to --at); a scheduled article is published early."""
    _move(slug, ArticleStatus.PUBLISHED, at)


@articles_app.command()
def schedule(
    slug: Slug,
    at: Annotated[
        datetime,
        typer.Option(
            "--at", metavar="TIME", help="When it becomes public: a future ISO 8601 time."
        ),
    ],
) -> None:
    """Schedule publication: the article becomes public at --at, with no further step."""
    _move(slug, ArticleStatus.SCHEDULED, at)


@articles_app.command()
def unpublish(
    slug: Slug,
    at: Annotated[
        datetime | None,
        typer.Option(
            "--at",
            help="Leave public view by itself at this time (ISO 8601) rather than now: sets "
            "the article's unpublish_at, and it stays as it is until then.",
        ),
    ] = None,
    cancel: Annotated[
        bool, typer.Option("--cancel", help="Cancel a scheduled unpublication.")
    ] = False,
) -> None:
    """Take the article back to draft now, or schedule when it leaves public view (--at)."""
    if at is None and not cancel:
        _move(slug, ArticleStatus.DRAFT, None)
        return

    async def work(store: Store) -> Article:
        article = await _by_slug(slug)
        assert article.id is not None
        try:
            return await update_article(
                actor=Actor.local("cli"),
                article_id=str(article.id),
                changes={"unpublish_at": None if cancel else at},
                base_version=article.version,
            )
        except InvalidContentError as error:
            fail("; ".join(f"{p.field}: {p.message}" for p in error.problems))

    changed = run_with_store(work)
    when = changed.unpublish_at
    console.print(
        f"{escape(changed.slug)} (version {changed.version}) "
        + (
            f"leaves public view at {when.isoformat(timespec='seconds')}."
            if when
            else "has no scheduled unpublication."
        )
    )


@articles_app.command()
def archive(slug: Slug) -> None:
    """Take a published article down and keep it."""
    _move(slug, ArticleStatus.ARCHIVED, None)
