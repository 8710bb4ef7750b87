"""Keeping the embedded server running while this process uses it.

Every process that uses a data directory's server (the one that started it, and any that only
found it running) checks a few times a second that a server still holds the directory's lock. If
none does (it was killed, or it crashed), the process starts it again on the same port with the
same password, so that every PyMongo client of every process reconnects to it on its own: no
process has to restart. When several notice at once, the lock lets one server start; the others
use it. The process that started a server owns it as described in `cms.store.embedded`.

A server that keeps failing as soon as it starts (its file was damaged under it, say) is not
started for ever: after `MAX_QUICK_FAILURES` quick failures in a row the supervisor gives up and
says why (`failure`, which `/healthz` reports). A store file that disappears while in use is not
replaced by an empty one (`cms.store.storefile`).
"""

import asyncio
import contextlib
import fcntl
import json
import logging
import sys
import time
from pathlib import Path
from typing import IO

from cms.store.datadir import (
    START_TIMEOUT,
    Endpoint,
    lock,
    recorded_uri,
    running_server_uri,
    server_running,
)
from cms.store.outages import StoreUnavailableError
from cms.store.storefile import StoreFileError

log = logging.getLogger(__name__)

WATCH_INTERVAL = 0.25
MAX_RETRY_DELAY = 30.0
# A server that stops sooner than this after it started failed quickly; this many quick
# failures in a row (stops, or starts that fail for good) and the supervisor gives up.
QUICK_FAILURE = 30.0
MAX_QUICK_FAILURES = 5


class Supervisor:
    """Finds or starts the server of `data_dir`, restarts it if it dies, and lets it go."""

    def __init__(self, data_dir: Path, users: IO[str]) -> None:
        self.data_dir = data_dir
        self.users = users  # shared-locked by the caller while it uses the server
        self.process: asyncio.subprocess.Process | None = None  # the server we started, if any
        # Why the supervisor gave up restarting the server, once it has.
        self.failure: str | None = None
        self._watch: asyncio.Task[None] | None = None

    async def start(self) -> str:
        """The server's URI, once it answers; watched from now on."""
        uri = await running_server_uri(self.data_dir)
        if uri is not None:
            log.info("Using the embedded store already running for %s", self.data_dir)
        else:
            # A server that was killed left its URI: take its port and password again if we
            # can, in case another process still holds that URI and waits for it to come back.
            endpoint = Endpoint.of(recorded_uri(self.data_dir) or "") or Endpoint.new()
            uri = await self._launch(endpoint, any_port=True)
        self._watch = asyncio.create_task(self._keep(uri), name="newsroom-embedded-store")
        return uri

    async def stop(self) -> None:
        """Stop watching; let our server go: now, or when the last other user is done."""
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        if self.process is not None:
            await _stop(self.process, self.users)

    async def _keep(self, uri: str) -> None:
        endpoint = Endpoint.of(uri)
        if endpoint is None:  # a server of an older Newsroom, which this one cannot restart
            return
        failures, started = 0, time.monotonic()
        while True:
            await asyncio.sleep(WATCH_INTERVAL)
            if server_running(self.data_dir):
                continue
            lived = time.monotonic() - started
            failures = failures + 1 if lived < QUICK_FAILURE else 1
            log.warning("The embedded store in %s stopped; starting it again", self.data_dir)
            running = await self._restart(endpoint, failures, f"it stopped after {lived:.1f} s")
            if running is None:
                return
            started = time.monotonic()
            if running == uri:
                log.info("The embedded store in %s is back", self.data_dir)
            else:
                log.error(
                    "The embedded store in %s came back on another port: this process cannot "
                    "reach it until it is restarted",
                    self.data_dir,
                )

    async def _restart(self, endpoint: Endpoint, failures: int, why: str) -> str | None:
        """Start the server again on its port; None once it has failed quickly too often."""
        delay = WATCH_INTERVAL
        while failures <= MAX_QUICK_FAILURES:
            if self.process is not None:  # the server that died was ours
                await _reap(self.process, kill=True)
                self.process = None
            try:
                return await self._launch(endpoint, any_port=False, existing=True)
            except StoreFileError as error:
                # Starting it again as it is fails again the same way: counted.
                failures, why = failures + 1, str(error)
            # Whatever else failed (a port still taken, no process slots), the watch must go
            # on: it is all that brings the store back.
            except Exception as error:
                why = str(error)
            log.warning("%s Trying again in %.1f s.", why, delay)
            await asyncio.sleep(delay)
            delay = min(2 * delay, MAX_RETRY_DELAY)
        self.failure = (
            f"The embedded store in {self.data_dir} failed {MAX_QUICK_FAILURES} times in a row "
            f"and is no longer restarted (the last time: {why}). Repair it, then restart "
            "Newsroom."
        )
        log.error("%s", self.failure)
        return None

    async def _launch(self, endpoint: Endpoint, *, any_port: bool, existing: bool = False) -> str:
        """Start a server on the endpoint's port (else on any, if allowed); its URI.

        If another process started one first, that one's URI. `existing`: the store file was
        there when this process started using it, and must still be. StoreFileError if the
        file cannot be used.
        """
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cms.store.embedded",
            str(self.data_dir),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            # Out of the terminal's process group: Ctrl+C stops the API, which drains its
            # requests and only then closes our stdin; the store must not stop under them.
            start_new_session=True,
        )
        assert process.stdin is not None
        assert process.stdout is not None
        ports = [endpoint.port, 0] if any_port and endpoint.port else [endpoint.port]
        # The password goes through the pipe: a command line or environment can be read by
        # other users (`ps`) or inherited.
        config = {"ports": ports, "password": endpoint.password, "existing": existing}
        try:
            process.stdin.write(json.dumps(config).encode() + b"\n")
            with contextlib.suppress(ConnectionError):  # it died at once: its reply says why
                await process.stdin.drain()
            line = await asyncio.wait_for(process.stdout.readline(), START_TIMEOUT)
        except TimeoutError as error:
            await _reap(process, kill=True)
            raise StoreUnavailableError(
                f"The embedded store in {self.data_dir} did not start in {START_TIMEOUT:.0f}s."
            ) from error
        except BaseException:
            await _reap(process, kill=True)
            raise
        reply = json.loads(line) if line else {"error": f"exited with {await process.wait()}"}
        if "uri" in reply:
            self.process = process
            uri: str = reply["uri"]
            return uri
        await _reap(process)
        if reply.get("error") == "locked":
            # Another process started a server between our check and now: use that one.
            running = await running_server_uri(self.data_dir)
            if running is None:
                raise StoreUnavailableError(f"The embedded store in {self.data_dir} is locked.")
            return running
        if reply.get("fatal"):
            raise StoreFileError(reply["error"])
        raise StoreUnavailableError(f"The embedded store did not start: {reply['error']}.")


async def _reap(process: asyncio.subprocess.Process, *, kill: bool = False) -> None:
    """Wait for a server that failed or died (killing it first if asked), closing its pipes."""
    if kill and process.returncode is None:
        process.kill()
    if process.stdin is not None:
        process.stdin.close()
    await process.wait()


async def _stop(process: asyncio.subprocess.Process, users: IO[str]) -> None:
    """Let our server go: it stops now, or when the last other process using it is done."""
    fcntl.flock(users, fcntl.LOCK_UN)
    assert process.stdin is not None
    process.stdin.close()
    for _ in range(2):
        if not lock(users, fcntl.LOCK_EX):
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
