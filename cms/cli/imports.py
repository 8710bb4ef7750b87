"""`newsroom import ...`: bringing a site's archive over from another system."""

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from cms.access import Actor
from cms.cli.common import console, counted, errors, run_with_store
from cms.store.connection import Store

if TYPE_CHECKING:
    from cms.wordpress.importer import ImportReport

import_app = typer.Typer(help="Import a site's content from another system.", no_args_is_help=True)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise typer.BadParameter(
            f"{name!r} is not a time zone name (such as UTC or Europe/Paris)"
        ) from None


@import_app.command()
def wordpress(
    export: Annotated[
        Path,
        typer.Argument(
            metavar="EXPORT.xml",
            help="A WordPress export (Tools > Export in WordPress: WXR 1.1 or 1.2).",
            exists=True,
            dir_okay=False,
            readable=True,
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and report what would change; write nothing.")
    ] = False,
    timezone: Annotated[
        str,
        typer.Option(
            "--timezone",
            metavar="ZONE",
            help="The site's time zone, for posts whose export has no GMT date (drafts).",
        ),
    ] = "UTC",
    force: Annotated[
        bool,
        typer.Option("--force", help="Import over articles edited in Newsroom since their import."),
    ] = False,
    uploads: Annotated[
        Path | None,
        typer.Option(
            "--uploads",
            metavar="DIR",
            help="A copy of the site's wp-content/uploads: its images go into the media library.",
            exists=True,
            file_okay=False,
            readable=True,
        ),
    ] = None,
    report_path: Annotated[
        Path | None,
        typer.Option(
            "--report",
            metavar="FILE",
            help="Also write the report, a line per post, as JSON to FILE.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Import posts, authors, categories and tags. Importing again updates what an earlier
    import wrote (by WordPress post id) and never duplicates it."""
    # The importer (XML parsing, conversion, the media library): for this command only, not
    # every `newsroom` command's start.
    from cms.wordpress.importer import import_wordpress
    from cms.wordpress.wxr import NotAnExport

    zone = _zone(timezone)
    started = time.perf_counter()

    async def work(store: Store) -> "ImportReport":
        console.print(f"Importing {escape(export.name)} into {escape(store.description)}")
        columns = (
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TextColumn("{task.completed:,}"),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=True) as progress:
            tasks: dict[str, TaskID] = {}

            def advance(phase: str, done: int) -> None:
                if phase not in tasks:
                    tasks[phase] = progress.add_task(phase, total=None, rate="")
                task = tasks[phase]
                progress.advance(task, done)
                speed = progress.tasks[task].speed
                progress.update(task, rate=f"({speed:,.0f} a second)" if speed else "")

            return await import_wordpress(
                export,
                actor=Actor.local("wordpress-import"),
                zone=zone,
                dry_run=dry_run,
                force=force,
                advance=advance,
                uploads=uploads,
            )

    try:
        report = run_with_store(work)
    except NotAnExport as error:
        errors.print(f"[red]Error[/]: {escape(str(export))}: {escape(str(error))}")
        errors.print("Nothing was written.")
        raise typer.Exit(code=1) from None
    if report_path is not None:
        report_path.write_text(report.as_json(), encoding="utf-8")
    _print(report, seconds=time.perf_counter() - started, report_path=report_path)


def _print(report: "ImportReport", *, seconds: float, report_path: Path | None) -> None:
    if report.image_problems:
        problems = Table(title="Attachments not in the media library", title_justify="left")
        problems.add_column("attachment")
        problems.add_column("why", overflow="fold")
        for attachment, why in sorted(report.image_problems.items()):
            problems.add_row(str(attachment), escape(why))
        console.print(problems)
    noted = [line for line in report.posts if line.notes]
    if noted:
        table = Table(title="Posts with something to say", title_justify="left")
        for column in ("post", "title", "outcome", "slug", "notes"):
            table.add_column(column, overflow="fold")
        for line in noted:
            table.add_row(
                str(line.post_id or "-"),
                escape(line.title),
                line.outcome,
                escape(line.slug),
                escape("; ".join(line.notes)),
            )
        console.print(table)
    if report.dry_run:
        console.print("Dry run: nothing was written.")
    summary = Table(title=None if report.dry_run else escape(report.site), title_justify="left")
    summary.add_column("")
    summary.add_column("count", justify="right")
    for outcome, count in sorted(report.outcomes().items()):
        summary.add_row(f"posts {outcome}", f"{count:,}")
    for post_type, count in sorted(report.not_posts.items()):
        summary.add_row(f"{post_type} (not imported)", f"{count:,}")
    summary.add_row("authors", f"{report.authors:,}")
    summary.add_row("ratings from Rate My Post", f"{report.ratings:,}")
    summary.add_row("old addresses redirected", f"{report.redirects:,}")
    for outcome, count in report.images.items():
        summary.add_row(f"images {outcome}", f"{count:,}")
    if report.image_problems:
        summary.add_row("images not brought", f"{len(report.image_problems):,}")
    console.print(summary)
    if report_path is not None:
        console.print(f"The report, a line per post: {escape(str(report_path))}")
    console.print(f"{counted(len(report.posts), 'post')} in {seconds:.2f}s.")
