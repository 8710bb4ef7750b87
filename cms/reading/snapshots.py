"""Snapshots of the catalog in the store: a starting process reads one, not every article.

Reading every article's catalog fields costs the embedded store about 0.2 ms an article (20 s at
100,000, docs "Operating at scale"); a snapshot is the catalog's entries packed 2,000 to a
document (compressed BSON), a few dozen reads. It records where the event log stood when it was
taken, and the event there: a starting process builds its catalog from the snapshot and replays
the log from that position (`Feed.replay`), as the process that took it had followed it, before
serving.

A running process takes one (`keep`) once its catalog holds `MIN_ENTRIES` articles and the log
has moved `EVERY_EVENTS` past the last snapshot (or `EVERY_SECONDS` passed with any change). It
takes it between two batches of its feed, and only while no load is held back (its feed holds a
load's events until the load is revealed, and a catalog read during a load holds the load's
articles back): then the entries are exactly what the log up to that position made, which is
what the replay assumes. The snapshot is used only while the log still holds that position
with the same event: a log pruned past it, or another log (a restored backup of only part of the
store), makes the process read every article instead. The store stays the truth: `catalog
rebuild` and the differences check read it again.
"""

import asyncio
import contextlib
import logging
import sys
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any

import bson
from bson import Binary, CodecOptions, ObjectId
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, PyMongoError

from cms.articles import Article
from cms.clock import as_utc, utcnow
from cms.memory import give_back
from cms.reading.catalog import Catalog, Entry, interned
from cms.spine.events import EventReader, bounds
from cms.spine.feed import Feed
from cms.status import ArticleStatus
from cms.store.batches import find_in

log = logging.getLogger(__name__)

COLLECTION = "catalog_snapshots"
HEAD_ID = "head"
# Bumped when a row's layout changes: a snapshot of another format is not read.
FORMAT = 1
CHUNK = 2000
# A catalog smaller than this is read from the articles in about a second: no snapshot.
MIN_ENTRIES = 2000
EVERY_EVENTS = 1000
EVERY_SECONDS = 600
CHECK_SECONDS = 10
_CODEC: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True, tzinfo=UTC)


def collection() -> AsyncCollection[dict[str, Any]]:
    return Article.get_pymongo_collection().database[COLLECTION]


def _row(entry: Entry) -> list[Any]:
    return [
        entry.id,
        entry.slug,
        entry.version,
        entry.status.value,
        entry.published_at,
        entry.section,
        list(entry.tags),
        entry.headline,
        entry.author,
        list(entry.authors),
        entry.updated_at,
        entry.creator,
        entry.unpublish_at,
        list(entry.hero),
    ]


def _entry(row: Sequence[Any]) -> Entry:
    (id_, slug, version, status, published, section, tags, headline) = row[:8]
    author, authors, updated, creator, unpublish, hero = row[8:]
    return Entry(
        id=id_,
        slug=slug,
        version=version,
        status=ArticleStatus(status),
        published_at=published,
        section=sys.intern(section),
        tags=interned(tags),
        headline=headline,
        author=sys.intern(author),
        authors=interned(authors),
        updated_at=updated,
        creator=sys.intern(creator),
        unpublish_at=unpublish,
        hero=(hero[0], hero[1]),
    )


def pack(entries: Sequence[Entry]) -> bytes:
    return zlib.compress(bson.encode({"e": [_row(entry) for entry in entries]}), 1)


def unpack(packed: bytes) -> list[Entry]:
    return [_entry(row) for row in bson.decode(zlib.decompress(packed), _CODEC)["e"]]


async def _event_at(position: int) -> str | None:
    """The id of the (first) event at `position`, if the log holds it."""
    floor, last = await bounds()
    if not floor < position <= last:
        return None
    found = await EventReader(position - 1).read(limit=1)
    return found[0].event_id if found and found[0].seq == position else None


@dataclass(frozen=True, slots=True)
class Snapshot:
    entries: list[Entry]
    position: int
    overlay: str | None


