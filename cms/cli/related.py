"""`newsroom related ...`: the stored related lists, checked against the ranking."""

from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from cms.cli.common import console, counted, run_with_store
from cms.store.connection import Store

if TYPE_CHECKING:
    from cms.related.rebuild import RebuildReport

related_app = typer.Typer(help='Related items ("You may also like").', no_args_is_help=True)


@related_app.command("rebuild")
def rebuild_command(
    refresh_statistics: Annotated[
        bool,
        typer.Option(
            "--refresh-statistics",
            help="Measure term and tag rarity on the archive as it is now (moves most lists).",
        ),
    ] = False,
) -> None:
    """Recompute every related list from the articles; report and repair the ones that differed."""

    async def work(store: Store) -> "RebuildReport":
        # Ranking and analysis (numpy among them): imported by the commands that use them only,
        # not by every `newsroom` command's start.
        from cms.discovery import read_archive
        from cms.related.rebuild import rebuild

        articles, postings = await read_archive()
        return await rebuild(articles, postings, refresh_statistics=refresh_statistics)

    report = run_with_store(work)
    statistics = " with statistics measured now" if report.statistics_refreshed else ""
    lists, articles = counted(report.lists, "list"), counted(report.articles, "article")
    console.print(f"Ranked {lists} for {articles}{statistics}.")
    if report.removed:
        console.print(f"Removed {counted(report.removed, 'list')} of articles that have none.")
    if not report.differed:
        console.print("No differences: every stored list is what the ranking gives.")
        return
    console.print(f"Rewrote {counted(len(report.differed), 'list')} that differed:")
    for slug in report.differed:
        console.print(f"  {escape(slug)}")
