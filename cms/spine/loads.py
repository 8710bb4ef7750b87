"""Loads: many operations (a fixture load) that readers see whole or not at all.

A load of thousands of articles takes a while, and the process running it may die half way.
Readers must then see the old set or the new one, never a mix, and a rerun must complete or
replace it. Without transactions, a load goes in four steps:

1. **Stage.** Its operations (each the same journaled operation a single save would be) are
   written in chunks to `load_chunks`. Nothing is applied; nobody can see them.
2. **Commit.** One document in `loads` names the load: from here on it will be completed.
3. **Apply.** Each chunk is applied and announced in bulk (`journal.apply_batch`); its events
   carry the load's id, and readers that show content (`cms.reading.catalog`) hold them back.
4. **Reveal.** One `load.revealed` event: readers apply the load's events at once.

A loader killed before step 2 leaves chunks with no load: the sweep drops them (nothing was
visible). Killed after it, the sweep applies what is left and reveals it. Every step is
idempotent, so the sweep and a late loader may overlap harmlessly.
"""

import logging
import uuid
import zlib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

import bson
from beanie import Document
from bson.codec_options import CodecOptions
from pymongo import ASCENDING, IndexModel

from cms.clock import utcnow
from cms.spine import events, journal, liveness
from cms.spine.events import Event, EventType
from cms.spine.journal import Operation
from cms.store.batches import chunks, delete_in

log = logging.getLogger(__name__)

# Operations per chunk: one document each, far below the 16 MB limit even with long bodies.
CHUNK = 200


class Load(Document):
    """A committed load: its chunks will all be applied, then it is revealed."""

    id: str  # type: ignore[assignment]
    at: datetime
    actor: str
    owner: str
    chunks: int
    operations: int

    class Settings:
        name = "loads"


class LoadChunk(Document):
    """Some of a load's operations, staged until the load is committed and applied."""

    id: str  # type: ignore[assignment]  # "<load>:<index>"
    load: str
    index: int
    at: datetime
    owner: str
    # The operations as JSON, compressed: a chunk is written once and read once, and every
    # byte stored costs the embedded store time to encode.
    operations: bytes

    class Settings:
        name = "load_chunks"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("load", ASCENDING), ("index", ASCENDING)]),
            IndexModel([("at", ASCENDING)]),
        ]


# BSON, so that ids and dates come back as they went (JSON would make them strings).
_CODEC: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)


def _pack(operations: Sequence[Operation]) -> bytes:
    encoded = bson.encode({"operations": [op.model_dump(by_alias=True) for op in operations]})
    return zlib.compress(encoded, 6)


def _unpack(packed: bytes) -> list[Operation]:
    decoded = bson.decode(zlib.decompress(packed), codec_options=_CODEC)
    return [Operation.model_validate(op) for op in decoded["operations"]]


def _revealed(load_id: str, actor: str, count: int) -> Event:
    return Event(
        event_id=f"load:{load_id}:revealed",
        type=EventType.LOAD_REVEALED,
        at=utcnow(),
        actor=actor,
        subject=load_id,
        data={"operations": count},
    )


async def run_load(
    operations: Sequence[Operation],
    *,
    actor: str,
    advance: Callable[[int], None] = lambda _: None,
    before_reveal: Callable[[], Awaitable[object]] | None = None,
) -> list[Operation]:
    """Stage, commit, apply and reveal `operations` as one load; those that applied.

    `before_reveal` runs once everything is applied, before readers see the load (for what is
    built from a whole load at once: the search index, related lists).
    """
    if not operations:
        return []
    load_id = uuid.uuid4().hex
    now = utcnow()
    parts = list(chunks(operations, CHUNK))
    for operation in operations:
        for event in operation.events:
            event.load = load_id
    staged = LoadChunk.get_pymongo_collection()
    for index, part in enumerate(parts):
        await staged.insert_one(
            {
                "_id": f"{load_id}:{index:06d}",
                "load": load_id,
                "index": index,
                "at": now,
                "owner": liveness.PROCESS_ID,
                "operations": _pack(part),
            }
        )
    await Load.get_pymongo_collection().insert_one(
        {
            "_id": load_id,
            "at": now,
            "actor": actor,
            "owner": liveness.PROCESS_ID,
            "chunks": len(parts),
            "operations": len(operations),
        }
    )
    applied: list[Operation] = []
    for index, part in enumerate(parts):
        applied += await journal.apply_batch(part)
        await staged.delete_one({"_id": f"{load_id}:{index:06d}"})
        advance(len(part))
    if before_reveal is not None:
        await before_reveal()
    await _reveal(load_id, actor, len(applied))
    return applied


async def _reveal(load_id: str, actor: str, count: int) -> None:
    await events.append([_revealed(load_id, actor, count)])
    await Load.get_pymongo_collection().delete_one({"_id": load_id})


async def in_progress() -> bool:
    """Whether a committed load is still being applied (by its loader, or awaiting a sweep)."""
    return await Load.get_pymongo_collection().find_one({}, {"_id": 1}) is not None


async def sweep(*, older_than: timedelta) -> int:
    """Complete committed loads whose loader died, and drop uncommitted ones; how many completed.

    Only loads older than `older_than` whose process stopped beating (`cms.spine.liveness`) are
    touched: a live loader, however slow, finishes its own.
    """
    cutoff = utcnow() - older_than
    staged = LoadChunk.get_pymongo_collection()
    committed = await Load.get_pymongo_collection().find({}).to_list()
    orphans = await staged.find({"at": {"$lte": cutoff}}, {"load": 1, "owner": 1}).to_list()
    living = await liveness.alive(
        [load["owner"] for load in committed] + [chunk["owner"] for chunk in orphans]
    )
    completed = 0
    for load in committed:
        if load["owner"] in living or load["at"] > cutoff:
            continue
        count = 0
        parts = await staged.find({"load": load["_id"]}).sort("index", ASCENDING).to_list()
        for part in parts:
            operations = _unpack(part["operations"])
            count += len(await journal.apply_batch(operations))
            await staged.delete_one({"_id": part["_id"]})
        await _reveal(load["_id"], load["actor"], count)
        log.warning("Completed load %s left unfinished by its process", load["_id"])
        completed += 1
    loads = {load["_id"] for load in committed}
    abandoned = [
        chunk["_id"]
        for chunk in orphans
        if chunk["load"] not in loads and chunk["owner"] not in living
    ]
    if abandoned:
        await delete_in(staged, "_id", abandoned)
        log.warning("Dropped %d staged chunks of loads that were never committed", len(abandoned))
    return completed
