"""A webhook receiver for tests: a small HTTP server on 127.0.0.1 that answers as told."""

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Self


@dataclass(frozen=True)
class Received:
    """One POST as it arrived."""

    path: str
    headers: dict[str, str]  # lowercase names
    body: bytes

    @property
    def json(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


class Receiver:
    """Records every request and answers with the next status of `script`, then `otherwise`."""

    def __init__(self, script: Iterable[int] = (), *, otherwise: int = 204, port: int = 0) -> None:
        self.script = list(script)
        self.otherwise = otherwise
        self.port = port  # 0: any free port
        self.received: list[Received] = []
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/newsroom"

    async def wait_for(self, count: int, *, timeout: float = 60.0) -> list[Received]:
        """What arrived, once at least `count` requests have."""

        async def arrived() -> list[Received]:
            return self.received if len(self.received) >= count else []

        return list(await eventually(arrived, timeout=timeout))

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {
                name.strip().lower(): value.strip()
                for name, _, value in (line.partition(":") for line in lines[1:] if line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.received.append(Received(path, headers, body))
            status = self.script.pop(0) if self.script else self.otherwise
            writer.write(
                f"HTTP/1.1 {status} Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


async def eventually[T](check: Callable[[], Awaitable[T | None]], *, timeout: float = 60.0) -> T:
    """Poll `check()` until it returns something truthy (the machine may be slow); that."""
    deadline = time.monotonic() + timeout
    while True:
        if result := await check():
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"{check.__qualname__} did not happen within {timeout:.0f} s")
        await asyncio.sleep(0.05)
