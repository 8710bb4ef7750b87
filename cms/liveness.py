"""Which Newsroom processes are alive: a heartbeat document each, refreshed every few seconds.

Writes in flight are recorded with their process (`journal`, `loads`); the sweeps complete only
those of processes that stopped beating, never those of a process that is merely slow. A busy
machine can take longer than any fixed grace period over one request, and completing a write
while its own process is still applying it would risk applying a change twice.
"""

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta

from beanie import Document

from cms.clock import utcnow

# This process, as journal entries and loads name it.
PROCESS_ID = uuid.uuid4().hex
BEAT_EVERY = 5.0
# A process that has not beaten for this long is taken for dead.
SILENCE = timedelta(seconds=30)


class Process(Document):
    id: str  # type: ignore[assignment]
    seen: datetime
    pid: int
    host: str

    class Settings:
        name = "processes"


async def beat() -> None:
    await Process.get_pymongo_collection().update_one(
        {"_id": PROCESS_ID},
        {"$set": {"seen": utcnow(), "pid": os.getpid(), "host": socket.gethostname()}},
        upsert=True,
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


async def prune() -> None:
    """Forget processes long gone."""
    await Process.get_pymongo_collection().delete_many({"seen": {"$lt": utcnow() - SILENCE * 10}})
