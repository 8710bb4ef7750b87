"""The feedback inbox (`/desk/feedback`): readers' notes, newest first, filtered by article and
to low ratings, each marked handled by whom and when (`cms.engagement.feedback`)."""

from urllib.parse import urlencode

from beanie import PydanticObjectId
from bson import ObjectId
from bson.errors import InvalidId
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.access import Permission
from cms.articles import parse_object_id
from cms.engagement import feedback
from cms.errors import FeedbackNotFoundError
from cms.reading.catalog import Catalog
from desk.forms import safe_next, signed_form
from desk.refusals import bad_request, not_found
from desk.templates import page
from desk.visitors import require

INBOX = "/desk/feedback"
PAGE_SIZE = 20


def inbox_url(*, article: str = "", low: bool = False, before: str = "") -> str:
    values = {"article": article, "low": "1" if low else "", "before": before}
    query = urlencode({name: value for name, value in values.items() if value})
    return f"{INBOX}?{query}" if query else INBOX


def _before(value: str) -> ObjectId | None:
    if not value:
        return None
    try:
        return ObjectId(value)
    except (InvalidId, TypeError):
        raise bad_request("This page's address names a position the inbox does not know.") from None


async def inbox(request: Request) -> Response:
    found = await require(request, Permission.EDIT)
    catalog: Catalog = request.app.state.catalog
    params = request.query_params
    article = params.get("article", "")
    article_id = parse_object_id(article) if article else None
    if article and article_id is None:
        raise bad_request("The inbox's address names an article id that is not one.")
    low = params.get("low") == "1"
    notes, more = await feedback.page_of_feedback(
        first=PAGE_SIZE,
        before=_before(params.get("before", "")),
        article_id=PydanticObjectId(article_id) if article_id else None,
        low=low,
    )
    here = inbox_url(article=article, low=low, before=params.get("before", ""))
    chosen = catalog.get(article_id) if article_id else None
    return page(
        "feedback.html",
        {
            "title": "Feedback",
            "here": "feedback",
            "visitor": found,
            "notes": [(note, catalog.get(note.article)) for note in notes],
            "article": article,
            "chosen": chosen,
            "low": low,
            "here_url": here,
            "older": inbox_url(article=article, low=low, before=str(notes[-1].id))
            if more and notes
            else None,
            "first": inbox_url(article=article, low=low) if params.get("before") else None,
            "low_stars": feedback.LOW_STARS,
        },
    )


async def mark_handled(request: Request) -> Response:
    found, form = await signed_form(request, Permission.EDIT)
    try:
        await feedback.mark_handled(
            actor=found.person.actor, feedback_id=request.path_params["feedback_id"]
        )
    except FeedbackNotFoundError:
        raise not_found("There is no such note; it may have been deleted.") from None
    back = safe_next(form.get("next")) or INBOX
    return RedirectResponse(back, 303)
