"""The ASGI application: GraphQL at /graphql (GraphiQL in a browser), health at /healthz,
Prometheus metrics at /metrics."""

import asyncio
import contextlib
import functools
import json
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from graphql import GraphQLError
from pymongo.errors import PyMongoError
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.base import BaseSchema
from strawberry.types import ExecutionResult

from api.context import Context, Viewer
from api.errors import is_expected
from api.examples import ARTICLE_PAGE_VARIABLES, GRAPHIQL_DOCUMENT
from api.metrics import StoreMetrics, metrics_endpoint
from api.middleware import edge_middleware
from api.schema import build_schema
from api.view import GraphQLOverHTTP
from cms import discovery, liveness
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
    ) -> None:
        super().__init__(
            schema=schema, graphiql=graphiql, suggestions=suggestions, max_document=max_document
        )
        self.mask_errors = mask_errors
        self.cache_max_age = cache_max_age
        self.max_query_cost = max_query_cost

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
            response=response,
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

    @functools.cached_property
    def graphql_ide_html(self) -> str:
        """Strawberry's GraphiQL, opening on Newsroom's example operations (built once)."""
        html = super().graphql_ide_html
        start = html.index("const EXAMPLE_QUERY = `") + len("const EXAMPLE_QUERY = `")
        end = html.index("`;", start)
        document = GRAPHIQL_DOCUMENT.replace("\\", "\\\\").replace("`", "\\`").replace("${", "\\${")
        html = html[:start] + document + html[end:]
        variables = json.dumps(json.dumps(ARTICLE_PAGE_VARIABLES, indent=2))
        return html.replace("parameters.variables,", f"parameters.variables || {variables},", 1)


def create_app(
    settings: Settings | None = None, *, event_listeners: Sequence[CommandListener] = ()
) -> Starlette:
    """Build the app; the store opens in its lifespan and closes after requests have drained."""
    settings = settings or get_settings()
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

    async def healthz(request: Request) -> Response:
        store: Store = request.app.state.store
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
        Route("/healthz", healthz, methods=["GET"]),
    ]
    if settings.metrics:
        routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    return Starlette(routes=routes, middleware=edge_middleware(settings), lifespan=lifespan)
