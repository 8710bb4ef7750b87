"""Checking the embedded store's file before a server opens it.

SQLite takes an empty file for an empty database, and mongoeco then builds a new store in it: a
zero-byte `store.sqlite` (a failed copy, a full disk) would come up as an empty site with every
token and vote gone, and nobody told. A damaged file fails deep inside mongoeco with a traceback,
and a data directory that is a file fails in `mkdir`. Each is refused here with one sentence
saying what is wrong and what to do; a store file that existed is never replaced by a new one.
"""

import sqlite3
import stat
from pathlib import Path

from cms.store.outages import StoreUnavailableError

SQLITE_HEADER = b"SQLite format 3\x00"
# What to do about a file that cannot be opened as the store.
RESTORE = (
    "restore a backup (`newsroom backup restore FILE`), or move the file away to start an "
    "empty store"
)


class StoreFileError(StoreUnavailableError):
    """The store's file or directory cannot be used as it is; starting again will not help."""


def check_data_dir(data_dir: Path) -> None:
    """StoreFileError if `data_dir` exists and is not a directory."""
    if data_dir.exists() and not data_dir.is_dir():
        raise StoreFileError(
            f"NEWSROOM_DATA_DIR ({data_dir}) is a file, not a directory: point it at a "
            "directory (it is created if missing)."
        )


def check_store_file(path: Path, *, deep: bool, must_exist: bool = False) -> None:
    """StoreFileError unless `path` is missing (and may be) or is a sound SQLite store file.

    `deep` also reads every page (SQLite's `quick_check`): it costs a read of the file, so it
    runs where a server is about to open it, not on every connection.
    """
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        if must_exist:
            raise StoreFileError(
                f"{path} has disappeared while Newsroom was using it; an empty store will not "
                f"be started in its place: {RESTORE}."
            ) from None
        return
    if not stat.S_ISREG(mode):
        raise StoreFileError(f"{path} is not a regular file: {RESTORE}.")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if not header:
        raise StoreFileError(
            f"{path} is empty (0 bytes), so it holds no store; Newsroom will not start an empty "
            f"one in its place: {RESTORE}."
        )
    if header != SQLITE_HEADER:
        raise StoreFileError(f"{path} is not a SQLite database: {RESTORE}.")
    if deep:
        problem = _damage(path, must_hold_store=must_exist)
        if problem:
            raise StoreFileError(f"{path} is damaged ({problem}): {RESTORE}.")


def _damage(path: Path, *, must_hold_store: bool) -> str | None:
    """What SQLite finds wrong with the database, if anything."""
    try:
        # The default data directory (`.newsroom`) is relative, and only an absolute path has a URI.
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return str(error)
    try:
        rows = connection.execute("PRAGMA quick_check(3)").fetchall()
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as error:
        return str(error)
    finally:
        connection.close()
    if rows != [("ok",)]:
        found = " ".join(" ".join(str(row[0]) for row in rows).split())
        return found if len(found) <= 200 else f"{found[:197]}..."
    if (tables or must_hold_store) and "documents" not in tables:
        # Without its tables, a file that held the store (its write-ahead log lost) would be
        # taken for a new, empty one.
        return "a SQLite database, but it holds no embedded store"
    return None
