"""The embedded store: mongoeco's MongoDB wire-protocol server on a SQLite file.

It runs in a child process (`python -m cms.store.embedded DATA_DIR`) so that it uses the second
core instead of the API's event loop, and it is reached over a socket exactly as MongoDB is.
One server serves a data directory: a second Newsroom process (the CLI while `serve` runs, say)
finds the running one through a lock file and connects to it instead of opening the file twice.
The child exits when its parent closes its stdin, so it never outlives the process that started it.
"""

import argparse
import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from cms.errors import StoreUnavailableError

log = logging.getLogger(__name__)

STORE_FILE = "store.sqlite"
LOCK_FILE = "store.lock"
URI_FILE = "store.uri"
USERS_FILE = "store.users"
START_TIMEOUT = 30.0


def patch_mongoeco_insert_scan() -> None:
    """Stop mongoeco 4.11 from scanning the whole collection on every insert.

    mongoeco re-checks `_id` equality across numeric types by decoding every stored document,
    even for ObjectId and string ids, which can never equal a number: inserts cost O(collection)
    (214 ms each at 10k documents). MongoDB needs no such scan. Only ids that contain a number
    keep the scan. mongoeco is pinned exactly because this wraps a private method;
    tests/test_embedded_store.py fails if the scan comes back.
    """
    from mongoeco.core.identity import id_contains_numeric_value
    from mongoeco.engines.sqlite import SQLiteEngine

    original: Callable[..., None] = SQLiteEngine._validate_document_against_unique_indexes
    if getattr(original, "_newsroom_patched", False):
        return

    def validate(self: Any, db_name: str, coll_name: str, document: Any, **kwargs: Any) -> None:
        if kwargs.get("scan_payload_id") and not id_contains_numeric_value(document.get("_id")):
            kwargs["scan_payload_id"] = False
        original(self, db_name, coll_name, document, **kwargs)

    validate._newsroom_patched = True  # type: ignore[attr-defined]
    setattr(SQLiteEngine, "_validate_document_against_unique_indexes", validate)  # noqa: B010


def _lock(handle: IO[str], operation: int) -> bool:
    """flock without blocking: True if taken."""
    try:
        fcntl.flock(handle, operation | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _server_running(data_dir: Path) -> bool:
    """Whether a server holds the data directory's lock (a shared probe, released at once)."""
    with (data_dir / LOCK_FILE).open("a+") as handle:
        return not _lock(handle, fcntl.LOCK_SH)


async def _answers(uri: str) -> bool:
    address = urlsplit(uri)
    try:
        _, writer = await asyncio.open_connection(address.hostname, address.port)
    except OSError:
        return False
    writer.close()
    await writer.wait_closed()
    return True


async def _running_server_uri(data_dir: Path) -> str | None:
    """The URI of the server running for `data_dir`, once it answers; None if none runs."""
    deadline = time.monotonic() + START_TIMEOUT
    while _server_running(data_dir):
        with contextlib.suppress(OSError):
            uri = (data_dir / URI_FILE).read_text().strip()
            if uri and await _answers(uri):
                return uri
        if time.monotonic() > deadline:
            raise StoreUnavailableError(f"The embedded store in {data_dir} does not answer.")
        await asyncio.sleep(0.05)  # it is starting: the URI file comes once it listens
    return None


async def _serve(data_dir: Path) -> int:
    """The child process: hold the lock, serve, print the URI, stop when stdin closes.

    On stdin's end it first waits until no other process uses the server (each user holds a
    shared lock on the users file), so a process that found this server running keeps it.
    """
    lock = (data_dir / LOCK_FILE).open("a+")
    # Retry briefly: a client's probe of the lock may hold it for an instant.
    deadline = time.monotonic() + 2
    while not _lock(lock, fcntl.LOCK_EX):
        if time.monotonic() > deadline:
            print(json.dumps({"error": "locked"}), flush=True)
            return 3
        await asyncio.sleep(0.05)
    uri_file = data_dir / URI_FILE
    uri_file.unlink(missing_ok=True)  # left by a server that was killed
    patch_mongoeco_insert_scan()
    from mongoeco.engines.sqlite import SQLiteEngine
    from mongoeco.wire import AsyncMongoEcoProxyServer

    server = AsyncMongoEcoProxyServer(
        engine=SQLiteEngine(str(data_dir / STORE_FILE)), host="127.0.0.1", port=0
    )
    address = await server.start()
    partial = uri_file.with_suffix(".partial")
    partial.write_text(address.uri)
    partial.replace(uri_file)  # readers never see half a URI
    print(json.dumps({"uri": address.uri}), flush=True)

    loop = asyncio.get_running_loop()
    signalled = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, signalled.set)
    signal_wait: asyncio.Future[Any] = asyncio.ensure_future(signalled.wait())
    stdin_closed: asyncio.Future[Any] = loop.run_in_executor(None, sys.stdin.buffer.read)
    await asyncio.wait([stdin_closed, signal_wait], return_when=asyncio.FIRST_COMPLETED)
    if not signalled.is_set():
        users = (data_dir / USERS_FILE).open("a+")
        no_users: asyncio.Future[Any] = loop.run_in_executor(
            None, fcntl.flock, users, fcntl.LOCK_EX
        )
        await asyncio.wait([no_users, signal_wait], return_when=asyncio.FIRST_COMPLETED)
    await server.close()
    uri_file.unlink(missing_ok=True)
    # Threads may still block on stdin or the users lock; exiting releases every lock.
    os._exit(0)


