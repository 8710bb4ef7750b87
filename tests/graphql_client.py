"""Talking to the API as a frontend does, and counting what it asks the database."""

from collections.abc import Mapping
from typing import Any

import httpx
from pymongo import monitoring

# Connection housekeeping, not work done for a query.
HOUSEKEEPING = {"hello", "ismaster", "isMaster", "ping", "endSessions", "buildInfo"}
# Collections the app's background upkeep polls (`cms.maintenance`), whatever requests run.
UPKEEP = {"arrivals", "journal", "events", "counters", "rate_limits"}


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
    def __init__(self, http: httpx.AsyncClient, token: str | None = None) -> None:
        self.http = http
        self.token = token

    def as_token(self, token: str | None) -> "GraphQLClient":
        """The same app, with every request carrying `Authorization: Bearer <token>`."""
        return GraphQLClient(self.http, token)

    def new_reader(self, headers: Mapping[str, str] | None = None) -> "GraphQLClient":
        """The same app as another browser sees it: a cookie jar of its own (so another voter),
        and these extra headers on every request."""
        http = httpx.AsyncClient(
            transport=self.http._transport, base_url=self.http.base_url, headers=headers
        )
        return GraphQLClient(http, self.token)

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST one operation; the whole response body (`data` and maybe `errors`)."""
        headers = {"authorization": f"Bearer {self.token}"} if self.token is not None else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
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
