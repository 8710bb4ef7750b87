"""`newsroom authors ...`: the people credited in bylines."""

import typer
from rich.markup import escape

from cms.access import Actor
from cms.authors import Author
from cms.cli.common import AsJson, console, counted, run_with_store, show_rows
from cms.store.connection import Store
from cms.workflow.bylines import Migration, migrate_bylines

authors_app = typer.Typer(help="List authors and upgrade text bylines.", no_args_is_help=True)

AUTHOR_COLUMNS = ("slug", "name", "title")


@authors_app.command("list")
def list_authors(as_json: AsJson = False) -> None:
    """Every author, by slug."""

    async def work(store: Store) -> list[Author]:
        return await Author.find_all().sort("slug").to_list()

    found = run_with_store(work)
    rows = [{"slug": a.slug, "name": a.name, "title": a.title} for a in found]
    show_rows(rows, columns=AUTHOR_COLUMNS, title=counted(len(found), "author"), as_json=as_json)


@authors_app.command()
def migrate() -> None:
    """Give every article whose byline is still text (`author`) its authors or a credit:
    names in NEWSROOM_BYLINE_CREDITS become the credit, others find or create that author.
    Running it again changes nothing."""

    async def work(store: Store) -> Migration:
        return await migrate_bylines(actor=Actor.local("cli"))

    done = run_with_store(work)
    console.print(
        f"{counted(len(done.to_authors), 'article')} given authors, "
        f"{counted(len(done.to_credit), 'article')} given a credit; "
        f"{counted(len(done.created), 'author')} created"
        + (f" ({escape(', '.join(done.created))})" if done.created else "")
        + "."
    )
    if done.skipped:
        console.print(
            f"{counted(len(done.skipped), 'article')} changed meanwhile, left for the next run: "
            + escape(", ".join(done.skipped))
        )
