"""Strawberry's view, answering by the GraphQL-over-HTTP rules (`request`, `responses` here).

Newsroom's own choices (caching, context, masking, GraphiQL's examples) are in
`api.http.face.NewsroomGraphQL`, which builds on this.
"""

import json
import time
from collections.abc import Sequence
from datetime import timedelta

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.graphql import OperationType

from api.context import Context
from api.http.request import (
    GraphQLRequest,
    negotiate,
    negotiate_post,
    parse_json,
    read_request,
)
from api.http.responses import finish, label_errors, outcome_of, status_for
from api.live.socket import LiveSocket
from api.metrics import record_operation
from api.playground.page import with_nonce
from web import editors, exchange
from web.codes import RequestCode
from web.refusals import JSON, Refusal

# What each method may carry, by whether it is a GET.
HTTP_OPERATIONS = {
    True: (OperationType.QUERY,),
    False: (OperationType.QUERY, OperationType.MUTATION),
}


class GraphQLOverHTTP(GraphQL[Context, None]):
    # Subscriptions over WebSocket speak graphql-transport-ws (`api.live.socket`); the legacy
    # `graphql-ws` protocol of subscriptions-transport-ws is not offered.
    graphql_transport_ws_handler_class = LiveSocket

    def __init__(
        self,
        *,
        schema: BaseSchema,
        graphiql: bool,
        suggestions: bool,
        max_document: int,
        allowed_origins: Sequence[str] = (),
        init_timeout: float = 10.0,
        idle_timeout: float = 300.0,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=init_timeout),
            # Pages on other origins open sockets only if NEWSROOM_CORS_ORIGINS lists them.
            allowed_origins=allowed_origins,
        )
        self.suggestions = suggestions
        self.max_document = max_document
        self.idle_timeout = idle_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Every answer, refusals included, is a GraphQL response in JSON: never plain text."""
        if scope["type"] == "websocket":
            await self.run(WebSocket(scope, receive=receive, send=send))
            return
        request = Request(scope, receive)
        try:
            response = await self.answer(request)
            await response(scope, receive, send)
        finally:
            await request.close()  # a multipart body's files, spooled to disk

    async def answer(self, request: Request) -> Response:
        media_type = JSON
        try:
            if request.method not in ("GET", "POST"):
                raise Refusal(
                    405,
                    RequestCode.METHOD_NOT_ALLOWED,
                    "GraphQL is served over GET (queries) and POST.",
                    headers={"Allow": "GET, POST"},
                )
            accept = request.headers.get("accept", "")
            if request.method == "GET":
                if self.graphql_ide and _wants_graphiql(request):
                    return await self.render_graphql_ide(request)
                media_type = negotiate(accept)
            else:
                # A POST is always an operation, answered in JSON whatever it prefers: a form
                # or fetch asking for HTML gets JSON (the spec allows it), never GraphiQL.
                media_type = negotiate_post(accept)
            graphql_request = await read_request(
                request, max_document=self.max_document, uploads=_from_editor(request)
            )
            return await self.respond(request, graphql_request, media_type)
        except Refusal as refusal:
            return refusal.response(media_type)

    async def respond(
        self, request: Request, graphql_request: GraphQLRequest, media_type: str
    ) -> Response:
        """The answer to a well-formed request (subclasses may answer some without running it)."""
        return await self.execute_request(request, graphql_request, media_type)

    async def execute_request(
        self, request: Request, graphql_request: GraphQLRequest, media_type: str
    ) -> Response:
        sub_response = await self.get_sub_response(request)
        context = await self.get_context(request, sub_response)
        request.state.context = context
        started = time.perf_counter()
        try:
            result = await self.schema.execute(
                graphql_request.query,
                variable_values=graphql_request.variables,
                context_value=context,
                operation_name=graphql_request.operation_name,
                # Strawberry would run a subscription over HTTP too (multipart); here they go
                # over WebSocket only.
                allowed_operation_types=HTTP_OPERATIONS[request.method == "GET"],
                operation_extensions=graphql_request.extensions,
            )
        except InvalidOperationTypeError as error:
            if error.operation_type is OperationType.SUBSCRIPTION:
                raise Refusal(
                    400,
                    RequestCode.SUBSCRIPTION_OVER_HTTP,
                    "Subscriptions are served over WebSocket at /graphql "
                    "(graphql-transport-ws), not over HTTP.",
                ) from None
            raise Refusal(
                405,
                RequestCode.METHOD_NOT_ALLOWED,
                "Mutations are sent with POST, not GET.",
                headers={"Allow": "POST"},
            ) from None
        outcome = outcome_of(result)
        errors = result.errors or []
        label_errors(errors, outcome)
        current = exchange.current()
        operation = current.operation if current else None
        record_operation(operation, outcome, time.perf_counter() - started, errors)
        response_data = await self.process_result(request, result)
        finish(response_data, outcome, suggestions=self.suggestions)
        response = self.create_response(response_data, sub_response)
        if not sub_response.status_code:
            response.status_code = status_for(outcome, media_type)
        response.headers["Content-Type"] = f"{media_type}; charset=utf-8"
        return response

    def decode_json(self, data: str | bytes) -> object:
        """A WebSocket message, read as strictly as a request body: anything else is not JSON
        to the protocol (which closes the socket with 4400), never an error of the server."""
        try:
            text = data if isinstance(data, str) else data.decode()
            return parse_json(text, "The message")
        except (Refusal, UnicodeDecodeError) as error:
            raise json.JSONDecodeError(str(error), "", 0) from None

    async def render_graphql_ide(self, request: Request) -> Response:
        html, policy = with_nonce(self.graphql_ide_html)
        return HTMLResponse(html, headers={"Content-Security-Policy": policy})


def _from_editor(request: Request) -> bool:
    """Whether the edge verified the request's token as an editor's (`web.editors`): only then
    may it upload (a multipart body)."""
    checked, actor = editors.checked(request.scope)
    return checked and editors.is_editor(actor)


def _wants_graphiql(request: Request) -> bool:
    """A browser opening /graphql (a GET navigation), as opposed to a GET query."""
    return "query" not in request.query_params and "text/html" in request.headers.get("accept", "")
