"""Which Newsroom processes are alive: a heartbeat document each, refreshed every few seconds.

Writes in flight are recorded with their process (`journal`, `loads`); the sweeps complete only
those of processes that stopped beating, never those of a process that is merely slow. A busy
machine can take longer than any fixed grace period over one request, and completing a write
while its own process is still applying it would risk applying a change twice.

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
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from beanie import Document

from cms.clock import utcnow

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
    busy: list[str] | None = None

    class Settings:
        name = "processes"


async def beat() -> None:
    # `seen` and `busy` are taken together, before anything can change either.
    state = {"seen": utcnow(), "busy": sorted(BUSY), "pid": os.getpid()}
    await Process.get_pymongo_collection().update_one(
        {"_id": PROCESS_ID}, {"$set": state | {"host": socket.gethostname()}}, upsert=True
    )


async def _beat_forever(stopping: asyncio.Event) -> None:
    while not stopping.is_set():
        with contextlib.suppress(Exception):  # a store outage: beat again next time
            await beat()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), BEAT_EVERY)


@contextlib.asynccontextmanager
async def heartbeat() -> AsyncIterator[None]:
    """Beat while the block runs; say goodbye at its end, so sweeps need not wait."""
    await beat()
    stopping = asyncio.Event()
    task = asyncio.create_task(_beat_forever(stopping), name="newsroom-heartbeat")
    try:
        yield
    finally:
        stopping.set()
        await task
        with contextlib.suppress(Exception):
            await Process.get_pymongo_collection().delete_one({"_id": PROCESS_ID})


async def alive(owners: Iterable[str]) -> set[str]:
    """Those of `owners` that beat recently."""
    wanted = sorted(set(owners))
    if not wanted:
        return set()
    since = utcnow() - SILENCE
    found = (
        await Process.get_pymongo_collection()
        .find({"_id": {"$in": wanted}, "seen": {"$gte": since}}, {"_id": 1})
        .to_list()
    )
    return {document["_id"] for document in found}


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
    """The last beat of those of `owners` that beat recently (the living ones)."""
    wanted = sorted(set(owners))
    if not wanted:
        return {}
    since = utcnow() - SILENCE
    found = (
        await Process.get_pymongo_collection()
        .find({"_id": {"$in": wanted}, "seen": {"$gte": since}}, {"seen": 1, "busy": 1})
        .to_list()
    )
    return {
        document["_id"]: Beat(
            seen=document["seen"],
            busy=None if document.get("busy") is None else frozenset(document["busy"]),
        )
        for document in found
    }


async def prune() -> None:
    """Forget processes long gone."""
    await Process.get_pymongo_collection().delete_many({"seen": {"$lt": utcnow() - SILENCE * 10}})
