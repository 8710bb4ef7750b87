"""The ASGI application: GraphQL at /graphql (GraphiQL in a browser), health at /healthz,
Prometheus metrics at /metrics."""

import asyncio
import contextlib
import functools
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from graphql import GraphQLError
from pymongo.errors import PyMongoError
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.base import BaseSchema
from strawberry.types import ExecutionResult

from api.cache import ResponseCache
from api.context import Context, Viewer
from api.errors import is_expected
from api.examples import ARTICLE_PAGE_VARIABLES, EDITOR_HEADERS, EDITOR_QUERY, GRAPHIQL_DOCUMENT
from api.http import GraphQLRequest, Refusal
from api.live.hub import Hub
from api.live.socket import Gate
from api.logs import configure_logging
from api.metrics import StoreMetrics, metrics_endpoint
from api.middleware import edge_middleware
from api.playground.assets import PREFIX, serve_asset
from api.playground.page import playground_html
from api.responder import Responder
from api.schema import build_schema
from api.view import GraphQLOverHTTP
from cms import discovery, documents, liveness, offload
from cms.catalog import Catalog
from cms.config import Settings, get_settings
from cms.feed import Feed
from cms.maintenance import maintain
from cms.store.database import Store, open_store

log = logging.getLogger(__name__)

HEALTH_TIMEOUT = 2.0


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
        viewer = Viewer.from_headers(request.headers.get("authorization"))
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
                await responder.check_trusted(documents.digest(query))
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
    return cache


def create_app(
    settings: Settings | None = None, *, event_listeners: Sequence[CommandListener] = ()
) -> Starlette:
    """Build the app; the store opens in its lifespan and closes after requests have drained."""
    settings = settings or get_settings()
    if not logging.getLogger().handlers:
        # A worker process of `newsroom serve --workers N` starts here, not in the CLI.
        configure_logging(settings)
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
    if settings.trusted_documents_only:
        log.warning(
            "NEWSROOM_TRUSTED_DOCUMENTS_ONLY is deprecated: set NEWSROOM_PERSISTED_QUERIES=trusted."
        )
    listeners = [*event_listeners, StoreMetrics()]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with (
            open_store(settings, event_listeners=listeners) as store,
            liveness.heartbeat(),
        ):
            app.state.store = store
            app.state.settings = settings
            # Mark the log first, then read the catalog: a change in between is read twice,
            # which the catalog ignores by version, rather than lost.
            feed = Feed(poll_interval=settings.event_poll_interval)
            await feed.mark()
            app.state.catalog = catalog = await Catalog.load()
            # An archive that predates its search index and related lists gets them built.
            await discovery.schedule_if_missing()
            feed.subscribe(catalog.apply)
            cache = response_cache(settings, catalog)
            if cache is not None:
                feed.subscribe(cache.on_events)
            app.state.responder = Responder(settings, cache)
            app.state.hub = hub = Hub(
                catalog,
                max_subscribers=settings.live_max_subscriptions,
                max_per_client=settings.live_max_subscriptions_per_client,
                queue_size=settings.live_queue_size,
                queue_bytes=settings.live_queue_bytes,
            )
            # After the catalog: a published article is in it when the hub reads it.
            feed.subscribe(hub.on_events)
            await hub.start()
            await feed.start()
            app.state.feed = feed
            stopping = asyncio.Event()
            upkeep = asyncio.create_task(maintain(settings, stopping), name="newsroom-upkeep")
            try:
                yield
            finally:
                stopping.set()
                # Each stops between two rounds; a store that hangs does not hold up shutdown.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(upkeep), settings.store_timeout * 2)
                upkeep.cancel()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(feed.stop(), settings.store_timeout * 2)
                await hub.stop()
                await asyncio.to_thread(offload.stop)

    async def healthz(request: Request) -> Response:
        store: Store = request.app.state.store
        if store.failure is not None:
            # Given up for good: waiting for a ping would only say "no answer".
            body = {"status": "unavailable", "store": store.description, "reason": store.failure}
            return JSONResponse(body, 503)
        try:
            # Well inside a load balancer's or Docker's check timeout; PyMongo alone waits 30 s.
            async with asyncio.timeout(HEALTH_TIMEOUT):
                await store.ping()
        except (PyMongoError, TimeoutError) as error:
            log.warning("Health check failed: %s", error)
            return JSONResponse({"status": "unavailable", "store": store.description}, 503)
        return JSONResponse({"status": "ok", "store": store.description})

    routes = [
        # Every method reaches the view, which answers the ones it does not serve with 405.
        Route("/graphql", graphql),
        # Subscriptions (graphql-transport-ws), on the same path as graphql-ws clients expect.
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if settings.serves_graphiql:
        # The playground's scripts and styles; with GraphiQL off, they are not served either.
        routes.append(Route(PREFIX + "{path:path}", serve_asset, methods=["GET"]))
    if settings.metrics:
        routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    return Starlette(routes=routes, middleware=edge_middleware(settings), lifespan=lifespan)
