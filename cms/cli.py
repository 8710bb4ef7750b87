"""`newsroom fixtures ...`: the editors' commands for content files."""

import asyncio
import time
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer
from pymongo.errors import PyMongoError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from cms.config import get_settings
from cms.errors import StoreUnavailableError
from cms.fixtures.exporter import export_fixtures
from cms.fixtures.loader import LoadReport, load_fixtures
from cms.fixtures.reader import FixtureSet, read_fixtures
from cms.store.database import open_store

fixtures_app = typer.Typer(help="Validate, load and export content files.", no_args_is_help=True)
console = Console()
errors = Console(stderr=True)

FixturesPath = Annotated[
    Path, typer.Argument(help="Fixture directory: tags.yaml and articles/*.md.", show_default=False)
]


def _run[T](work: Coroutine[Any, Any, T]) -> T:
    """Run `work`; a store that cannot be reached is a one-line error, not a traceback."""
    try:
        return asyncio.run(work)
    except (StoreUnavailableError, PyMongoError) as error:
        errors.print(f"[red]The store is unavailable[/]: {error}")
        raise typer.Exit(code=1) from None


def _read_or_exit(path: Path) -> FixtureSet:
    fixtures = read_fixtures(path)
    if fixtures.problems:
        table = Table(title=f"{len(fixtures.problems)} problem(s) in {path}", title_justify="left")
        table.add_column("file", style="cyan", overflow="fold")
        table.add_column("field", style="magenta")
        table.add_column("problem", overflow="fold")
        for problem in fixtures.problems:
            table.add_row(str(problem.file), problem.field or "-", problem.message)
        errors.print(table)
        raise typer.Exit(code=1)
    return fixtures


@fixtures_app.command()
def validate(path: FixturesPath) -> None:
    """Check every file and report every problem, with file and field."""
    fixtures = _read_or_exit(path)
    console.print(
        f"[green]OK[/]: {len(fixtures.articles)} articles and {len(fixtures.tags)} tags are valid."
    )


def _print_report(report: LoadReport, *, dry_run: bool, seconds: float) -> None:
    table = Table(title="Dry run: nothing was written" if dry_run else None, title_justify="left")
    for column in ("", "created", "updated", "unchanged"):
        table.add_column(column, justify="right" if column else "left")
    for kind, outcomes in report.counts.items():
        table.add_row(kind, *(str(outcomes[o]) for o in ("created", "updated", "unchanged")))
    console.print(table)
    if not report.changed:
        console.print("Nothing to change: the store already holds this content.")
    console.print(f"Done in {seconds:.2f}s.")


async def _load(fixtures: FixtureSet, *, dry_run: bool) -> LoadReport:
    async with open_store(get_settings()) as store:
        console.print(f"Loading into {store.description}")
        total = len(fixtures.tags) + len(fixtures.articles)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("Loading", total=total)
            return await load_fixtures(
                fixtures, advance=lambda: progress.advance(task), dry_run=dry_run
            )


@fixtures_app.command()
def load(
    path: FixturesPath,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Validate and report what would change; write nothing."),
    ] = False,
) -> None:
    """Validate, then upsert every tag and article by slug. Writes nothing if any file is bad."""
    fixtures = _read_or_exit(path)
    started = time.perf_counter()
    report = _run(_load(fixtures, dry_run=dry_run))
    _print_report(report, dry_run=dry_run, seconds=time.perf_counter() - started)


@fixtures_app.command("export")
def export(path: FixturesPath) -> None:
    """Write every tag and article in the store as fixture files under PATH."""

    async def run() -> tuple[int, int]:
        async with open_store(get_settings()) as store:
            console.print(f"Exporting from {store.description}")
            return await export_fixtures(path)

    articles, tags = _run(run())
    console.print(f"Wrote {articles} articles and {tags} tags to {path}.")
