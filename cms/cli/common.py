"""What every content command shares: consoles, the store, and errors as one clear line."""

import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Annotated, Any, NoReturn

import typer
from pymongo.errors import PyMongoError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from cms.config import get_settings
from cms.database import open_store
from cms.errors import CallerError
from cms.spine import liveness
from cms.store.connection import Store
from cms.store.outages import StoreUnavailableError, is_outage

log = logging.getLogger(__name__)

# Piped or redirected, output keeps its lines whole: a table is as wide as its widest row
# (a terminal's width would fold URLs and slugs in the middle; no terminal says 80).
UNBOUNDED = 10_000
console = Console() if sys.stdout.isatty() else Console(width=UNBOUNDED)
errors = Console(stderr=True)

AsJson = Annotated[
    bool,
    typer.Option("--json", help="Print a JSON array of objects instead of a table (for scripts)."),
]


def counted(count: int, one: str, many: str | None = None) -> str:
    """`1 delivery`, `2 deliveries`."""
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def show_rows(
    rows: Sequence[Mapping[str, Any]],
    *,
    columns: Sequence[str],
    title: str,
    as_json: bool,
    styles: Mapping[str, Callable[[Any], str]] | None = None,
) -> None:
    """`rows` (mappings of `columns` to plain values) as a table under `title`, or as JSON for a
    script. `styles` may mark up a column's cells in the table (never in JSON)."""
    if as_json:
        typer.echo(json.dumps([{c: row[c] for c in columns} for row in rows], indent=2))
        return
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        table.add_row(
            *(
                (styles or {}).get(column, lambda value: escape(_cell(value)))(row[column])
                for column in columns
            )
        )
    console.print(table)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def fail(message: str, *, code: int = 1) -> NoReturn:
    """Print `message` (literally: no Rich markup in it is interpreted) and exit."""
    errors.print(f"[red]Error[/]: {escape(message)}")
    raise typer.Exit(code=code)


def run_with_store[T](work: Callable[[Store], Awaitable[T]]) -> T:
    """Open the configured store, run `work`, close it; failures are one line, not a traceback."""

    async def main() -> T:
        async with open_store(get_settings()) as store, liveness.heartbeat(store):
            return await work(store)

    try:
        return asyncio.run(main())
    except CallerError as error:
        fail(str(error))
    except StoreUnavailableError as error:
        # Newsroom's own words (the embedded store's directory, why it did not start).
        errors.print(f"[red]The store is unavailable[/]: {escape(str(error))}", soft_wrap=True)
        raise typer.Exit(code=1) from None
    except PyMongoError as error:
        if is_outage(error):
            # PyMongo's message names the store's address: at debug level only.
            log.debug("Store failure: %s", error)
            errors.print("[red]The store is unavailable[/]: no answer in time; try again shortly.")
        else:
            errors.print(f"[red]The store refused the command[/]: {escape(str(error))}")
        raise typer.Exit(code=1) from None
