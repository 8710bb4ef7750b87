"""The ASGI app every face is mounted on: health at /healthz, Prometheus metrics at /metrics, image
renditions at /media (`web.media`).

`create_app(settings, faces)` builds one Starlette app. Its lifespan opens the store, beats, marks
the event log, loads the catalog, enters each face's own lifespan, starts following the log and
runs the upkeep loop; on the way out it stops them in the opposite order, after requests have
drained. A `Face` (the GraphQL API, the desk) is its routes plus a lifespan hook that receives
the running `Runtime`.

This package knows no face. The composition root (`newsroom.app`) names the faces and hands them
here, so the API and the desk can be mounted side by side on one app without either importing
the other, and `web` imports neither (the import-linter contracts in `pyproject.toml`). A face
given as data (routes and a hook) is the simplest shape that allows it: no registry, no plugin
lookup, and the order of the faces is the order they are listed in.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path

from pymongo.errors import PyMongoError
from pymongo.monitoring import CommandListener
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from cms import discovery
from cms.config import Settings
from cms.database import open_store
from cms.followers import FeedStage, follow_feed
from cms.maintenance import maintain
from cms.reading import snapshots
from cms.reading.catalog import Catalog
from cms.spine import liveness
from cms.spine.feed import Feed, Subscriber
from cms.store.connection import Store
from web.logs import configure_logging
from web.media import Media, serve_media
from web.metrics import StoreMetrics, metrics_endpoint
from web.middleware import edge_middleware

log = logging.getLogger(__name__)

HEALTH_TIMEOUT = 2.0
# Newsroom's icon, which browsers ask for on every page they open here (a 32-pixel PNG in an ICO).
FAVICON = (Path(__file__).parent / "static" / "favicon.ico").read_bytes()


async def favicon(request: Request) -> Response:
    return Response(
        FAVICON, media_type="image/x-icon", headers={"Cache-Control": "public, max-age=86400"}
    )


@dataclass
class Runtime:
    """What a running app holds for its faces: set up before any face's lifespan starts."""

    app: Starlette
    settings: Settings
    store: Store
    catalog: Catalog
    # In-process followers of the event feed, subscribed in stage order once every face is up.
    followers: list[tuple[FeedStage, Subscriber]] = field(default_factory=list)

    def follow(self, stage: FeedStage, subscriber: Subscriber) -> None:
        self.followers.append((stage, subscriber))


@dataclass(frozen=True)
class Face:
    """One face of Newsroom on the app: its routes, and what it runs while the app does."""

    routes: Sequence[BaseRoute]
    lifespan: Callable[[Runtime], AbstractAsyncContextManager[None]] | None = None
    # Paths its metrics count apart, by the route name they carry (any other path is "other").
    metric_routes: Mapping[str, str] = field(default_factory=dict)
    # Path prefixes under which the face limits request bodies itself (the desk reads a form
    # only once it knows who sends it): the edge still limits the query string there.
    reads_own_bodies: Sequence[str] = ()


def create_app(
    settings: Settings,
    faces: Sequence[Face],
    *,
    event_listeners: Sequence[CommandListener] = (),
) -> Starlette:
    """Build the app; the store opens in its lifespan and closes after requests have drained."""
    if not logging.getLogger().handlers:
        # A worker process of `newsroom serve --workers N` starts here, not in the CLI.
        configure_logging(settings)
    listeners = [*event_listeners, StoreMetrics()]

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            store = await stack.enter_async_context(open_store(settings, event_listeners=listeners))
            await stack.enter_async_context(liveness.heartbeat(store))
            app.state.store = store
            app.state.settings = settings
            feed = Feed(poll_interval=settings.event_poll_interval)
            app.state.catalog = catalog = await snapshots.start(feed)
            # An archive that predates its search index and related lists gets them built.
            await discovery.schedule_if_missing()
            runtime = Runtime(app=app, settings=settings, store=store, catalog=catalog)
            runtime.follow(FeedStage.CATALOG, catalog.apply)
            app.state.media = media = Media(settings)
            runtime.follow(FeedStage.MEDIA, media.on_events)
            for face in faces:
                if face.lifespan is not None:
                    await stack.enter_async_context(face.lifespan(runtime))
            follow_feed(feed, runtime.followers)
            await feed.start()
            app.state.feed = feed
            stopping = asyncio.Event()
            upkeep = asyncio.create_task(maintain(settings, stopping), name="newsroom-upkeep")
            snapshotting = asyncio.create_task(
                snapshots.keep(catalog, feed, stopping), name="newsroom-catalog-snapshots"
            )
            try:
                yield
            finally:
                stopping.set()
                # Each stops between two rounds; a store that hangs does not hold up shutdown,
                # and one given up for good (`/healthz` says why) is not waited for at all:
                # every round would only retry it until its timeout.
                patience = 0.0 if store.failure is not None else settings.store_timeout * 2
                for task in (upkeep, snapshotting):
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(asyncio.shield(task), patience)
                    task.cancel()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(feed.stop(), patience)
                # Then the faces stop (in the opposite order), the beat, the store; the off-loop
                # worker stops with the process (`cms.offload`).

    routes = [route for face in faces for route in face.routes]
    routes.append(Route("/healthz", healthz, methods=["GET"]))
    routes.append(Route("/favicon.ico", favicon, methods=["GET"]))
    routes.append(Route("/media/{path:path}", serve_media, methods=["GET"]))
    if settings.metrics:
        routes.append(Route("/metrics", metrics_endpoint, methods=["GET"]))
    metric_routes = {"/healthz": "healthz", "/metrics": "metrics"}
    for face in faces:
        metric_routes |= face.metric_routes
    own_bodies = tuple(prefix for face in faces for prefix in face.reads_own_bodies)
    return Starlette(
        routes=routes,
        middleware=edge_middleware(settings, routes=metric_routes, own_bodies=own_bodies),
        lifespan=lifespan,
    )


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
