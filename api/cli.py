"""The `newsroom` command: serve the API, manage content files, export the schema."""

import logging
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.logging import RichHandler

from cms.cli.articles import articles_app
from cms.cli.fixtures import fixtures_app
from cms.cli.tokens import tokens_app
from cms.cli.webhooks import webhooks_app
from cms.config import get_settings

app = typer.Typer(
    help="Newsroom: a GraphQL content backend for news sites.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(fixtures_app, name="fixtures")
app.add_typer(articles_app, name="articles")
app.add_typer(tokens_app, name="tokens")
app.add_typer(webhooks_app, name="webhooks")
schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)
app.add_typer(schema_app, name="schema")
console = Console()


@app.callback()
def configure() -> None:
    """Check the settings, then log through rich at the configured level."""
    try:
        settings = get_settings()
    except ValidationError as error:
        Console(stderr=True).print(f"[red]Invalid settings[/] (environment or .env):\n{error}")
        raise typer.Exit(code=2) from None
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(message)s",
        handlers=[RichHandler(show_path=False, rich_tracebacks=True)],
        force=True,
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind [NEWSROOM_HOST].")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on [NEWSROOM_PORT].")] = None,
) -> None:
    """Serve the GraphQL API (GraphiQL at /graphql in a browser)."""
    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    console.print(f"GraphiQL: [link]http://{host}:{port}/graphql[/link]")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level=settings.log_level,
        log_config=None,
        # The store closes after in-flight requests finish; don't wait forever for them.
        timeout_graceful_shutdown=10,
    )


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
