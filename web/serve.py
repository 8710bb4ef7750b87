"""`newsroom serve`: uvicorn on the app the composition root builds, in one or more processes.

The command is made here and registered by the composition root (`newsroom.cli`), which names
the app factory as uvicorn imports it in each worker, and what to point a browser at.
"""

import errno
import signal
import socket
from collections.abc import Callable, Iterable
from types import FrameType
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from uvicorn.supervisors import Multiprocess

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
        host: Annotated[
            str | None, typer.Option(metavar="HOST", help="Interface to bind [NEWSROOM_HOST].")
        ] = None,
        port: Annotated[
            int | None, typer.Option(metavar="PORT", help="Port to listen on [NEWSROOM_PORT].")
        ] = None,
        workers: Annotated[
            int | None,
            typer.Option(
                metavar="N",
                min=1,
                help="Worker processes sharing the port [NEWSROOM_WORKERS]; one per core.",
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
        _refuse_a_port_that_cannot_be_used(host, port)
        signal.signal(signal.SIGTERM, _write_logs_then_exit)
        config = uvicorn.Config(
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
        # Production's output is JSON lines only (its log collectors parse every line), so the
        # addresses a person would open are printed in development only.
        shown = pages(settings) if settings.environment != "production" else []
        links = [(name, f"http://{host}:{port}{path}") for name, path in shown]
        if workers > 1:
            # The workers share the socket bound here: it listens before they start, so the
            # links are printed once it does (a request made at once waits for a worker).
            listening = config.bind_socket()
            listening.listen(config.backlog)
            _print_links(links)
            Multiprocess(config, sockets=[listening]).run()
            return
        server = _AnnouncingServer(config, links)
        server.run()
        if not server.started:
            raise typer.Exit(code=3)  # uvicorn's own status for a start-up that failed

    return serve


class _AnnouncingServer(uvicorn.Server):
    """Prints where to point a browser once the app has started and the port listens."""

    def __init__(self, config: uvicorn.Config, links: list[tuple[str, str]]) -> None:
        super().__init__(config)
        self.links = links

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            _print_links(self.links)


def _print_links(links: Iterable[tuple[str, str]]) -> None:
    for name, url in links:
        console.print(f"{name}: [link]{url}[/link]")


def _refuse_a_port_that_cannot_be_used(host: str, port: int) -> None:
    """One sentence saying which port and what to do, rather than uvicorn's bare `[Errno 98]`.

    Tried as uvicorn binds (address reuse on), then let go: uvicorn binds it a moment later.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                why = (
                    f"port {port} on {host} is in use (another `newsroom serve`, perhaps). "
                    "Choose another with --port PORT or NEWSROOM_PORT"
                )
            elif error.errno == errno.EACCES:
                why = f"port {port} needs privileges this user lacks: choose one above 1023"
            elif error.errno == errno.EADDRNOTAVAIL:
                why = f"{host} is not an address of this machine: choose another with --host"
            else:
                why = f"{host}:{port} cannot be used ({error.strerror})"
            Console(stderr=True).print(f"[red]Cannot listen[/]: {escape(why)}.", soft_wrap=True)
            raise typer.Exit(code=1) from None


def _write_logs_then_exit(signum: int, frame: FrameType | None) -> None:
    """Uvicorn ends a graceful shutdown by raising SIGTERM again, which skips `atexit`: write
    the log lines still queued, then die of the signal as uvicorn intends."""
    stop_logging()
    signal.signal(signum, signal.SIG_DFL)
    signal.raise_signal(signum)
