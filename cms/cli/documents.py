"""`newsroom documents ...`: the trusted GraphQL documents a locked-down API runs."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cms import persisted_documents
from cms.cli.common import console, fail, run_with_store
from cms.store.connection import Store

documents_app = typer.Typer(
    help="Trusted GraphQL documents (with NEWSROOM_PERSISTED_QUERIES=trusted, the only ones run).",
    no_args_is_help=True,
)


@documents_app.command()
def add(
    files: Annotated[list[Path], typer.Argument(help="Files holding one GraphQL document each.")],
) -> None:
    """Trust these documents; print each one's SHA-256, the hash clients send."""
    texts = []
    for path in files:
        try:
            texts.append((path, path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as error:
            fail(f"{path}: {error}")

    async def work(store: Store) -> list[tuple[Path, str]]:
        return [
            (path, await persisted_documents.register(text, trusted=True)) for path, text in texts
        ]

    for path, sha256 in run_with_store(work):
        console.print(f"{sha256}  {escape(str(path))}", highlight=False)


@documents_app.command("list")
def list_documents() -> None:
    """The trusted documents, by hash."""

    async def work(store: Store) -> list[persisted_documents.PersistedDocument]:
        return await persisted_documents.trusted_documents()

    found = run_with_store(work)
    table = Table(title=f"{len(found)} trusted document(s)", title_justify="left")
    table.add_column("sha256")
    table.add_column("document", overflow="fold")
    for document in found:
        first_line = document.text.strip().splitlines()[0] if document.text.strip() else ""
        table.add_row(document.id, escape(first_line))
    console.print(table)
