"""`newsroom serve`: uvicorn on the app the composition root builds, in one or more processes.

The command is made here and registered by the composition root (`newsroom.cli`), which names
the app factory as uvicorn imports it in each worker, and what to point a browser at.
"""

import signal
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape

from cms.config import Settings
from cms.store.datadir import check_before_serving
from cms.store.storefile import StoreFileError
from web.logs import stop_logging

console = Console()


def serve_command[S: Settings](
    *,
    app_factory: str,
    get_settings: Callable[[], S],
    pages: Callable[[S], Iterable[tuple[str, str]]],
) -> Callable[..., None]:
    """The `serve` command: uvicorn runs `app_factory` ("module:function", called with no
    arguments) in each worker; `pages` are the (name, path) pairs printed as links at start."""

    def serve(
        host: Annotated[str | None, typer.Option(help="Interface to bind [NEWSROOM_HOST].")] = None,
        port: Annotated[int | None, typer.Option(help="Port to listen on [NEWSROOM_PORT].")] = None,
        workers: Annotated[
            int | None,
            typer.Option(
                min=1, help="Worker processes sharing the port [NEWSROOM_WORKERS]; one per core."
            ),
        ] = None,
    ) -> None:
        settings = get_settings()
        host = host or settings.host
        port = port or settings.port
        workers = workers or settings.workers
        if not settings.mongodb_uri:
            try:
                check_before_serving(settings.data_dir)
            except StoreFileError as error:
                # One sentence, then out: from the app's start-up it would come as a traceback.
                Console(stderr=True).print(
                    f"[red]The store is unavailable[/]: {escape(str(error))}", soft_wrap=True
                )
                raise typer.Exit(code=1) from None
        for name, path in pages(settings):
            console.print(f"{name}: [link]http://{host}:{port}{path}[/link]")
        signal.signal(signal.SIGTERM, _write_logs_then_exit)
        uvicorn.run(
            app_factory,
            factory=True,
            host=host,
            port=port,
            # Each worker builds its own app (catalog, cache) and follows the event log, so a
            # write in one reaches the others' caches; they share the one embedded store.
            workers=workers,
            log_level=settings.log_level,
            # Uvicorn's loggers go to the root logger (set up above); the app logs each request.
            log_config=None,
            access_log=False,
            # Newsroom reads X-Forwarded-* itself, and only from NEWSROOM_TRUSTED_PROXIES;
            # uvicorn would otherwise believe them from any local peer.
            proxy_headers=False,
            # Subscriptions: the websockets library's current (sans-I/O) implementation, with
            # messages no larger than a request body may be.
            ws="websockets-sansio",
            ws_max_size=settings.max_body_bytes,
            # The store closes after in-flight requests finish; don't wait forever for them.
            timeout_graceful_shutdown=10,
        )

    return serve


def _write_logs_then_exit(signum: int, frame: FrameType | None) -> None:
    """Uvicorn ends a graceful shutdown by raising SIGTERM again, which skips `atexit`: write
    the log lines still queued, then die of the signal as uvicorn intends."""
    stop_logging()
    signal.signal(signum, signal.SIG_DFL)
    signal.raise_signal(signum)
