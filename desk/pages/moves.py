"""Moving an article through the workflow, and deleting it, from its page.

The buttons are the moves the table allows for the person's role (`cms.workflow.rights`); each
goes through the same transition code as the API and the CLI. A move someone could not see a
button for (a contributor's hand-made Publish) is refused with 403 and changes nothing.
"""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.access import NotAllowedError, Permission
from cms.errors import InvalidTransitionError, VersionConflictError
from cms.status import ArticleStatus
from cms.workflow import articles as workflow
from cms.workflow import rights
from cms.workflow.plans import content_of
from desk.editor_form import form_values
from desk.pages.editor import article_named, editor, editor_url, form_version, posted
from desk.refusals import DeskRefusal, bad_request, forbidden
from desk.templates import page
from desk.visitors import require


def _stale(headline: str) -> DeskRefusal:
    return DeskRefusal(
        409,
        "Saved by someone else",
        f"“{headline}” was saved by someone else after you opened it, so nothing was done. "
        "Open it again to see their changes, then try again.",
    )


async def move(request: Request) -> Response:
    found, form = await posted(request, Permission.WRITE_OWN)
    actor = found.person.actor
    article = await article_named(request.path_params["article_id"])
    try:
        to = ArticleStatus(form.get("to", ""))
    except ValueError:
        raise bad_request("This button names no step of the workflow.") from None
    try:
        rights.authorize_move(actor, status=article.status, created_by=article.created_by_id, to=to)
    except NotAllowedError:
        raise forbidden(
            f"Your role ({found.person.role}) may only submit your own drafts for review; "
            "nothing was done."
        ) from None
    version = form_version(form)
    try:
        await workflow.transition_article(
            actor=actor,
            article_id=str(article.id),
            to=to,
            # Scheduling takes the article's own Publish at, which the person saved.
            publish_at=article.published_at if to is ArticleStatus.SCHEDULED else None,
            base_version=version,
        )
    except VersionConflictError:
        raise _stale(article.headline) from None
    except InvalidTransitionError as error:
        message = str(error)
        if to is ArticleStatus.SCHEDULED:
            message = "To schedule, set Publish at to a time in the future and save first."
        return await editor(
            request,
            found,
            article=article,
            values=form_values(content_of(article)),
            problems={"": [message]},
            status=400,
        )
    return RedirectResponse(f"{editor_url(article.id)}?moved=1", 303)


async def delete_page(request: Request) -> Response:
    found = await require(request, Permission.EDIT)
    article = await article_named(request.path_params["article_id"])
    return page(
        "delete.html",
        {"title": f"Delete: {article.headline}", "visitor": found, "article": article},
    )


async def delete(request: Request) -> Response:
    found, form = await posted(request, Permission.EDIT)
    article = await article_named(request.path_params["article_id"])
    try:
        await workflow.delete_article(
            actor=found.person.actor, article_id=str(article.id), base_version=form_version(form)
        )
    except VersionConflictError:
        raise _stale(article.headline) from None
    return RedirectResponse("/desk/articles", 303)
