"""Request size limits, enforced as the request arrives: nothing larger is read or kept.

A declared `Content-Length` over the limit is refused before a byte of the body is read; a body
sent without one (chunked) is counted as it streams in and refused once it passes the limit.
Requests with a well-formed token may be larger (article bodies are long); the token itself is
checked later, only if the operation needs it, so these refusals never touch the store. A face
that reads a body only once it knows who sends it (the desk: a session, then the form) limits
bodies itself under its paths (`Face.reads_own_bodies`); the query string is limited here for all.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cms.tokens import TOKEN_PATTERN
from web.codes import RequestCode
from web.http_only import HttpMiddleware
from web.refusals import Refusal


class _TooLarge(Exception):
    pass


class RequestLimits(HttpMiddleware):
    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int,
        editor_max_body: int,
        max_query_string: int,
        own_bodies: tuple[str, ...] = (),
    ) -> None:
        super().__init__(app)
        self.max_body = max_body
        self.editor_max_body = editor_max_body
        self.max_query_string = max_query_string
        self.own_bodies = own_bodies

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if len(scope["query_string"]) > self.max_query_string:
            message = (
                f"The query string is longer than {self.max_query_string} bytes; "
                "send the operation with POST."
            )
            await _refuse(414, message, scope, receive, send)
            return
        if self.own_bodies and scope["path"].startswith(self.own_bodies):
            await self.app(scope, receive, send)
            return
        declared, token = _length_and_token(scope)
        limit = self.editor_max_body if token else self.max_body
        too_large = f"The request body is larger than {limit} bytes, the limit " + (
            "with a token." if token else "without a token."
        )
        if declared is not None and not declared.isdigit():
            await Refusal(
                400, RequestCode.BAD_REQUEST, "Content-Length is not a number."
            ).response()(scope, receive, send)
            return
        if declared is not None and int(declared) > limit:
            await _refuse(413, too_large, scope, receive, send)
            return

        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        responded = False

        async def watched(message: Message) -> None:
            nonlocal responded
            responded = responded or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if responded:
                raise
            await _refuse(413, too_large, scope, receive, send)


def _length_and_token(scope: Scope) -> tuple[str | None, bool]:
    declared = None
    token = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            declared = value.decode("latin-1").strip()
        elif name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            token = scheme.lower() == "bearer" and bool(TOKEN_PATTERN.match(credentials.strip()))
    return declared, token


async def _refuse(status: int, message: str, scope: Scope, receive: Receive, send: Send) -> None:
    # The rest of the body is never read, so the connection cannot carry another request.
    refusal = Refusal(
        status, RequestCode.REQUEST_TOO_LARGE, message, headers={"Connection": "close"}
    )
    await refusal.response()(scope, receive, send)
