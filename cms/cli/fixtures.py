"""`newsroom fixtures ...`: the editors' commands for content files."""

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from cms.access import Actor
from cms.cli.common import console, counted, errors, run_with_store
from cms.fixtures.exporter import export_fixtures
from cms.fixtures.loader import load_fixtures
from cms.fixtures.reader import FixtureSet, read_fixtures
from cms.store.connection import Store
from cms.workflow.imports import OUTCOMES, LoadReport

fixtures_app = typer.Typer(help="Validate, load and export content files.", no_args_is_help=True)

FixturesPath = Annotated[
    Path,
    typer.Argument(
        metavar="DIR",
        help="Fixture directory: tags.yaml, authors.yaml and articles/*.md.",
        show_default=False,
    ),
]


def _read_or_exit(path: Path) -> FixtureSet:
    """The fixtures, or every problem printed, one line each (file:line, field, problem), and
    exit 1.

    One line per problem, never wrapped, so that `grep` and editors can jump to each.
    """
    fixtures = read_fixtures(path)
    if fixtures.problems:
        errors.print(f"{counted(len(fixtures.problems), 'problem')} in {escape(str(path))}:")
        for problem in fixtures.problems:
            where, field = escape(problem.where(path)), escape(problem.field or "-")
            errors.print(
                f"[cyan]{where}[/]  [magenta]{field}[/]  {escape(problem.message)}",
                soft_wrap=True,
            )
        raise typer.Exit(code=1)
    for warning in fixtures.warnings:
        errors.print(
            f"[yellow]Warning[/]: [cyan]{escape(warning.where(path))}[/]  "
            f"[magenta]{escape(warning.field)}[/]  {escape(warning.message)}",
            soft_wrap=True,
        )
    return fixtures


@fixtures_app.command()
def validate(path: FixturesPath) -> None:
    """Check every file and report every problem, with file and field."""
    fixtures = _read_or_exit(path)
    images = f", {counted(len(fixtures.images), 'image')}" if fixtures.images else ""
    warned = f" ({counted(len(fixtures.warnings), 'warning')})" if fixtures.warnings else ""
    console.print(
        f"[green]OK[/]: {len(fixtures.articles)} articles{images} and {len(fixtures.tags)} tags "
        f"are valid{warned}."
    )


def _print_report(report: LoadReport, *, dry_run: bool, seconds: float) -> None:
    table = Table(title="Dry run: nothing was written" if dry_run else None, title_justify="left")
    for column in ("", *OUTCOMES):
        table.add_column(column, justify="right" if column else "left")
    for kind, outcomes in report.counts.items():
        table.add_row(kind, *(str(outcomes[o]) for o in OUTCOMES))
    console.print(table)
    if not report.changed:
        console.print("Nothing to change: the store already holds this content.")
    console.print(f"Done in {seconds:.2f}s.")


def _print_conflicts(report: LoadReport) -> None:
    table = Table(
        title=f"{counted(len(report.conflicts), 'article')} changed since the last load "
        "(through the API or the CLI): nothing was written",
        title_justify="left",
    )
    table.add_column("slug", style="cyan", overflow="fold")
    table.add_column("why", overflow="fold")
    for slug, why in sorted(report.conflicts.items()):
        table.add_row(escape(slug), escape(why))
    errors.print(table)
    errors.print(
        "Run `newsroom fixtures export DIR` to bring the files up to date, "
        "or load with `--force` to overwrite those changes."
    )


@fixtures_app.command()
def load(
    path: FixturesPath,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Validate and report what would change; write nothing."),
    ] = False,
    force: Annotated[
        bool,
        typer.Option("--force", help="Overwrite articles changed since the last load."),
    ] = False,
) -> None:
    """Validate, then upsert every tag, author and article by slug. Writes nothing if any file
    is bad, or if an article was changed elsewhere since the last load (unless --force)."""
    fixtures = _read_or_exit(path)
    started = time.perf_counter()

    async def work(store: Store) -> LoadReport:
        console.print(f"Loading into {escape(store.description)}")
        people = len(fixtures.authors) + len(fixtures.implied_authors)
        total = len(fixtures.tags) + people + len(fixtures.articles)
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=console, transient=True) as progress:
            task = progress.add_task("Loading", total=total)
            return await load_fixtures(
                fixtures,
                actor=Actor.local("fixtures"),
                advance=lambda done: progress.advance(task, done),
                dry_run=dry_run,
                force=force,
            )

    report = run_with_store(work)
    if report.conflicts:
        _print_conflicts(report)
        if not dry_run:
            raise typer.Exit(code=1)
    _print_report(report, dry_run=dry_run, seconds=time.perf_counter() - started)


@fixtures_app.command("export")
def export(path: FixturesPath) -> None:
    """Write every tag and article in the store as fixture files under PATH."""

    async def work(store: Store) -> tuple[int, int]:
        console.print(f"Exporting from {escape(store.description)}")
        return await export_fixtures(path)

    articles, tags = run_with_store(work)
    console.print(f"Wrote {articles} articles and {tags} tags to {escape(str(path))}.")
