"""Talking to the API as a frontend does, and counting what it asks the database."""

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from pymongo import monitoring
from starlette.applications import Starlette

from api.settings import Settings
from cms.reading.catalog import Catalog
from cms.spine.feed import Feed
from newsroom.app import create_app

# Connection housekeeping, not work done for a query (a new connection to a store that asks for a
# password, as the embedded one does, authenticates first).
HOUSEKEEPING = {
    "hello",
    "ismaster",
    "isMaster",
    "ping",
    "endSessions",
    "buildInfo",
    "saslStart",
    "saslContinue",
    "authenticate",
}
# Collections the app's background upkeep polls (`cms.maintenance`), whatever requests run.
UPKEEP = {
    "arrivals",
    "departures",
    "journal",
    "events",
    "counters",
    "processes",
    "loads",
    "load_chunks",
    "rate_limits",
    "readers",
    "webhook_endpoints",
    "webhook_deliveries",
    "webhook_queue",
    "webhook_attempts",
    "discovery_pending",
    "sessions",
    "password_links",
    "preview_links",
    "media_pending",
    "media_renditions",
    "media.files",
}


class CommandCounter(monitoring.CommandListener):
    """Counts the commands requests send, not those of connections or background upkeep."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._batches: set[str] = set()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in HOUSEKEEPING:
            return
        if event.command.get(event.command_name) in UPKEEP:
            return
        # Lookups by key sent together as one batch (`cms/store/batches.py`) count once.
        batch = event.command.get("comment")
        if isinstance(batch, str) and batch.startswith("batch "):
            if batch in self._batches:
                return
            self._batches.add(batch)
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def reset(self) -> None:
        self.names.clear()
        self._batches.clear()

    @property
    def count(self) -> int:
        return len(self.names)


class GraphQLClient:
    def __init__(
        self, http: httpx.AsyncClient, token: str | None = None, app: Starlette | None = None
    ) -> None:
        self.http = http
        self.token = token
        self.app = app

    def as_token(self, token: str | None) -> "GraphQLClient":
        """The same app, with every request carrying `Authorization: Bearer <token>`."""
        return GraphQLClient(self.http, token, self.app)

    @property
    def catalog(self) -> Catalog:
        assert self.app is not None
        catalog: Catalog = self.app.state.catalog
        return catalog

    async def sync(self) -> None:
        """Let the app catch up with the event log now, rather than at its next poll: a test
        that wrote through the CLI (another process) reads as a reader a moment later would."""
        if self.app is not None:
            feed: Feed = self.app.state.feed
            await feed.catch_up()

    def new_reader(self, headers: Mapping[str, str] | None = None) -> "GraphQLClient":
        """The same app as another browser sees it: a cookie jar of its own (so another voter),
        and these extra headers on every request."""
        http = httpx.AsyncClient(
            transport=self.http._transport, base_url=self.http.base_url, headers=headers
        )
        return GraphQLClient(http, self.token, self.app)

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST one operation (after `sync`); the whole response body."""
        await self.sync()
        headers = {"content-type": "application/json"}
        if self.token is not None:
            headers["authorization"] = f"Bearer {self.token}"
        # Serialised here, ASCII-only, so that any string (a lone surrogate included) is sent as
        # a JSON escape, as a browser would send it.
        payload = json.dumps({"query": query, "variables": variables})
        response = await self.http.post("/graphql", content=payload, headers=headers)
        # 400: the request could not run at all (parse, validation, bad variables), as the
        # GraphQL-over-HTTP specification answers them; its body still says why.
        assert response.status_code in {200, 400}, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST one operation that must succeed; its `data`."""
        body = await self.execute(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def error_code(self, query: str, variables: dict[str, Any] | None = None) -> str:
        """POST one operation that must fail with one top-level error; its `extensions.code`."""
        body = await self.execute(query, variables)
        assert body.get("errors"), body
        code: str = body["errors"][0]["extensions"]["code"]
        return code


@asynccontextmanager
async def app_serving(
    settings: Settings, *listeners: monitoring.CommandListener
) -> AsyncIterator[httpx.AsyncClient]:
    """An app built with these settings, over HTTP, for tests that change a setting."""
    app = create_app(settings, event_listeners=listeners)
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=120) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://newsroom.test") as http:
            yield http
