"""The review queue (`/desk/review`): what waits for an editor, the longest waiting first
(`cms.reading.review`). Reviewing is an editor's work: the page needs EDIT."""

from starlette.requests import Request
from starlette.responses import Response

from cms.access import Permission
from cms.reading.catalog import Catalog
from cms.reading.review import QUEUE_LIMIT, review_queue, waiting
from desk.templates import page
from desk.visitors import require


async def review_page(request: Request) -> Response:
    found = await require(request, Permission.EDIT)
    catalog: Catalog = request.app.state.catalog
    return page(
        "review.html",
        {
            "title": "Review",
            "here": "review",
            "visitor": found,
            "queue": await review_queue(catalog),
            "waiting": waiting(catalog),
            "limit": QUEUE_LIMIT,
        },
    )
