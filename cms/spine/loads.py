"""Loads: many operations (a fixture load) that readers see whole or not at all.

A load of thousands of articles takes a while, and the process running it may die half way.
Readers must then see the old set or the new one, never a mix, and a rerun must complete or
replace it. Without transactions, a load goes in these steps:

0. **One at a time.** A loader holds the load lease (`exclusive`) from before it reads what the
   store holds until its load is merged: a second loader waits for a live one, and first
   completes the load of one that died. Two loads applied at once would each reveal part of
   what the other's articles became.
1. **Stage.** Its operations (each the same journaled operation a single save would be) are
   written in chunks to `load_chunks`. Nothing is applied; nobody can see them.
2. **Commit.** One document in `loads` names the load: from here on it will be completed.
3. **Apply.** Each chunk is applied and announced in bulk (`journal.apply_batch`); its events
   carry the load's id, and readers that show content (`cms.reading.catalog`) hold them back.
4. **Derive.** What is derived from the articles (search, related items: `cms.discovery`) is
   planned and staged beside the live documents (`cms.store.overlay`).
5. **Reveal.** One `load.revealed` event: readers apply the load's events at once, and from then
   on read what it staged.
6. **Merge.** The staged documents become the live ones; one `load.merged` event; the load's
   document goes.

A loader killed before step 2 leaves chunks with no load: the sweep drops them (nothing was
visible). Killed after it, whoever takes the lease next (the sweep of any API process, or the
next loader) applies what is left, derives, reveals and merges it. Every step is idempotent.
"""

import asyncio
import contextlib
import logging
import uuid
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

import bson
from beanie import Document
from bson.codec_options import CodecOptions
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from cms.clock import utcnow
from cms.spine import events, journal, liveness
from cms.spine.events import Event, EventType
from cms.spine.journal import Operation
from cms.store.batches import chunks, delete_in

log = logging.getLogger(__name__)


async def _begin_nothing(
    load_id: str, operations: Sequence[Operation], committed: asyncio.Event
) -> "asyncio.Task[Any] | None":
    return None


async def _stage_nothing(load_id: str) -> bool:
    return False


async def _merge_nothing(load_id: str, position: int) -> list[str]:
    return []


@dataclass(frozen=True, slots=True)
class Derivation:
    """What is derived from a load's articles (search, related items: `cms.discovery`, which
    sits above the spine; `cms.followers` installs it): `begin` may start deriving from the
    operations before they are applied (its task writes nothing before `committed` is set, and
    is cancelled if the load fails), `stage` stages what the load changes beside the live
    documents (whether anything was), `merge` makes it live (`position`: where the log stood
    before the load; what others changed after it is taken in again, and their ids returned:
    `load.merged` names them, for processes that hold what is derived from them to read again)."""

    begin: Callable[
        [str, Sequence[Operation], asyncio.Event], Awaitable["asyncio.Task[Any] | None"]
    ] = _begin_nothing
    stage: Callable[[str], Awaitable[bool]] = _stage_nothing
    merge: Callable[[str, int], Awaitable[list[str]]] = _merge_nothing


_derivation = Derivation()


def derive_with(derivation: Derivation) -> None:
    """Install what every load derives before its reveal (again is harmless)."""
    global _derivation
    _derivation = derivation


# Operations per chunk, one document each (and one entry in the log, one note for search): a
# chunk costs the store about 90 ms besides its articles (4.5 s of a 10,000-article load in
# chunks of 200). Fewer where its packed operations would pass `PACKED_LIMIT` (long bodies),
# well below the store's 16 MB a document.
CHUNK = 400
PACKED_LIMIT = 8 * 1024 * 1024


class Load(Document):
    """A committed load: its chunks will all be applied, then it is revealed."""

    id: str  # type: ignore[assignment]
    at: datetime
    actor: str
    owner: str
    chunks: int
    operations: int
    # Where the log stood before the load was staged: every event of the load comes after, and
    # whatever others changed after it is taken in again once the load is merged.
    first: int = 0
    # Set once revealed: its staged documents are read first until it is merged.
    revealed: bool = False
    # `first`, noted when it derived (loads from before noted where the log stood then).
    position: int | None = None

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
    # The fastest level: a chunk lives seconds, and level 6 took a third of the loader's own CPU.
    return zlib.compress(encoded, 1)


