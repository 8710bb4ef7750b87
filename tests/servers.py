"""Real `newsroom serve` processes on free ports, as a deployment with several workers runs."""

import asyncio
import contextlib
import os
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx

from tests.cli import NEWSROOM


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _not_in_the_fast_lane() -> None:
    """`make test-fast` leaves out tests that start API processes: a test that starts one
    without saying so would slip into the lane meant for the loop of a change."""
    if os.environ.get("NEWSROOM_TEST_LANE") == "fast":
        raise AssertionError(
            "This test starts `newsroom serve`: mark it `@pytest.mark.processes`, "
            "which `make test-fast` leaves out."
        )


def _wait_until_healthy(
    url: str, server: subprocess.Popen[Any], timeout: float = 60, output: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = output.read_text() if output else server.communicate()[0]
            raise AssertionError(f"newsroom serve exited: {said}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"newsroom serve at {url} did not become healthy")


@contextlib.contextmanager
def newsroom_servers(count: int, env: dict[str, str]) -> Iterator[list[str]]:
    """`count` API processes on one store (the one `env` names); their base URLs."""
    _not_in_the_fast_lane()
    servers: list[subprocess.Popen[str]] = []
    urls = []
    try:
        for _ in range(count):
            port = free_port()
            servers.append(
                subprocess.Popen(
                    [NEWSROOM, "serve", "--port", str(port)],
                    env=env,
                    cwd=tempfile.gettempdir(),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    text=True,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url, server in zip(urls, servers, strict=True):
            _wait_until_healthy(url, server)
        yield urls
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.communicate(timeout=30)


@contextlib.contextmanager
def served(env: dict[str, str], output: Path) -> Iterator[str]:
    """One server's base URL once it answers `/healthz`; its output goes to `output`."""
    _not_in_the_fast_lane()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with output.open("w") as log:
        server = subprocess.Popen(
            [NEWSROOM, "serve", "--port", str(port)],
            env=env,
            cwd=output.parent,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_healthy(url, server, output=output)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


@contextlib.asynccontextmanager
async def served_beside_the_loop(env: dict[str, str], output: Path) -> AsyncIterator[str]:
    """`served`, started and stopped on a thread: for a test whose event loop must keep
    answering the server meanwhile (a webhook receiver)."""
    server = served(env, output)
    url = await asyncio.to_thread(server.__enter__)
    try:
        yield url
    finally:
        await asyncio.to_thread(server.__exit__, None, None, None)
