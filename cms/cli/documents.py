"""`newsroom documents ...`: the trusted GraphQL documents a locked-down API runs."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cms import persisted_documents
from cms.cli.common import AsJson, console, counted, fail, run_with_store, show_rows
from cms.store.connection import Store

documents_app = typer.Typer(
    help="Trusted GraphQL documents (with NEWSROOM_PERSISTED_QUERIES=trusted, the only ones run).",
    no_args_is_help=True,
)


@documents_app.command()
def add(
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE", help="Files holding one GraphQL document each."),
    ],
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
def list_documents(as_json: AsJson = False) -> None:
    """The trusted documents, by hash."""

    async def work(store: Store) -> list[persisted_documents.PersistedDocument]:
        return await persisted_documents.trusted_documents()

    found = run_with_store(work)
    rows = [{"sha256": document.id, "document": document.text} for document in found]
    first_lines = {"document": lambda text: escape(_first_line(text))}
    title = counted(len(found), "trusted document")
    show_rows(
        rows, columns=("sha256", "document"), title=title, as_json=as_json, styles=first_lines
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
