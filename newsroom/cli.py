"""The `newsroom` command: serve the API, manage content files, export the schema."""

import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from api.logs import configure_logging, stop_logging
from cms.cli.articles import articles_app
from cms.cli.backups import backup_app
from cms.cli.documents import documents_app
from cms.cli.fixtures import fixtures_app
from cms.cli.ratings import ratings_app
from cms.cli.related import related_app
from cms.cli.search import search_app
from cms.cli.tokens import tokens_app
from cms.cli.webhooks import webhooks_app
from cms.config import get_settings
from cms.store.datadir import check_before_serving
from cms.store.storefile import StoreFileError

app = typer.Typer(
    help="Newsroom: a GraphQL content backend for news sites.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(fixtures_app, name="fixtures")
app.add_typer(articles_app, name="articles")
app.add_typer(tokens_app, name="tokens")
app.add_typer(documents_app, name="documents")
app.add_typer(ratings_app, name="ratings")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(search_app, name="search")
app.add_typer(related_app, name="related")
app.add_typer(backup_app, name="backup")
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
console = Console()


@app.callback()
def configure() -> None:
    """Check the settings, then log at the configured level from a thread of its own."""
    try:
        settings = get_settings()
    except ValidationError as error:
        Console(stderr=True).print(
            f"[red]Invalid settings[/] (environment or .env):\n{escape(str(error))}"
        )
        raise typer.Exit(code=2) from None
    configure_logging(settings)


@app.command()
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
    """Serve the GraphQL API (GraphiQL at /graphql in a browser)."""
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
    if settings.serves_graphiql:
        console.print(f"GraphiQL: [link]http://{host}:{port}/graphql[/link]")
    signal.signal(signal.SIGTERM, _write_logs_then_exit)
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        # Each worker builds its own app (catalog, cache) and follows the event log, so a write
        # in one reaches the others' caches; they share the one embedded store.
        workers=workers,
        log_level=settings.log_level,
        # Uvicorn's loggers go to the root logger (set up above); the app logs each request.
        log_config=None,
        access_log=False,
        # Newsroom reads X-Forwarded-* itself, and only from NEWSROOM_TRUSTED_PROXIES; uvicorn
        # would otherwise believe them from any local peer.
        proxy_headers=False,
        # Subscriptions: the websockets library's current (sans-I/O) implementation, with
        # messages no larger than a request body may be.
        ws="websockets-sansio",
        ws_max_size=settings.max_body_bytes,
        # The store closes after in-flight requests finish; don't wait forever for them.
        timeout_graceful_shutdown=10,
    )


def _write_logs_then_exit(signum: int, frame: FrameType | None) -> None:
    """Uvicorn ends a graceful shutdown by raising SIGTERM again, which skips `atexit`: write
    the log lines still queued, then die of the signal as uvicorn intends."""
    stop_logging()
    signal.signal(signum, signal.SIG_DFL)
    signal.raise_signal(signum)


@schema_app.command("export")
def export_schema(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Print the schema in GraphQL SDL, as committed in schema.graphql."""
    from api.schema import schema

    sdl = schema.as_str() + "\n"
    if output is None:
        typer.echo(sdl, nl=False)
    else:
        output.write_text(sdl, encoding="utf-8")
        console.print(f"Wrote {output}.")


@schema_app.command("examples")
def export_examples(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The folder to write into.")
    ] = Path("examples"),
) -> None:
    """Write the documented operations (`operations/*.graphql`) and Apollo Client's
    `possibleTypes.json`, as committed in examples/."""
    from api.client_files import write
    from api.schema import schema

    for path in write(output, schema._schema):
        console.print(f"Wrote {escape(str(path))}.")
