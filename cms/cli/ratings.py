"""`newsroom ratings ...`: the vote counters, checked against the vote ledger."""

from typing import Annotated

import typer
from beanie import PydanticObjectId
from rich.markup import escape
from rich.table import Table

from cms.access import Actor
from cms.cli.common import console, counted, run_with_store
from cms.engagement.ratings import STARS
from cms.engagement.recount import Recount, recount
from cms.store.connection import Store

ratings_app = typer.Typer(help="Check and repair the star ratings.", no_args_is_help=True)


@ratings_app.command()
def rebuild(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Report drift without writing anything.")
    ] = False,
) -> None:
    """Recount every article's rating from the vote ledger; report and repair any drift.

    Votes cast before the ledger existed are kept as each article's baseline.
    """

    async def work(store: Store) -> Recount:
        return await recount(actor=Actor.local("cli"), dry_run=dry_run)

    report = run_with_store(work)

    def name(article_id: PydanticObjectId) -> str:
        return escape(report.slugs.get(article_id, str(article_id)))

    if report.settled:
        console.print(f"Completed {counted(report.settled, 'vote')} left in flight.")
    console.print(
        f"Checked {counted(report.checked, 'article rating')} against "
        f"{counted(report.ledger_votes, 'ledger vote')}."
    )
    if report.in_flight:
        listed = ", ".join(name(article_id) for article_id in report.in_flight)
        console.print(f"Not checked, votes in flight (a dry run leaves them be): {listed}")
    if report.adopted:
        verb = "Would keep" if dry_run else "Kept"
        console.print(
            f"{verb} the votes from before the ledger as the baseline of "
            f"{counted(len(report.adopted), 'article')}:"
        )
        table = Table("article", "votes", *(f"stars_{stars}" for stars in STARS))
        for adoption in report.adopted:
            counts = adoption.baseline.counts
            table.add_row(name(adoption.article_id), str(sum(counts)), *map(str, counts))
        console.print(table)
    if report.drifted:
        console.print(f"Drift in {counted(len(report.drifted), 'article')}:")
        table = Table("article", "counter", "expected", "found")
        for drift in report.drifted:
            for counter in drift.fields:
                table.add_row(
                    name(drift.article_id),
                    counter,
                    str(drift.expected[counter]),
                    str(drift.found[counter]),
                )
        console.print(table)
    if dry_run:
        console.print("Dry run: nothing was written.")
    elif report.drifted:
        console.print(f"Repaired {counted(len(report.drifted), 'article rating')}.")
    else:
        console.print("No drift: every rating matches the ledger.")