async def _stage(
    load_id: str, operations: Sequence[Operation], now: datetime
) -> list[list[Operation]]:
    """Write the operations to `load_chunks`; the chunks. `CHUNK` operations at most, halved
    until packed they fit `PACKED_LIMIT` (one operation alone is one chunk however long). Each
    is packed in a thread while the store writes the one before (the loader's CPU and the
    store's side by side: about a third of a second each at 10,000 articles)."""
    staged = LoadChunk.get_pymongo_collection()
    parts: list[list[Operation]] = []
    pending = list(chunks(operations, CHUNK))

    def packing(part: list[Operation]) -> "asyncio.Task[bytes]":
        return asyncio.create_task(asyncio.to_thread(_pack, part))

    next_packed = packing(pending[0]) if pending else None
    try:
        while next_packed is not None:
            part = pending.pop(0)
            packed = await next_packed
            if len(packed) > PACKED_LIMIT and len(part) > 1:
                half = len(part) // 2
                pending[:0] = [part[:half], part[half:]]
                next_packed = packing(pending[0])
                continue
            next_packed = packing(pending[0]) if pending else None
            index = len(parts)
            await staged.insert_one(
                {
                    "_id": f"{load_id}:{index:06d}",
                    "load": load_id,
                    "index": index,
                    "at": now,
                    "owner": liveness.PROCESS_ID,
                    "operations": packed,
                }
            )
            parts.append(part)
    finally:
        if next_packed is not None:
            next_packed.cancel()
    return parts


def _unpack(packed: bytes) -> list[Operation]:
    decoded = bson.decode(zlib.decompress(packed), codec_options=_CODEC)
    return [Operation.model_validate(op) for op in decoded["operations"]]


def _batch_id(load_id: str, index: int) -> str:
    """The events of one chunk, one entry in the log whoever applies it (`events.append`)."""
    return f"load:{load_id}:chunk:{index:06d}"


def _announced(load_id: str, actor: str, kind: EventType, data: dict[str, Any]) -> Event:
    return Event(
        event_id=f"load:{load_id}:{kind.value.removeprefix('load.')}",
        type=kind,
        at=utcnow(),
        actor=actor,
        subject=load_id,
        data=data,
    )


LEASE = "load"
# How often a loader looks again at a lease another loader holds.
LEASE_POLL = 0.5


def _leases() -> AsyncCollection[dict[str, Any]]:
    return Load.get_pymongo_collection().database["load_lease"]


async def _take_lease(token: str) -> bool:
    """Take the load lease if it is free or its holder died; whether it is ours now."""
    mine = {"_id": LEASE, "owner": liveness.PROCESS_ID, "token": token, "at": utcnow()}
    with contextlib.suppress(DuplicateKeyError):
        await _leases().insert_one(mine)
        return True
    held = await _leases().find_one({"_id": LEASE})
    if held is None or held["owner"] in await liveness.alive([held["owner"]]):
        return False
    taken = await _leases().replace_one({"_id": LEASE, "token": held["token"]}, mine)
    if taken.matched_count:
        log.warning("Took over the load lease of process %s, which died", held["owner"])
    return bool(taken.matched_count)


@contextlib.asynccontextmanager
async def exclusive() -> AsyncIterator[None]:
    """Hold the load lease while the block runs, waiting for a live loader to finish; a load
    left by one that died is completed first."""
    token = uuid.uuid4().hex
    waiting = False
    while not await _take_lease(token):
        if not waiting:
            log.info("Waiting for another load to finish")
            waiting = True
        await asyncio.sleep(LEASE_POLL)
    try:
        await _complete_left()
        yield
    finally:
        await _leases().delete_one({"_id": LEASE, "token": token})


async def run_load(
    operations: Sequence[Operation],
    *,
    actor: str,
    advance: Callable[[int], None] = lambda _: None,
) -> list[Operation]:
    """Stage, commit, apply, derive, reveal and merge `operations` as one load; those that
    applied. The caller holds the lease (`exclusive`)."""
    if not operations:
        return []
    load_id = uuid.uuid4().hex
    now = utcnow()
    for operation in operations:
        for event in operation.events:
            event.load = load_id
    first = await events.head()
    committed = asyncio.Event()
    # Deriving begins (the articles' text sent for analysis) while the chunks are staged.
    beginning = asyncio.ensure_future(_derivation.begin(load_id, operations, committed))
    deriving: asyncio.Task[Any] | None = None
    try:
        parts = await _stage(load_id, operations, now)
        deriving = await beginning
        await Load.get_pymongo_collection().insert_one(
            {
                "_id": load_id,
                "at": now,
                "actor": actor,
                "owner": liveness.PROCESS_ID,
                "chunks": len(parts),
                "operations": len(operations),
                "first": first,
            }
        )
        committed.set()
        applied: list[Operation] = []
        staged = LoadChunk.get_pymongo_collection()
        for index, part in enumerate(parts):
            applied += await journal.apply_batch(part, batch=_batch_id(load_id, index))
            await staged.delete_one({"_id": f"{load_id}:{index:06d}"})
            advance(len(part))
        position = await _derive_and_reveal(load_id, actor, len(applied))
    except BaseException:
        # Whoever completes the load derives it afresh: nothing may write beside them.
        if deriving is None:
            beginning.cancel()
            await asyncio.wait([beginning])
            if not beginning.cancelled() and beginning.exception() is None:
                deriving = beginning.result()
        if deriving is not None:
            deriving.cancel()
            await asyncio.wait([deriving])
        raise
    await _merge(load_id, actor, position)
    return applied


