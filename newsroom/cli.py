"""The `newsroom` command: serve every face, manage content, export the schema."""

import logging
from typing import Annotated, Any, cast

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from typer.core import TyperArgument, TyperOption

from api.cli import schema_app
from api.settings import Settings, get_settings
from cms.cli.articles import articles_app
from cms.cli.authors import authors_app
from cms.cli.backups import backup_app
from cms.cli.documents import documents_app
from cms.cli.fixtures import fixtures_app
from cms.cli.imports import import_app
from cms.cli.media import media_app
from cms.cli.ratings import ratings_app
from cms.cli.related import related_app
from cms.cli.search import search_app
from cms.cli.tokens import tokens_app
from cms.cli.users import users_app
from cms.cli.webhooks import webhooks_app
from web.logs import configure_logging
from web.serve import serve_command


def _flags_take_no_value() -> None:
    """typer 0.29's rich help shows a type beside every parameter: `<bool>` beside flags
    (`--force <bool>`, `--help <bool>`), though a flag takes no value, and a Python type beside
    arguments that name what they take (`FILE <list[Path]>`). Its plain help leaves flags' out;
    this leaves out both."""
    for kind in (TyperOption, TyperArgument):
        shown = kind.display_type_rich
        if getattr(shown, "_newsroom_patched", False):
            continue

        def display_type_rich(
            self: TyperOption | TyperArgument, ctx: Any, shown: Any = shown
        ) -> str | None:
            named = isinstance(self, TyperArgument) and self.metavar is not None
            if named or (isinstance(self, TyperOption) and self.is_flag):
                return None
            return cast(str | None, shown(self, ctx))

        display_type_rich._newsroom_patched = True  # type: ignore[attr-defined]
        setattr(kind, "display_type_rich", display_type_rich)  # noqa: B010


_flags_take_no_value()

app = typer.Typer(
    help="Newsroom: a GraphQL content backend for news sites.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)


def _pages(settings: Settings) -> list[tuple[str, str]]:
    """What `serve` prints a link to, as a browser would open it."""
    pages = [("GraphiQL", "/graphql")] if settings.serves_graphiql else []
    if settings.desk:
        pages.append(("The desk", "/desk/login"))
    return pages


app.add_typer(fixtures_app, name="fixtures")
app.add_typer(import_app, name="import")
app.add_typer(articles_app, name="articles")
app.add_typer(authors_app, name="authors")
app.add_typer(tokens_app, name="tokens")
app.add_typer(users_app, name="users")
app.add_typer(media_app, name="media")
app.add_typer(documents_app, name="documents")
app.add_typer(ratings_app, name="ratings")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(search_app, name="search")
app.add_typer(related_app, name="related")
app.add_typer(backup_app, name="backup")
app.add_typer(schema_app, name="schema")
app.command("serve", help="Serve the GraphQL API (GraphiQL at /graphql) and the desk (/desk).")(
    serve_command(app_factory="newsroom.app:create_app", get_settings=get_settings, pages=_pages)
)


@app.callback()
def configure(
    context: typer.Context,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Also print log lines (the store used, ...).")
    ] = False,
) -> None:
    """Check the settings, then log at the configured level from a thread of its own. A command
    prints its output and nothing else unless `--verbose`; `serve` logs as configured."""
    try:
        settings = get_settings()
    except ValidationError as error:
        Console(stderr=True).print(
            f"[red]Invalid settings[/] (environment or .env):\n{escape(str(error))}"
        )
        raise typer.Exit(code=2) from None
    configure_logging(settings)
    if context.invoked_subcommand != "serve" and not verbose:
        root = logging.getLogger()
        root.setLevel(max(root.level, logging.WARNING))
