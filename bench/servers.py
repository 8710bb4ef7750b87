"""Servers for the load benchmark: `newsroom serve` and the floor app, on free ports."""

import contextlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
NEWSROOM = str(Path(sys.executable).parent / "newsroom")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(url: str, process: subprocess.Popen[bytes], probe: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server for {url} exited with {process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.post(f"{url}/graphql", json={"query": probe}, timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"server at {url} did not start")


@contextlib.contextmanager
def serving(command: list[str], env: dict[str, str], probe: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        env=env,
        cwd=tempfile.gettempdir() if command[0] == NEWSROOM else ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(url, process, probe)
        yield url
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    """Terminate a server, and kill it if it has not ended within `seconds`."""
    process.terminate()
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        process.kill()


def newsroom(env: dict[str, str]) -> contextlib.AbstractContextManager[str]:
    return serving([NEWSROOM, "serve"], env, "{ __typename }")


def floor(env: dict[str, str]) -> contextlib.AbstractContextManager[str]:
    command = [sys.executable, "-m", "uvicorn", "bench.floor:app", "--no-access-log"]
    return serving([*command, "--log-level", "warning"], env, "{ __typename }")
