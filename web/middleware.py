"""The edge of every HTTP exchange: its request id, security headers, access log line, metrics.

Kept to a few dictionary operations per request: it runs for each `{ __typename }` too.
"""

import logging
import re
import secrets
import time
from collections.abc import Mapping

from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cms.config import Settings
from web.codes import RequestCode
from web.exchange import CURRENT, Exchange
from web.headers import SECURITY_HEADERS
from web.http_only import HttpMiddleware
from web.limits import RequestLimits
from web.metrics import record_response
from web.refusals import Refusal

ACCESS = logging.getLogger("newsroom.access")
log = logging.getLogger(__name__)

# An incoming X-Request-ID (from a proxy or a client) is kept if it is plainly an id.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Paths are client-chosen: logged up to this length.
MAX_LOGGED_PATH = 200


class Edge(HttpMiddleware):
    def __init__(self, app: ASGIApp, *, routes: Mapping[str, str]) -> None:
        super().__init__(app)
        # Paths by the name their metrics carry; any other path is "other".
        self.routes = routes

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        exchange = Exchange(_request_id(scope))
        request_id = (b"x-request-id", exchange.request_id.encode())
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in SECURITY_HEADERS if header[0] not in present)
                headers.append(request_id)
                message = {**message, "headers": headers}
            await send(message)

        reset = CURRENT.set(exchange)
        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("Unhandled error answering %s %s", scope["method"], _path(scope))
            if status:
                raise
            failure = Refusal(500, RequestCode.INTERNAL_SERVER_ERROR, "Unexpected error.")
            await failure.response()(scope, receive, send_with_headers)
        finally:
            route = self.routes.get(scope["path"], "other")
            _record(scope, route, exchange, status, time.perf_counter() - started)
            CURRENT.reset(reset)


def _request_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            incoming: str = value.decode("latin-1")
            if REQUEST_ID.fullmatch(incoming):
                return incoming
    return secrets.token_hex(8)


def _path(scope: Scope) -> str:
    path: str = scope["path"][:MAX_LOGGED_PATH]
    if not path.isprintable():
        # A decoded %0A would start a line of the client's own in a plain log.
        path = path.encode("unicode_escape").decode("ascii")
    return path if len(scope["path"]) <= MAX_LOGGED_PATH else path + "…"


def _record(scope: Scope, route: str, exchange: Exchange, status: int, seconds: float) -> None:
    record_response(route, status, seconds)
    if not ACCESS.isEnabledFor(logging.INFO):
        return
    method, path, operation = scope["method"], _path(scope), exchange.operation
    milliseconds = round(seconds * 1000, 1)
    fields = {
        "method": method,
        "path": path,
        "status": status,
        "duration_ms": milliseconds,
        "operation": operation,
    }
    # Made directly: `ACCESS.info` would first walk the stack for the caller's file and line,
    # which costs more than the rest of the record.
    line = ACCESS.makeRecord(
        ACCESS.name,
        logging.INFO,
        __file__,
        0,
        "%s %s %d %.1f ms%s",
        (method, path, status, milliseconds, f" {operation}" if operation else ""),
        None,
        extra={"access": fields},
    )
    ACCESS.handle(line)


def edge_middleware(
    settings: Settings, *, routes: Mapping[str, str], own_bodies: tuple[str, ...] = ()
) -> list[Middleware]:
    """Outermost first: every answer, refusals included, gets an id, headers and CORS; `routes`
    names the paths metrics count apart; under `own_bodies` a face limits bodies itself."""
    middleware = [Middleware(Edge, routes=routes)]
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                # Listed origins may send the reader's cookies (the voter cookie).
                allow_credentials=True,
                allow_methods=["GET", "POST"],
                allow_headers=settings.cors_headers,
                expose_headers=["X-Request-ID"],
                max_age=600,
            )
        )
    middleware.append(
        Middleware(
            RequestLimits,
            max_body=settings.max_body_bytes,
            editor_max_body=settings.editor_max_body_bytes,
            upload_max=settings.upload_max_bytes,
            max_query_string=settings.max_query_string_bytes,
            own_bodies=own_bodies,
        )
    )
    return middleware
