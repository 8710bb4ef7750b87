"""The embedded store's data directory: its files, the locks on them, and the server's address.

Everything here is the owner's alone: the directory is 0700 and its files 0600, and the server
asks for a password, kept only in the URI file, so that another local user can neither read the
SQLite file nor connect to the port.
"""

import asyncio
import contextlib
import fcntl
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal
from urllib.parse import quote, unquote, urlsplit

from cms.store.outages import StoreUnavailableError
from cms.store.storefile import check_data_dir, check_store_file

STORE_FILE = "store.sqlite"
LOCK_FILE = "store.lock"
URI_FILE = "store.uri"
USERS_FILE = "store.users"
START_TIMEOUT = 30.0

HOST = "127.0.0.1"
USER = "newsroom"
# SCRAM-SHA-1 would need MongoDB's MD5 password digest, which mongoeco does not apply.
MECHANISM = "SCRAM-SHA-256"


def make_private(data_dir: Path) -> None:
    """Create `data_dir` if needed and close it and the store's files to everyone but the owner.

    Files that an earlier Newsroom left readable (0644) are closed too.
    """
    check_data_dir(data_dir)
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        data_dir.chmod(0o700)
        for path in data_dir.glob("store.*"):
            with contextlib.suppress(FileNotFoundError):  # a file the server just removed
                path.chmod(0o600)
    except PermissionError as error:
        raise StoreUnavailableError(f"Cannot make {data_dir} private: {error.strerror}.") from error


def _owner_only(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)


def open_private(path: Path, mode: Literal["a+", "w"] = "a+") -> IO[str]:
    """Open (creating it 0600 if missing) one of the store's files."""
    return open(path, mode, opener=_owner_only)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where the embedded server listens and the password it asks for."""

    port: int
    password: str

    @classmethod
    def new(cls) -> "Endpoint":
        """A fresh password, on any free port."""
        return cls(port=0, password=secrets.token_urlsafe(32))

    @classmethod
    def of(cls, uri: str) -> "Endpoint | None":
        """The endpoint in a URI this module wrote; None for anything else."""
        try:
            parts = urlsplit(uri)
            port, password = parts.port, parts.password
        except ValueError:
            return None
        if port is None or not password or parts.username != USER:
            return None
        return cls(port=port, password=unquote(password))

    @property
    def uri(self) -> str:
        # retryWrites=false: mongoeco ignores `txnNumber`, so a write the driver retried after a
        # lost reply could be applied twice. (A standalone server gets no retries anyway; the
        # journal's idempotent changes are what make writes safe to redo.)
        credentials = f"{USER}:{quote(self.password, safe='')}"
        options = (
            f"directConnection=true&authSource=admin&authMechanism={MECHANISM}&retryWrites=false"
        )
        return f"mongodb://{credentials}@{HOST}:{self.port}/?{options}"


def lock(handle: IO[str], operation: int) -> bool:
    """flock without blocking: True if taken."""
    try:
        fcntl.flock(handle, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def server_running(data_dir: Path) -> bool:
    """Whether a server holds the data directory's lock (a shared probe, released at once)."""
    with open_private(data_dir / LOCK_FILE) as handle:
        return not lock(handle, fcntl.LOCK_SH)


def check_before_serving(data_dir: Path) -> None:
    """What the embedded server would refuse when `newsroom serve` starts it, said before the
    app starts (StoreFileError); a file a running server has open is not read through again."""
    check_data_dir(data_dir)
    running = data_dir.is_dir() and server_running(data_dir)
    check_store_file(data_dir / STORE_FILE, deep=not running)


def recorded_uri(data_dir: Path) -> str | None:
    """The URI in the URI file: the running server's, or one left by a server that was killed."""
    try:
        return (data_dir / URI_FILE).read_text().strip() or None
    except OSError:
        return None


def write_uri(data_dir: Path, uri: str) -> None:
    partial = data_dir / "store.partial"
    with open_private(partial, "w") as handle:
        handle.write(uri)
    partial.replace(data_dir / URI_FILE)  # readers never see half a URI


async def _answers(uri: str) -> bool:
    address = urlsplit(uri)
    try:
        _, writer = await asyncio.open_connection(address.hostname, address.port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def running_server_uri(data_dir: Path) -> str | None:
    """The URI of the server running for `data_dir`, once it answers; None if none runs."""
    deadline = time.monotonic() + START_TIMEOUT
    while server_running(data_dir):
        uri = recorded_uri(data_dir)
        if uri and await _answers(uri):
            return uri
        if time.monotonic() > deadline:
            raise StoreUnavailableError(f"The embedded store in {data_dir} does not answer.")
        await asyncio.sleep(0.05)  # it is starting: the URI file comes once it listens
    return None
