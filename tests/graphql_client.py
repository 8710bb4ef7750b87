"""Talking to the API as a frontend does, and counting what it asks the database."""

import json
from typing import Any

import httpx
from pymongo import monitoring

from cms.feed import Feed

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
    "journal",
    "events",
    "counters",
    "processes",
    "loads",
    "load_chunks",
    "readers",
    "webhook_endpoints",
    "webhook_deliveries",
    "webhook_queue",
    "webhook_attempts",
}


class CommandCounter(monitoring.CommandListener):
    """Counts the commands requests send, not those of connections or background upkeep."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in HOUSEKEEPING:
            return
        if event.command.get(event.command_name) in UPKEEP:
            return
        self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    def reset(self) -> None:
        self.names.clear()

    @property
    def count(self) -> int:
        return len(self.names)


class GraphQLClient:
    def __init__(
        self, http: httpx.AsyncClient, token: str | None = None, feed: Feed | None = None
    ) -> None:
        self.http = http
        self.token = token
        self.feed = feed

    def as_token(self, token: str | None) -> "GraphQLClient":
        """The same app, with every request carrying `Authorization: Bearer <token>`."""
        return GraphQLClient(self.http, token, self.feed)

    async def sync(self) -> None:
        """Let the app catch up with the event log now, rather than at its next poll: a test
        that wrote through the CLI (another process) reads as a reader a moment later would."""
        if self.feed is not None:
            await self.feed.catch_up()

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
        assert response.status_code == 200, response.text
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
