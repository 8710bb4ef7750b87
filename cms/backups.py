"""Backups of the embedded store: a consistent snapshot while it serves, and a guarded restore.

The embedded store is one SQLite file in write-ahead-log mode. SQLite's online backup API copies
it in one read transaction, so the copy is the store as it was at one instant, whatever is being
written meanwhile (readers never block the writer in WAL mode), and never a mix: a vote is both
of its writes or neither, and one cut half way (a journal entry in flight) is completed by the
sweep once the restored store is served. Copying the file with `cp` while it is open is not that.

A restore replaces the store, so it refuses while any Newsroom process uses the data directory
(each holds a shared lock on `store.users` and a running server an exclusive one on
`store.lock`), checks the backup first, and keeps the store it replaces beside it.

MongoDB has its own tools for this (`mongodump`, `mongorestore`); Newsroom points to them.
"""

import fcntl
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cms.errors import CallerError
from cms.store.datadir import LOCK_FILE, STORE_FILE, USERS_FILE, lock, make_private, open_private
from cms.store.storefile import StoreFileError, check_store_file

MONGODB_BACKUP = (
    'The store is MongoDB: back it up with MongoDB\'s own tools, e.g. `mongodump --uri "$URI" '
    "--db {database} --gzip --archive=FILE` (add `--oplog` on a replica set, for a snapshot of "
    'one instant) and restore with `mongorestore --uri "$URI" --gzip --archive=FILE --drop`.'
)


class BackupError(CallerError):
    """A backup or restore that cannot be done as asked (the message says why and what to do)."""


@dataclass(frozen=True, slots=True)
class Snapshot:
    path: Path
    bytes: int
    documents: int
    seconds: float


def _copy(source: Path, destination: Path) -> None:
    """`source` as one consistent SQLite snapshot into a new file `destination` (owner-only),
    written whole or not at all."""
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        reading = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
        writing = sqlite3.connect(partial)
        try:
            # All pages in one step: one read transaction, so one instant of the store.
            reading.backup(writing)
            # A store file, not a write-ahead log beside it: one file to keep or move.
            writing.execute("PRAGMA journal_mode=DELETE")
        finally:
            writing.close()
            reading.close()
        with partial.open("rb") as handle:
            os.fsync(handle.fileno())
        partial.rename(destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _documents(path: Path, database: str) -> int | None:
    """How many documents `path` holds in `database`; None if it holds no such database."""
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        names = {row[0] for row in connection.execute("SELECT DISTINCT db_name FROM collections")}
        if database not in names:
            return None
        (count,) = connection.execute(
            "SELECT COUNT(*) FROM documents WHERE db_name = ?", (database,)
        ).fetchone()
        return int(count)
    finally:
        connection.close()


def create(*, data_dir: Path, database: str, destination: Path) -> Snapshot:
    """Write a snapshot of the embedded store in `data_dir` to `destination` (a new file)."""
    started = time.monotonic()
    store = data_dir / STORE_FILE
    if os.path.lexists(destination):
        raise BackupError(f"{destination} exists already; a backup never overwrites a file.")
    if not store.exists():
        raise BackupError(f"There is no embedded store in {data_dir} to back up.")
    check_store_file(store, deep=False)
    _copy(store, destination)
    documents = _documents(destination, database) or 0
    return Snapshot(destination, destination.stat().st_size, documents, time.monotonic() - started)


def _check_backup(source: Path, database: str) -> int:
    """How many documents the backup holds; BackupError if it is not one to restore."""
    try:
        check_store_file(source, deep=True, must_exist=True)
    except StoreFileError as error:
        # Its advice is about the live store; the backup itself is what is wrong here.
        raise BackupError(str(error).split(": restore")[0] + ": not a backup to restore.") from None
    documents = _documents(source, database)
    if documents is None:
        raise BackupError(f"{source} holds no database {database!r}; nothing was restored.")
    return documents


def restore(*, data_dir: Path, database: str, source: Path) -> tuple[int, Path | None]:
    """Make the backup `source` the embedded store of `data_dir`; how many documents it holds,
    and where the store it replaced was kept (None if there was none)."""
    documents = _check_backup(source, database)
    make_private(data_dir)
    with open_private(data_dir / USERS_FILE) as users, open_private(data_dir / LOCK_FILE) as held:
        # Both held for the whole swap: no process can start using the store meanwhile.
        if not (lock(users, fcntl.LOCK_EX) and lock(held, fcntl.LOCK_EX)):
            raise BackupError(
                f"Newsroom is running on {data_dir} (`newsroom serve` or another command uses "
                "its store): stop it, then restore."
            )
        store = data_dir / STORE_FILE
        kept = None
        if store.exists():
            moment = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = data_dir / f"{STORE_FILE}.before-restore-{moment}"
            # Through SQLite, so that what its write-ahead log held is kept too.
            _copy(store, kept)
            for leftover in (f"{STORE_FILE}-wal", f"{STORE_FILE}-shm", STORE_FILE):
                (data_dir / leftover).unlink(missing_ok=True)
        _copy(source, store)
    return documents, kept
