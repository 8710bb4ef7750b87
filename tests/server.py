"""`newsroom serve` in a process of its own, on a free port, as a deployment runs it."""

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.cli import NEWSROOM

START_TIMEOUT = 60.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served(env: dict[str, str], output: Path) -> Iterator[str]:
    """The server's base URL once it answers `/healthz`; its output goes to `output`."""
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
            _wait_for(url, server, output)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=30)


def _wait_for(url: str, server: subprocess.Popen[bytes], output: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        assert server.poll() is None, output.read_text()
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not start:\n{output.read_text()}")
