"""The GraphQL API as a face of the app (`web.app.Face`): the view with Newsroom's choices, its
routes, and what it runs while the app does (response cache, persisted queries, live updates)."""

import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.base import BaseSchema
from strawberry.types import ExecutionResult

from api.coded_errors import is_expected
from api.context import Context, Viewer
from api.examples import ARTICLE_PAGE_VARIABLES, EDITOR_HEADERS, EDITOR_QUERY, GRAPHIQL_DOCUMENT
from api.http import distribution
from api.http.cache import ResponseCache
from api.http.request import GraphQLRequest
from api.http.responder import Responder
from api.http.view import GraphQLOverHTTP
from api.live.hub import Hub
from api.live.socket import Gate
from api.playground.assets import PREFIX, serve_asset
from api.playground.page import playground_html
from api.schema import build_schema
from api.settings import Settings
from cms import persisted_documents
from cms.followers import FeedStage
from cms.reading.catalog import Catalog
from web import editors
from web.app import Face, Runtime
from web.refusals import Refusal

log = logging.getLogger(__name__)


class NewsroomGraphQL(GraphQLOverHTTP):
    """Newsroom's own choices: caching, the caller, masking, GraphiQL's examples."""

    def __init__(
        self,
        *,
        schema: BaseSchema,
        mask_errors: bool,
        cache_max_age: int,
        graphiql: bool,
        suggestions: bool,
        max_document: int,
        max_query_cost: int,
        allowed_origins: Sequence[str] = (),
        init_timeout: float = 10.0,
        idle_timeout: float = 300.0,
    ) -> None:
        super().__init__(
            schema=schema,
            graphiql=graphiql,
            suggestions=suggestions,
            max_document=max_document,
            allowed_origins=allowed_origins,
            init_timeout=init_timeout,
            idle_timeout=idle_timeout,
        )
        self.mask_errors = mask_errors
        self.cache_max_age = cache_max_age
        self.max_query_cost = max_query_cost

    async def respond(
        self, request: Request, graphql_request: GraphQLRequest, media_type: str
    ) -> Response:
        """From the response cache when it can; otherwise run it, and keep what may be kept."""
        responder: Responder = request.app.state.responder
        graphql_request, sha256 = await responder.resolve(request, graphql_request)
        key = responder.key(request, graphql_request, sha256, media_type)
        cache = responder.cache
        if key is not None and cache is not None and (entry := cache.get(key)) is not None:
            hit = Response(entry.body, media_type=f"{media_type}; charset=utf-8")
            return responder.decorate(request, hit, etag=entry.etag, tags=entry.tags, hit=True)
        since = cache.clock if cache is not None else 0
        response = await self.execute_request(request, graphql_request, media_type)
        if key is None or cache is None or not responder.cacheable(graphql_request, response):
            return response
        context: Context = request.state.context
        entry = cache.put(key, bytes(response.body), context.tags.found, since=since)
        return responder.decorate(request, response, etag=entry.etag, tags=entry.tags, hit=False)

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        """GET carries only queries, so CDNs and browsers may keep its answers a while.

        Never an answer to a request with a token: what a previewer or editor sees must not be
        kept where an anonymous request could be answered from it.
        """
        response = await super().get_sub_response(request)
        if "authorization" in request.headers:
            response.headers["Cache-Control"] = "private, no-store"
        elif request.scope.get("method") == "GET" and self.cache_max_age:
            response.headers["Cache-Control"] = f"public, max-age={self.cache_max_age}"
        if request.scope.get("method") == "GET":
            response.headers["Vary"] = "Accept, Authorization"
        return response

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        """Never let a cache keep an error."""
        response = super().create_response(response_data, sub_response)
        if isinstance(response_data, dict) and response_data.get("errors"):
            private = "private, " if "private" in response.headers.get("Cache-Control", "") else ""
            response.headers["Cache-Control"] = f"{private}no-store"
        return response

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        viewer = Viewer.from_headers(
            request.headers.get("authorization"), checked=editors.checked(request.scope)
        )
        return Context(
            request=request,
            # A WebSocket has no response of its own to set headers or cookies on.
            response=response if isinstance(response, Response) else None,
            catalog=request.app.state.catalog,
            viewer=viewer,
            max_cost=self.max_query_cost,
        )

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """In production, replace unexpected errors (bugs) by a generic one; they are logged."""
        if self.mask_errors and result.errors:
            result.errors = [
                error
                if is_expected(error)
                else GraphQLError(
                    "Unexpected error.",
                    path=error.path,
                    nodes=error.nodes,
                    extensions=error.extensions,
                )
                for error in result.errors
            ]
        return await super().process_result(request, result)

    def subscription_gate(self, context: Context) -> Gate:
        """What a WebSocket asks before it subscribes: whether this server runs the document."""
        responder: Responder = context.request.app.state.responder

        async def gate(query: str) -> GraphQLError | None:
            try:
                await responder.check_trusted(persisted_documents.digest(query))
            except Refusal as refusal:
                return GraphQLError(refusal.message, extensions={"code": refusal.code})
            return None

        return gate

    @functools.cached_property
    def graphql_ide_html(self) -> str:
        """GraphiQL from Newsroom's own files, opening on its example operations (built once)."""
        return playground_html(
            document=GRAPHIQL_DOCUMENT,
            variables=ARTICLE_PAGE_VARIABLES,
            editor_document=EDITOR_QUERY,
            editor_headers=EDITOR_HEADERS,
        )


