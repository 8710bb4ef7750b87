"""The editorial workflow: one table of moves, through the API and the CLI; scheduled arrival."""

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cms.spine.events import EventReader, EventType
from cms.status import ArticleStatus
from tests.cli import newsroom
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient

TRANSITION = """
mutation ($id: ID!, $to: ArticleStatus!, $at: DateTime, $version: Int) {
  transitionArticle(id: $id, to: $to, publishAt: $at, version: $version) {
    __typename
    ... on ArticleSaved { article { status publishedAt version } }
    ... on InvalidTransition { code message field fromStatus toStatus }
    ... on VersionConflict { currentVersion }
  }
}
"""
PUBLIC = "query ($slug: String!) { article(slug: $slug) { slug publishedAt } }"

# Written out here, apart from the code's table, so that a change to the table fails a test.
ALLOWED = {
    ("draft", "review"),
    ("draft", "published"),
    ("draft", "scheduled"),
    ("review", "published"),
    ("review", "scheduled"),
    ("review", "draft"),
    ("scheduled", "published"),
    ("scheduled", "draft"),
    ("published", "archived"),
    ("published", "draft"),
    ("archived", "draft"),
}
STATUSES = [status.value for status in ArticleStatus]


def future(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


async def article_in(status: str, **overrides: Any) -> Any:
    when = future(days=2) if status == "scheduled" else datetime(2025, 3, 1, tzinfo=UTC)
    return await make_article(status=ArticleStatus(status), published_at=when, **overrides)


@pytest.mark.parametrize(
    ("current", "target"),
    [pair for pair in itertools.product(STATUSES, STATUSES) if pair[0] != pair[1]],
)
@pytest.mark.slow
async def test_every_move_is_allowed_or_refused_by_the_table(
    editor: GraphQLClient, current: str, target: str
) -> None:
    article = await article_in(current)
    at = future(days=1).isoformat() if target == "scheduled" else None

    result = (
        await editor.data(TRANSITION, {"id": global_id(article), "to": target.upper(), "at": at})
    )["transitionArticle"]

    if (current, target) in ALLOWED:
        assert result["__typename"] == "ArticleSaved", result
        assert result["article"]["status"] == target.upper()
        assert result["article"]["version"] == 2
    else:
        assert result == {
            "__typename": "InvalidTransition",
            "code": "INVALID_TRANSITION",
            "message": f"An article cannot go from {current} to {target}.",
            "field": "to",
            "fromStatus": current.upper(),
            "toStatus": target.upper(),
        }


@pytest.mark.parametrize(
    ("target", "at", "reason"),
    [
        ("SCHEDULED", None, "Scheduling needs a publication time in the future"),
        ("SCHEDULED", "2020-01-01T00:00:00Z", "Scheduling needs a publication time in the future"),
        ("PUBLISHED", "2999-01-01T00:00:00Z", "To publish at a future time, schedule"),
        ("REVIEW", "2020-01-01T00:00:00Z", "A publication time only goes with publishing"),
    ],
)
async def test_publication_times_must_fit_the_move(
    editor: GraphQLClient, target: str, at: str | None, reason: str
) -> None:
    article = await article_in("draft")

    result = (await editor.data(TRANSITION, {"id": global_id(article), "to": target, "at": at}))[
        "transitionArticle"
    ]

    assert result["__typename"] == "InvalidTransition"
    assert result["message"].startswith(reason)


@pytest.mark.slow
async def test_publishing_sets_the_date_once_and_republishing_keeps_it(
    editor: GraphQLClient, client: GraphQLClient
) -> None:
    article = await article_in("draft", slug="story")
    article_id = global_id(article)

    first = (await editor.data(TRANSITION, {"id": article_id, "to": "PUBLISHED"}))[
        "transitionArticle"
    ]
    await editor.data(TRANSITION, {"id": article_id, "to": "DRAFT"})
    hidden = await client.data(PUBLIC, {"slug": "story"})
    again = (await editor.data(TRANSITION, {"id": article_id, "to": "PUBLISHED"}))[
        "transitionArticle"
    ]
    backdated = await article_in("review", slug="old-story")
    old = (
        await editor.data(
            TRANSITION,
            {"id": global_id(backdated), "to": "PUBLISHED", "at": "2024-05-01T10:00:00Z"},
        )
    )["transitionArticle"]

    published_at = datetime.fromisoformat(first["article"]["publishedAt"])
    assert abs(published_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert hidden["article"] is None
    assert again["article"]["publishedAt"] == first["article"]["publishedAt"]
    assert again["article"]["version"] == 4
    assert old["article"]["publishedAt"] == "2024-05-01T10:00:00+00:00"


async def test_a_transition_from_a_stale_version_is_a_conflict(editor: GraphQLClient) -> None:
    article = await article_in("draft")

    result = (
        await editor.data(TRANSITION, {"id": global_id(article), "to": "REVIEW", "version": 7})
    )["transitionArticle"]

    assert result == {"__typename": "VersionConflict", "currentVersion": 1}


async def events_about(subject: str) -> list[tuple[EventType, str]]:
    found = await EventReader(0).read(limit=10_000)
    return [(event.type, event.actor) for event in found if event.subject == subject]


@pytest.mark.slow
async def test_a_scheduled_article_appears_at_its_time_announced_once(
    editor: GraphQLClient, client: GraphQLClient
) -> None:
    article = await article_in("draft", slug="later")
    at = future(seconds=1.5)
    scheduled = (
        await editor.data(
            TRANSITION, {"id": global_id(article), "to": "SCHEDULED", "at": at.isoformat()}
        )
    )["transitionArticle"]
    before = await client.data(PUBLIC, {"slug": "later"})

    for _ in range(100):
        if (await client.data(PUBLIC, {"slug": "later"}))["article"]:
            break
        await asyncio.sleep(0.05)
    # The app's upkeep announces it within its check interval (0.1 s in tests); give it time,
    # then make sure nothing announces it a second time.
    for _ in range(50):
        if (EventType.ARTICLE_PUBLISHED, "system:scheduler") in await events_about(str(article.id)):
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)
    from cms.spine import arrivals

    await asyncio.gather(arrivals.announce_due(), arrivals.announce_due())
    after = await client.data(PUBLIC, {"slug": "later"})
    preview = await editor.data(
        'query { article(slug: "later", preview: true) { status version } }'
    )

    assert scheduled["__typename"] == "ArticleSaved"
    assert before["article"] is None
    assert after["article"] is not None
    kinds = [kind for kind, _ in await events_about(str(article.id))]
    assert kinds.count(EventType.ARTICLE_PUBLISHED) == 1
    assert kinds[-2:] == [EventType.ARTICLE_SCHEDULED, EventType.ARTICLE_PUBLISHED]
    # The arrival is not an edit: the status stays and the version does not move.
    assert preview["article"] == {"status": "SCHEDULED", "version": 2}


async def test_a_save_after_the_time_announces_the_arrival_itself(editor: GraphQLClient) -> None:
    article = await make_article(
        slug="arrived", status=ArticleStatus.SCHEDULED, published_at=future(seconds=0.3)
    )
    await asyncio.sleep(0.4)
    from cms.workflow.articles import update_article
    from tests.factories import FACTORY

    # Whoever gets there first, the upkeep loop or this save, it is announced once.
    await update_article(
        actor=FACTORY, article_id=str(article.id), changes={"body": "More."}, base_version=1
    )
    await asyncio.sleep(0.3)

    kinds = [kind for kind, _ in await events_about(str(article.id))]
    assert kinds.count(EventType.ARTICLE_PUBLISHED) == 1
    assert kinds[-1] == EventType.ARTICLE_UPDATED


@pytest.mark.slow
def test_the_cli_moves_articles_by_the_same_rules(
    demo: GraphQLClient, cli_env: dict[str, str]
) -> None:
    slug = "north-korea-sends-3000-more-troops-to-russia"

    archived = newsroom("articles", "archive", slug, env=cli_env)
    refused = newsroom("articles", "publish", slug, env=cli_env)
    drafted = newsroom("articles", "unpublish", slug, env=cli_env)
    in_review = newsroom("articles", "review", slug, env=cli_env)
    scheduled = newsroom("articles", "schedule", slug, "--at", "2999-01-01T09:00:00Z", env=cli_env)
    listed = newsroom("articles", "list", "--status", "scheduled", env=cli_env)
    published = newsroom("articles", "publish", slug, env=cli_env)
    missing = newsroom("articles", "publish", "no-such-article", env=cli_env)

    assert archived.returncode == 0, archived.stderr
    assert f"{slug} is now archived (version 2" in archived.stdout
    assert refused.returncode == 1
    assert "cannot go from archived to published" in refused.stderr
    assert drafted.returncode == 0
    assert "is now draft" in drafted.stdout
    assert in_review.returncode == 0
    assert "is now review" in in_review.stdout
    assert scheduled.returncode == 0
    assert "2999-01-01T09:00:00" in scheduled.stdout
    assert slug in listed.stdout
    assert "1 article" in listed.stdout
    assert published.returncode == 0
    assert "is now published (version 6" in published.stdout
    assert missing.returncode == 1
    assert "No article has the slug" in missing.stderr
