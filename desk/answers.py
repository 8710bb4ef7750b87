"""Every desk page goes through `answered`: what a handler refuses becomes a page that says why,
with its status; a failure of the store a 503 page; a bug a 500 page naming only the request's id
(the log has the rest). Pages are never kept by caches, and carry the desk's security policy."""

import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.errors import RateLimitedError
from cms.store.outages import UNAVAILABLE, is_outage
from desk.refusals import DeskRefusal
from desk.state import desk_of
from desk.templates import POLICY, page
from desk.visitors import Redirect, clear_cookie, known_visitor
from web.exchange import current

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]


def refusal_page(request: Request, refusal: DeskRefusal) -> Response:
    visitor = known_visitor(request)
    return page(
        "refusal.html",
        {
            "title": refusal.title,
            "message": refusal.message,
            "status": refusal.status,
            "visitor": visitor,
        },
        status=refusal.status,
        headers=refusal.headers,
    )


def _failed(request: Request, error: BaseException) -> DeskRefusal:
    if is_outage(error):
        log.warning("Store unavailable answering %s: %s", request.url.path, error)
        return DeskRefusal(503, "Unavailable", UNAVAILABLE, headers={"Retry-After": "5"})
    log.exception("Unexpected error answering %s %s", request.method, request.url.path)
    exchange = current()
    reference = f" It was logged as {exchange.request_id}." if exchange else ""
    return DeskRefusal(
        500,
        "Something went wrong",
        f"The desk could not answer this; nothing more is shown here.{reference}",
    )


def answered(handler: Handler) -> Handler:
    async def endpoint(request: Request) -> Response:
        try:
            response = await handler(request)
        except Redirect as redirect:
            response = RedirectResponse(redirect.url, 303)
            for name in redirect.clear:
                clear_cookie(response, desk_of(request), name)
        except DeskRefusal as refusal:
            response = refusal_page(request, refusal)
        except RateLimitedError as limited:
            throttled = DeskRefusal(
                429,
                "Too many attempts",
                f"Too many attempts from here or for this account: try again in "
                f"{limited.retry_after} seconds. Nothing was checked meanwhile.",
                headers={"Retry-After": str(limited.retry_after)},
            )
            response = refusal_page(request, throttled)
        except Exception as error:  # every failure gets a page; the log gets the rest
            response = refusal_page(request, _failed(request, error))
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response

    return endpoint