def response_cache(settings: Settings, catalog: Catalog) -> ResponseCache | None:
    """The process's response cache, its horizon kept at the catalog's next publication."""
    if not settings.response_cache:
        return None
    cache = ResponseCache(max_bytes=settings.response_cache_bytes, ttl=settings.response_cache_ttl)
    cache.horizon_source = catalog.next_arrival_deadline
    cache.placement_source = catalog.placement
    return cache


def graphql_face(settings: Settings) -> Face:
    """GraphQL at /graphql (HTTP and WebSocket; GraphiQL in a browser), and while the app runs,
    the response cache, persisted queries and live updates."""
    graphql = NewsroomGraphQL(
        schema=build_schema(
            introspection=settings.serves_introspection,
            suggestions=settings.serves_field_suggestions,
        ),
        mask_errors=settings.environment == "production",
        cache_max_age=settings.cache_max_age,
        graphiql=settings.serves_graphiql,
        suggestions=settings.serves_field_suggestions,
        max_document=settings.max_body_bytes,
        max_query_cost=settings.max_query_cost,
        allowed_origins=settings.cors_origins,
        init_timeout=settings.live_init_timeout,
        idle_timeout=settings.live_idle_timeout,
    )

    @contextlib.asynccontextmanager
    async def lifespan(runtime: Runtime) -> AsyncIterator[None]:
        if settings.trusted_documents_only:
            log.warning(
                "NEWSROOM_TRUSTED_DOCUMENTS_ONLY is deprecated: "
                "set NEWSROOM_PERSISTED_QUERIES=trusted."
            )
        cache = response_cache(settings, runtime.catalog)
        if cache is not None:
            runtime.follow(FeedStage.RESPONSE_CACHE, cache.on_events)
        runtime.app.state.responder = Responder(settings, cache)
        runtime.app.state.hub = hub = Hub(
            runtime.catalog,
            max_subscribers=settings.live_max_subscriptions,
            max_per_client=settings.live_max_subscriptions_per_client,
            queue_size=settings.live_queue_size,
            queue_bytes=settings.live_queue_bytes,
        )
        runtime.follow(FeedStage.LIVE_UPDATES, hub.on_events)
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()

    routes: list[BaseRoute] = [
        # Every method reaches the view, which answers the ones it does not serve with 405.
        Route("/graphql", graphql),
        # Subscriptions (graphql-transport-ws), on the same path as graphql-ws clients expect.
        WebSocketRoute("/graphql", graphql),
        # Feeds and sitemaps, kept in the same response cache as GraphQL's answers.
        *distribution.ROUTES,
    ]
    if settings.serves_graphiql:
        # The playground's scripts and styles; with GraphiQL off, they are not served either.
        routes.append(Route(PREFIX + "{path:path}", serve_asset, methods=["GET"]))
    return Face(routes=routes, lifespan=lifespan, metric_routes={"/graphql": "graphql"})