async def read() -> Snapshot | None:
    """The newest snapshot, if there is one this log can be replayed onto."""
    head = await collection().find_one({"_id": HEAD_ID})
    if head is None or head.get("format") != FORMAT:
        return None
    if await _event_at(int(head["position"])) != head["event"]:
        log.info("The catalog snapshot is older than the event log holds: reading every article")
        return None
    ids = _chunk_ids(head["snapshot"], int(head["chunks"]))
    found = {document["_id"]: document for document in await find_in(collection(), "_id", ids)}
    if len(found) != len(ids):
        return None
    entries = [entry for doc_id in ids for entry in unpack(found[doc_id]["z"])]
    return Snapshot(entries, int(head["position"]), head.get("overlay"))


async def start(feed: Feed) -> Catalog:
    """A starting process's catalog, and `feed` marked where it is current: from the newest
    snapshot and the log since, or, without a snapshot it can use, from every article."""
    snapshot = await read()
    if snapshot is None:
        # Mark the log first, then read the catalog: a change in between is read twice,
        # which the catalog ignores by version, rather than lost.
        await feed.mark()
        catalog = await Catalog.load()
        give_back("reading every article")
        return catalog
    await feed.mark(snapshot.position)
    catalog = Catalog.of(snapshot.entries, overlay=snapshot.overlay)
    await feed.replay(catalog.apply)
    give_back("reading the catalog's snapshot")
    log.info(
        "Started the catalog from a snapshot at event %d (%d articles), replayed to event %d",
        snapshot.position,
        len(snapshot.entries),
        feed.position,
    )
    return catalog


async def write(catalog: Catalog, feed: Feed) -> bool:
    """Take a snapshot of `catalog`, which `feed` keeps current; whether it was taken (not
    while a load is held back, nor behind a newer one)."""
    async with feed.paused() as (position, holding_load):
        if holding_load or catalog.held_back or position == 0:
            return False
        entries = list(catalog.entries.values())
        overlay = catalog.overlay
    event = await _event_at(position)
    if event is None:
        return False
    snapshot = str(ObjectId())
    chunks = range(0, len(entries), CHUNK)
    for doc_id, offset in zip(_chunk_ids(snapshot, len(chunks)), chunks, strict=True):
        # Packed a chunk at a time: this process's loop is held a few milliseconds at once.
        await collection().insert_one(
            {"_id": doc_id, "z": Binary(pack(entries[offset : offset + CHUNK]))}
        )
    head = {
        "format": FORMAT,
        "snapshot": snapshot,
        "position": position,
        "event": event,
        "chunks": len(chunks),
        "count": len(entries),
        "overlay": overlay,
        "at": utcnow(),
    }
    before = await collection().find_one({"_id": HEAD_ID})
    try:
        # Only forward: a process behind another does not replace its newer snapshot.
        await collection().update_one(
            {"_id": HEAD_ID, "position": {"$lt": position}}, {"$set": head}, upsert=True
        )
    except DuplicateKeyError:
        await _delete(snapshot, len(chunks))
        return False
    if before is not None and before["snapshot"] != snapshot:
        await _delete(before["snapshot"], int(before["chunks"]))
    return True


def _chunk_ids(snapshot: str, chunks: int) -> list[str]:
    return [f"{snapshot}:{index:05d}" for index in range(chunks)]


async def _delete(snapshot: str, chunks: int) -> None:
    await collection().delete_many({"_id": {"$in": _chunk_ids(snapshot, chunks)}})


async def due(catalog: Catalog, feed: Feed) -> bool:
    """Whether this process should take a snapshot now."""
    if len(catalog) < MIN_ENTRIES:
        return False
    head = await collection().find_one({"_id": HEAD_ID}, {"position": 1, "at": 1, "format": 1})
    if head is None or head.get("format") != FORMAT:
        return True
    behind = feed.position - int(head["position"])
    age = (utcnow() - as_utc(head["at"])).total_seconds()
    return behind >= EVERY_EVENTS or (behind > 0 and age >= EVERY_SECONDS)


async def keep(catalog: Catalog, feed: Feed, stopping: asyncio.Event) -> None:
    """Take a snapshot whenever one is due, until `stopping` is set."""
    while not stopping.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), CHECK_SECONDS)
        if stopping.is_set():
            return
        try:
            if await due(catalog, feed):
                started = time.perf_counter()
                if await write(catalog, feed):
                    log.info(
                        "Took a snapshot of the catalog (%d articles) in %.1f s",
                        len(catalog),
                        time.perf_counter() - started,
                    )
        except PyMongoError as error:
            log.warning("Taking a snapshot of the catalog failed, retrying later: %s", error)
