"""Which Newsroom processes are alive: a heartbeat document each, refreshed every few seconds.

Writes in flight are recorded with their process (`journal`, `loads`); the sweeps complete only
those of processes that stopped beating, never those of a process that is merely slow. A busy
machine can take longer than any fixed grace period over one request, and completing a write
while its own process is still applying it would risk applying a change twice.

- The beat comes from a thread with a connection of its own, not from the event loop: a loader
  whose loop is busy for minutes with one batch (ranking a whole archive) still beats, so it is
  never taken for dead however long a batch takes.
- A process on this machine (same boot, same PID namespace) that is gone, or whose PID now
  belongs to another program, is dead at once, without waiting for `SILENCE`: a loader killed
  and run again takes over its own load straight away. Elsewhere, silence is the only sign.

A living process can also give a write up half way: its store connection died under it (the
store was killed, the network cut), the request failed, and nothing in that process will touch
the write again. So each beat also says which journal operations the process is working on at
that moment (`busy`): an operation journaled before a beat that does not list it was given up,
and the sweep completes it as it would a dead process's.
"""

import asyncio
import contextlib
import os
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from beanie import Document
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from cms.clock import utcnow
from cms.store.connection import Store

# This process, as journal entries and loads name it.
PROCESS_ID = uuid.uuid4().hex
BEAT_EVERY = 5.0
# A process that has not beaten for this long is taken for dead.
SILENCE = timedelta(seconds=30)
# The journal operations this process is applying now (`cms.spine.journal` keeps it).
BUSY: set[str] = set()


class Process(Document):
    id: str  # type: ignore[assignment]
    seen: datetime
    pid: int
    host: str
    # Where its PID means something (`_machine`), and when that PID's process started: a
    # process found dead here is dead at once.
    machine: str | None = None
    started: str | None = None
    busy: list[str] | None = None

    class Settings:
        name = "processes"


def _machine() -> str | None:
    """This boot of this machine and this PID namespace (Linux); None where unknown."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        return None
    return f"{boot}:{namespace}"


def _started(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot); None if there is none, or a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # After the command name in parentheses: the state (field 3), ..., the start time (22).
    fields = stat.rpartition(")")[2].split()
    return None if fields[0] in {"Z", "X"} else fields[19]


MACHINE = _machine()


def _beat_document() -> dict[str, Any]:
    # `seen` before `busy`, from any thread: an operation journaled before `seen` was marked
    # busy before it (`cms.spine.journal`), so it is in the copy unless it has left the set
    # (applied, or given up). The copy is one step under the interpreter lock.
    seen = utcnow()
    busy = sorted(BUSY.copy())
    return {
        "seen": seen,
        "busy": busy,
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "machine": MACHINE,
        "started": _started(os.getpid()) if MACHINE else None,
    }


async def beat() -> None:
    await Process.get_pymongo_collection().update_one(
        {"_id": PROCESS_ID}, {"$set": _beat_document()}, upsert=True
    )


def _beat_forever(uri: str, database: str, stopping: threading.Event) -> None:
    """The heartbeat thread: its own event loop and client, so a busy event loop in the process
    cannot silence it. An async client: a synchronous one's monitor threads outlive its close,
    and the interpreter's exit waits up to half a second for them (every CLI command did)."""
    asyncio.run(_beat_until(uri, database, stopping))


async def _beat_until(uri: str, database: str, stopping: threading.Event) -> None:
    # Made at the first beat: a command done before it (most are) never connects from here.
    client: AsyncMongoClient[dict[str, Any]] | None = None
    try:
        while not await asyncio.to_thread(stopping.wait, BEAT_EVERY):
            if client is None:
                client = AsyncMongoClient(
                    uri, tz_aware=True, serverSelectionTimeoutMS=5000, connectTimeoutMS=5000
                )
            processes = client[database][Process.Settings.name]
            with contextlib.suppress(PyMongoError):  # a store outage: beat again next time
                await processes.update_one(
                    {"_id": PROCESS_ID}, {"$set": _beat_document()}, upsert=True
                )
    finally:
        if client is not None:
            await client.close()


@contextlib.asynccontextmanager
async def heartbeat(store: Store) -> AsyncIterator[None]:
    """Beat while the block runs (from a thread, with a connection of its own to `store`); say
    goodbye at its end, so sweeps need not wait, unless the store was given up for good (the
    goodbye would only wait the whole store timeout)."""
    uri = store.uri
    await beat()
    database = Process.get_pymongo_collection().database.name
    stopping = threading.Event()
    thread = threading.Thread(
        target=_beat_forever, args=(uri, database, stopping), name="newsroom-heartbeat", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stopping.set()
        await asyncio.to_thread(thread.join)
        if store.failure is None:
            with contextlib.suppress(Exception):
                await Process.get_pymongo_collection().delete_one({"_id": PROCESS_ID})


def _gone(document: Mapping[str, Any]) -> bool:
    """Whether a process that beat recently is known to have ended since (on this machine)."""
    if MACHINE is None or document.get("machine") != MACHINE:
        return False
    started = _started(int(document["pid"]))
    return started is None or started != document.get("started", started)


async def alive(owners: Iterable[str]) -> set[str]:
    """Those of `owners` that beat recently and, if they ran on this machine, still run."""
    wanted = sorted(set(owners))
    if not wanted:
        return set()
    since = utcnow() - SILENCE
    found = (
        await Process.get_pymongo_collection()
        .find(
            {"_id": {"$in": wanted}, "seen": {"$gte": since}},
            {"_id": 1, "pid": 1, "machine": 1, "started": 1},
        )
        .to_list()
    )
    return {document["_id"] for document in found if not _gone(document)}


@dataclass(frozen=True, slots=True)
class Beat:
    """A living process's last beat: when, and the operations it was applying then."""

    seen: datetime
    # None: a process of an older Newsroom, which does not say (taken as busy with everything).
    busy: frozenset[str] | None

    def gave_up(self, op_id: str, journaled: datetime) -> bool:
        """Whether the operation `op_id`, journaled at `journaled` by this process, was given up:
        journaled before this beat, and not among what it was applying then."""
        return self.busy is not None and journaled < self.seen and op_id not in self.busy


async def beats(owners: Iterable[str]) -> dict[str, Beat]:
    """The last beat of those of `owners` that beat recently and, if they ran on this machine,
    still run (the living ones)."""
    wanted = sorted(set(owners))
    if not wanted:
        return {}
    since = utcnow() - SILENCE
    found = (
        await Process.get_pymongo_collection()
        .find(
            {"_id": {"$in": wanted}, "seen": {"$gte": since}},
            {"seen": 1, "busy": 1, "pid": 1, "machine": 1, "started": 1},
        )
        .to_list()
    )
    return {
        document["_id"]: Beat(
            seen=document["seen"],
            busy=None if document.get("busy") is None else frozenset(document["busy"]),
        )
        for document in found
        if not _gone(document)
    }


async def prune() -> None:
    """Forget processes long gone."""
    await Process.get_pymongo_collection().delete_many({"seen": {"$lt": utcnow() - SILENCE * 10}})
