"""`newsroom serve`'s uvicorn, on the test's own event loop: real HTTP and WebSocket over a
socket, while `tests.loop_lag` watches the very loop that serves them."""

import asyncio
import contextlib
from collections.abc import AsyncIterator

import uvicorn

from api.settings import Settings
from newsroom.app import create_app


@contextlib.asynccontextmanager
async def uvicorn_serving(settings: Settings) -> AsyncIterator[str]:
    """The app served on a free port of 127.0.0.1 (as `newsroom serve` configures uvicorn);
    its base URL."""
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=0,
        log_config=None,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        ws="websockets-sansio",
        ws_max_size=settings.max_body_bytes,
        lifespan="on",
    )
    server = uvicorn.Server(config)
    # The test's loop runs pytest's own signal handling: uvicorn must not take it over.
    server.capture_signals = contextlib.nullcontext  # type: ignore[method-assign,assignment]
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            if serving.done():
                serving.result()  # raises what stopped it
                raise AssertionError("uvicorn stopped before it started")
            await asyncio.sleep(0.02)
        (listening,) = server.servers
        host, port = listening.sockets[0].getsockname()[:2]
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await serving
