"""A graphql-transport-ws client over a real WebSocket, as browsers' `graphql-ws` speaks it."""

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"


class LiveClient:
    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket

    @classmethod
    @contextlib.asynccontextmanager
    async def connect(
        cls,
        base_url: str,
        *,
        init: bool = True,
        origin: str | None = None,
        forwarded_for: str | None = None,
    ) -> AsyncIterator["LiveClient"]:
        headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
        async with connect(
            base_url.replace("http://", "ws://") + "/graphql",
            subprotocols=[PROTOCOL],  # type: ignore[list-item]
            origin=origin,  # type: ignore[arg-type]
            additional_headers=headers,
            open_timeout=30,
        ) as socket:
            client = cls(socket)
            if init:
                await client.send({"type": "connection_init"})
                assert (await client.receive())["type"] == "connection_ack"
            yield client

    async def send(self, message: dict[str, Any]) -> None:
        await self.socket.send(json.dumps(message))

    async def receive(self, timeout: float = 30) -> dict[str, Any]:
        message: dict[str, Any] = json.loads(await asyncio.wait_for(self.socket.recv(), timeout))
        return message

    async def subscribe(self, id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        payload = {"query": query, "variables": variables or {}}
        await self.send({"id": id, "type": "subscribe", "payload": payload})


async def wait_for_subscriptions(base_url: str, count: int, timeout: float = 30) -> None:
    """Until the server's metrics show `count` live subscriptions (they start asynchronously)."""
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            metrics = (await http.get(f"{base_url}/metrics")).text
            if f"newsroom_live_subscriptions {float(count)}" in metrics:
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"{base_url} never held {count} live subscriptions")