async def _stop(process: asyncio.subprocess.Process, users: IO[str]) -> None:
    """Let our server go: it stops now, or when the last other process using it is done."""
    fcntl.flock(users, fcntl.LOCK_UN)
    assert process.stdin is not None
    process.stdin.close()
    for _ in range(2):
        if not _lock(users, fcntl.LOCK_EX):
            # Another process uses the server, or the server itself is stopping: either way
            # it stops on its own once nobody uses it.
            log.info("The embedded store stops once no other process uses it")
            return
        fcntl.flock(users, fcntl.LOCK_UN)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 10)
            return
    process.kill()
    await process.wait()


@contextlib.asynccontextmanager
async def embedded_server(data_dir: Path) -> AsyncIterator[str]:
    """Yield the URI of the embedded server for `data_dir`, starting one if none runs."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with (data_dir / USERS_FILE).open("a+") as users:
        # Shared while we use a server; a server that is stopping holds it exclusively.
        await asyncio.to_thread(fcntl.flock, users, fcntl.LOCK_SH)
        uri = await _running_server_uri(data_dir)
        if uri is not None:
            log.info("Using the embedded store already running for %s", data_dir)
            yield uri
            return
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cms.store.embedded",
            str(data_dir),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            # Out of the terminal's process group: Ctrl+C stops the API, which drains its
            # requests and only then closes our stdin; the store must not stop under them.
            start_new_session=True,
        )
        try:
            assert process.stdout is not None
            try:
                line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
            except TimeoutError as error:
                raise StoreUnavailableError(
                    f"The embedded store in {data_dir} did not start in {START_TIMEOUT:.0f}s."
                ) from error
            reply = json.loads(line) if line else {"error": f"exited with {await process.wait()}"}
            if reply.get("error") == "locked":
                # Another process started a server between our check and now: use that one.
                uri = await _running_server_uri(data_dir)
                if uri is None:
                    raise StoreUnavailableError(f"The embedded store in {data_dir} is locked.")
                yield uri
                return
            if "uri" not in reply:
                raise StoreUnavailableError(f"The embedded store did not start: {reply['error']}.")
            yield reply["uri"]
        finally:
            if process.returncode is None:
                await _stop(process, users)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Newsroom's embedded MongoDB-wire store.")
    parser.add_argument("data_dir", type=Path)
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    sys.exit(asyncio.run(_serve(args.data_dir)))


if __name__ == "__main__":
    main()