async def _derive_and_reveal(load_id: str, actor: str, count: int) -> int:
    """Stage what is derived from the load, then reveal it; where the log stood before the load
    (what others changed since is taken in again when it is merged)."""
    loads = Load.get_pymongo_collection()
    committed = await loads.find_one({"_id": load_id}, {"first": 1})
    # A load committed before `first` was noted: where the log stands now.
    position = int(committed["first"]) if committed and "first" in committed else None
    if position is None:
        position = await events.head()
    staged = await _derivation.stage(load_id)
    await loads.update_one({"_id": load_id}, {"$set": {"position": position}})
    await _reveal(load_id, actor, count, staged=staged)
    return position


async def _reveal(load_id: str, actor: str, count: int, *, staged: bool) -> None:
    data = {"operations": count, "staged": staged}
    await events.append([_announced(load_id, actor, EventType.LOAD_REVEALED, data)])
    await Load.get_pymongo_collection().update_one({"_id": load_id}, {"$set": {"revealed": True}})


async def _merge(load_id: str, actor: str, position: int) -> None:
    retaken = await _derivation.merge(load_id, position)
    data = {"retaken": retaken} if retaken else {}
    await events.append([_announced(load_id, actor, EventType.LOAD_MERGED, data)])
    await Load.get_pymongo_collection().delete_one({"_id": load_id})


async def in_progress() -> bool:
    """Whether a committed load is still being completed (by its loader, or awaiting a sweep)."""
    return await Load.get_pymongo_collection().find_one({}, {"_id": 1}) is not None


async def unrevealed() -> dict[str, int]:
    """The committed loads not revealed yet, with where the log stood when each was committed."""
    found = Load.get_pymongo_collection().find({"revealed": {"$ne": True}}, {"first": 1})
    return {str(load["_id"]): int(load.get("first", 0)) async for load in found}


async def revealed() -> str | None:
    """The load revealed but not merged yet, if one is: its staged documents are read first."""
    found = await Load.get_pymongo_collection().find_one({"revealed": True}, {"_id": 1})
    return str(found["_id"]) if found else None


async def _complete_left() -> int:
    """Complete the committed loads whose loader died (the lease held); how many."""
    committed = await Load.get_pymongo_collection().find({}).to_list()
    living = await liveness.alive(load["owner"] for load in committed)
    completed = 0
    for load in sorted(committed, key=lambda load: load["at"]):
        if load["owner"] in living:
            continue  # from before loads took the lease: its own loader finishes it
        await _complete(load)
        log.warning("Completed load %s left unfinished by its process", load["_id"])
        completed += 1
    return completed


async def _complete(load: dict[str, Any]) -> None:
    """Finish a committed load from wherever its loader stopped."""
    load_id, actor = load["_id"], load["actor"]
    revealed_id = _announced(load_id, actor, EventType.LOAD_REVEALED, {}).event_id
    if load.get("revealed") or await events.recorded(revealed_id):
        # Revealed (its loader may have died before noting so, or even before the event was
        # stored: appending it again stores it once): its staged documents are being read.
        await _reveal(load_id, actor, int(load["operations"]), staged=True)
        position = int(load["position"])
    else:
        staged = LoadChunk.get_pymongo_collection()
        parts = await staged.find({"load": load_id}).sort("index", ASCENDING).to_list()
        for part in parts:
            await journal.apply_batch(
                _unpack(part["operations"]), batch=_batch_id(load_id, part["index"])
            )
            await staged.delete_one({"_id": part["_id"]})
        # What its loader applied before it died is not known here: the load's size.
        position = await _derive_and_reveal(load_id, actor, int(load["operations"]))
    await _merge(load_id, actor, position)


async def sweep(*, older_than: timedelta) -> int:
    """Complete committed loads whose loader died, and drop uncommitted ones; how many completed.

    Only loads older than `older_than` whose process stopped beating (`cms.spine.liveness`) are
    touched, and only if no live loader holds the lease (it completes them itself): a live
    loader, however slow, finishes its own.
    """
    cutoff = utcnow() - older_than
    staged = LoadChunk.get_pymongo_collection()
    committed = await Load.get_pymongo_collection().find({}).to_list()
    orphans = await staged.find({"at": {"$lte": cutoff}}, {"load": 1, "owner": 1}).to_list()
    living = await liveness.alive(
        [load["owner"] for load in committed] + [chunk["owner"] for chunk in orphans]
    )
    completed = 0
    if any(load["owner"] not in living and load["at"] <= cutoff for load in committed):
        token = uuid.uuid4().hex
        if await _take_lease(token):
            try:
                completed = await _complete_left()
            finally:
                await _leases().delete_one({"_id": LEASE, "token": token})
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
