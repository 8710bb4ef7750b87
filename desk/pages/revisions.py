"""An article's revisions (`/desk/articles/{id}/revisions`): every saved version with who saved
it and when, two of them compared (`cms.workflow.compare`), and one restored as a new version
through the write path (`cms.workflow.articles.restore_revision`).

Whoever may open the article may read its history; whoever may change it may restore.
"""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.access import Permission, may_read
from cms.articles import Article
from cms.errors import InvalidContentError, RevisionNotFoundError, VersionConflictError
from cms.revisions import count_revisions, page_of_revisions, revision_id
from cms.workflow import articles as workflow
from cms.workflow import rights
from cms.workflow.compare import compare
from desk.editor_form import FIELD_LABELS, shown
from desk.pages.editor import article_named, editor_url, form_version, posted
from desk.refusals import DeskRefusal, bad_request, forbidden, not_found
from desk.templates import page
from desk.visitors import Visitor, require

PAGE_SIZE = 50


def _version(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        raise bad_request("This address names a version that is not a number.") from None


async def _readable(request: Request) -> tuple[Visitor, Article]:
    found = await require(request)
    article = await article_named(request.path_params["article_id"])
    if not may_read(found.person.actor, created_by=article.created_by_id):
        raise forbidden(
            f"Your role ({found.person.role}) reads the history of the articles you created "
            "only; this one is not one of them."
        )
    return found, article


async def revisions_page(request: Request) -> Response:
    found, article = await _readable(request)
    assert article.id is not None
    before = _version(request.query_params.get("before"))
    listed, more = await page_of_revisions(article.id, first=PAGE_SIZE, before_version=before)
    return page(
        "revisions.html",
        {
            "title": f"Revisions: {article.headline}",
            "here": "articles",
            "visitor": found,
            "article": article,
            "revisions": listed,
            "total": await count_revisions(article.id),
            "older": f"?before={listed[-1].version}" if more and listed else None,
            "may_restore": rights.may_edit(
                found.person.actor, status=article.status, created_by=article.created_by_id
            ),
        },
    )


async def compare_page(request: Request) -> Response:
    found, article = await _readable(request)
    assert article.id is not None
    old = _version(request.query_params.get("old"))
    new = _version(request.query_params.get("new"))
    if old is None or new is None:
        raise bad_request("Choose two versions to compare.")
    old, new = min(old, new), max(old, new)
    try:
        comparison = await compare(article.id, old, new)
    except RevisionNotFoundError:
        raise not_found("This article has no such version.") from None
    rows = [
        {
            "label": FIELD_LABELS[change.field],
            "old": shown(change.field, change.old),
            "new": shown(change.field, change.new),
        }
        for change in comparison.fields
        if change.field != "body"
    ]
    return page(
        "compare.html",
        {
            "title": f"Versions {old} and {new}: {article.headline}",
            "here": "articles",
            "visitor": found,
            "article": article,
            "comparison": comparison,
            "rows": rows,
        },
    )


async def restore(request: Request) -> Response:
    found, form = await posted(request, Permission.WRITE_OWN)
    article = await article_named(request.path_params["article_id"])
    assert article.id is not None
    actor = found.person.actor
    if not rights.may_edit(actor, status=article.status, created_by=article.created_by_id):
        raise forbidden(f"Your role ({found.person.role}) may not change this article now.")
    version: int = request.path_params["version"]
    try:
        await workflow.restore_revision(
            actor=actor,
            revision_id=revision_id(article.id, version),
            base_version=form_version(form),
        )
    except RevisionNotFoundError:
        raise not_found("This article has no such version.") from None
    except VersionConflictError:
        raise DeskRefusal(
            409,
            "Saved by someone else",
            f"“{article.headline}” was saved by someone else after you opened its revisions, "
            "so nothing was restored. Open them again and choose again.",
        ) from None
    except InvalidContentError as error:
        # A tag it named was deleted since, say: the version cannot come back as it was.
        problems = "; ".join(problem.message for problem in error.problems)
        raise bad_request(f"Version {version} cannot be restored as it was: {problems}.") from None
    return RedirectResponse(f"{editor_url(article.id)}?restored=1", 303)
