"""Talking to the API as a frontend does, and counting what it asks the database."""

from typing import Any

import httpx
from pymongo import monitoring

# Connection housekeeping, not work done for a query.
HOUSEKEEPING = {"hello", "ismaster", "isMaster", "ping", "endSessions", "buildInfo"}


class CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in HOUSEKEEPING:
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
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def execute(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST one operation; the whole response body (`data` and maybe `errors`)."""
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST one operation that must succeed; its `data`."""
        body = await self.execute(query, variables)
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data
