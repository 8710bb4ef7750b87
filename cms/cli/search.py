"""`newsroom search ...`: the search index, checked against the articles."""

from typing import TYPE_CHECKING

import typer

from cms.cli.common import console, counted, run_with_store
from cms.store.connection import Store

if TYPE_CHECKING:
    from cms.search.reindex import ReindexReport

search_app = typer.Typer(help="The search index.", no_args_is_help=True)


@search_app.command("reindex")
def reindex_command() -> None:
    """Rebuild the index from the articles; report and repair what was wrong with it."""

    async def work(store: Store) -> "ReindexReport":
        # Analysis and ranking: imported by the commands that use them only (`cms.cli.related`).
        from cms.discovery import reindex_search

        return await reindex_search()

    report = run_with_store(work)
    console.print(f"Indexed {counted(report.articles, 'article')}.")
    if not report.fixed:
        console.print("Nothing to fix: the index matched every article.")
        return
    console.print(
        f"Fixed: {counted(report.articles_fixed, 'article entry', 'article entries')}, "
        f"{counted(report.terms_fixed, 'term document')}"
        + (", the statistics." if report.statistics_fixed else ".")
    )
