"""`newsroom backup ...`: snapshots of the embedded store, and putting one back."""

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from cms import backups
from cms.cli.common import console, fail
from cms.config import get_settings
from cms.store.outages import StoreUnavailableError

backup_app = typer.Typer(
    help="Back up the embedded store while it serves, and restore a backup.",
    no_args_is_help=True,
)

BackupFile = Annotated[
    Path, typer.Argument(metavar="FILE", help="The backup file.", show_default=False)
]


def _embedded_data_dir() -> tuple[Path, str]:
    settings = get_settings()
    if settings.mongodb_uri:
        fail(backups.MONGODB_BACKUP.format(database=settings.database))
    return settings.data_dir, settings.database


@backup_app.command()
def create(file: BackupFile) -> None:
    """Write a consistent snapshot of the embedded store to FILE (a new file), even while the
    API serves and writes."""
    data_dir, database = _embedded_data_dir()
    try:
        snapshot = backups.create(data_dir=data_dir, database=database, destination=file)
    except (backups.BackupError, StoreUnavailableError) as error:
        fail(str(error))
    console.print(
        f"Backed up {snapshot.documents:,} documents ({snapshot.bytes / 1e6:.1f} MB) to "
        f"{escape(str(snapshot.path))} in {snapshot.seconds:.2f}s. It holds API token hashes "
        "and webhook secrets: keep it as private as the store.",
        soft_wrap=True,
    )


@backup_app.command()
def restore(file: BackupFile) -> None:
    """Make FILE the embedded store. Refused while any Newsroom process uses the data
    directory; the store it replaces is kept beside it."""
    data_dir, database = _embedded_data_dir()
    try:
        documents, kept = backups.restore(data_dir=data_dir, database=database, source=file)
    except (backups.BackupError, StoreUnavailableError) as error:
        fail(str(error))
    console.print(
        f"Restored {documents:,} documents from {escape(str(file))} into {escape(str(data_dir))}.",
        soft_wrap=True,
    )
    if kept is not None:
        console.print(f"The store it replaced is kept as {escape(str(kept))}.", soft_wrap=True)
