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
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Any

from cms.errors import StoreUnavailableError

log = logging.getLogger(__name__)

STORE_FILE = "store.sqlite"
LOCK_FILE = "store.lock"
URI_FILE = "store.uri"
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


def _try_lock(data_dir: Path) -> IO[str] | None:
    """Take the data directory's server lock, or return None if a live server holds it."""
    handle = (data_dir / LOCK_FILE).open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def _running_server_uri(data_dir: Path) -> str | None:
    lock = _try_lock(data_dir)
    if lock is not None:
        lock.close()
        return None
    with contextlib.suppress(OSError):
        uri = (data_dir / URI_FILE).read_text().strip()
        return uri or None
    return None


async def _serve(data_dir: Path) -> int:
    """The child process: hold the lock, serve, print the URI, stop when stdin closes."""
    lock = _try_lock(data_dir)
    if lock is None:
        print(json.dumps({"error": "locked"}), flush=True)
        return 3
    patch_mongoeco_insert_scan()
    from mongoeco.engines.sqlite import SQLiteEngine
    from mongoeco.wire import AsyncMongoEcoProxyServer

    server = AsyncMongoEcoProxyServer(
        engine=SQLiteEngine(str(data_dir / STORE_FILE)), host="127.0.0.1", port=0
    )
    address = await server.start()
    (data_dir / URI_FILE).write_text(address.uri)
    print(json.dumps({"uri": address.uri}), flush=True)

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    stdin_closed = loop.run_in_executor(None, sys.stdin.buffer.read)
    stdin_closed.add_done_callback(lambda _: stop.set())
    await stop.wait()
    await server.close()
    with contextlib.suppress(OSError):
        (data_dir / URI_FILE).unlink()
    lock.close()
    # The stdin reader thread may still be blocked; nothing is left to flush.
    os._exit(0)


@contextlib.asynccontextmanager
async def embedded_server(data_dir: Path) -> AsyncIterator[str]:
    """Yield the URI of the embedded server for `data_dir`, starting one if none runs."""
    data_dir.mkdir(parents=True, exist_ok=True)
    uri = _running_server_uri(data_dir)
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
        # Out of the terminal's process group: Ctrl+C stops the API, which drains its requests
        # and only then closes our stdin; the store must not stop under those requests.
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
            uri = _running_server_uri(data_dir)
            if uri is None:
                raise StoreUnavailableError(f"The embedded store in {data_dir} is locked.")
            yield uri
            return
        if "uri" not in reply:
            raise StoreUnavailableError(f"The embedded store did not start: {reply['error']}.")
        yield reply["uri"]
    finally:
        if process.returncode is None:
            assert process.stdin is not None
            process.stdin.close()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Newsroom's embedded MongoDB-wire store.")
    parser.add_argument("data_dir", type=Path)
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    sys.exit(asyncio.run(_serve(args.data_dir)))


if __name__ == "__main__":
    main()
