"""Persisted GraphQL documents, by the SHA-256 of their text.

Apollo's automatic persisted queries: a client sends the hash alone; an unknown hash is answered
`PERSISTED_QUERY_NOT_FOUND` and the client sends the text once, which is then kept for every
API process. Documents added by an admin (`newsroom documents add`) or by an editor's request
are *trusted*: with `NEWSROOM_PERSISTED_QUERIES=trusted`, they are the only ones the API runs.

Documents kept for anyone (untrusted) are bounded when the API asks (`bounded`): by count and
bytes, the least recently used going first. The store holds the bookkeeping, since every API
process shares it: one counter document (`$inc` on every insert and removal, so no process
counts the collection) and each document's `used_at`, refreshed by a process at most once per
`TOUCH_INTERVAL` however often it serves the document.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel, ReturnDocument

from cms.clock import utcnow

# How stale a document's `used_at` may be: least recently used is judged to within this.
TOUCH_INTERVAL = timedelta(minutes=10)
# Eviction empties this much below the caps at once, so that it runs once per many inserts.
HEADROOM = 0.9
EVICTION_BATCH = 100
USAGE_ID = "untrusted"


class PersistedDocument(Document):
    id: str  # type: ignore[assignment]  # the SHA-256 of `text`, hexadecimal
    text: str
    trusted: bool = False
    at: datetime
    # Set for documents kept for anyone: its UTF-8 size, and when a process last served it.
    size: int = 0
    used_at: datetime | None = None

    class Settings:
        name = "documents"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("trusted", ASCENDING), ("used_at", ASCENDING)])
        ]


class DocumentUsage(Document):
    """How many untrusted documents are kept, and their bytes: what the caps compare."""

    id: str  # type: ignore[assignment]  # USAGE_ID
    kept: int = 0
    bytes: int = 0

    class Settings:
        name = "document_usage"


@dataclass(frozen=True, slots=True)
class Usage:
    count: int
    bytes: int


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def lookup(sha256: str) -> PersistedDocument | None:
    found = await PersistedDocument.get_pymongo_collection().find_one({"_id": sha256})
    return PersistedDocument.model_validate(found) if found else None


async def _count(change: int, size: int) -> None:
    await DocumentUsage.get_pymongo_collection().update_one(
        {"_id": USAGE_ID}, {"$inc": {"kept": change, "bytes": change * size}}, upsert=True
    )


async def register(text: str, *, trusted: bool = False) -> str:
    """Keep `text`; its hash. A trusted registration makes an existing document trusted."""
    sha256 = digest(text)
    size = len(text.encode())
    now = utcnow()
    collection = PersistedDocument.get_pymongo_collection()
    if trusted:
        before: dict[str, Any] | None = await collection.find_one_and_update(
            {"_id": sha256},
            {"$set": {"trusted": True}, "$setOnInsert": {"text": text, "at": now}},
            upsert=True,
            return_document=ReturnDocument.BEFORE,
        )
        if before is not None and not before.get("trusted"):
            await _count(-1, int(before.get("size", 0)))  # no longer among the evictable
        return sha256
    insert = {"text": text, "at": now, "trusted": False, "size": size, "used_at": now}
    result = await collection.update_one({"_id": sha256}, {"$setOnInsert": insert}, upsert=True)
    if result.upserted_id is not None:
        await _count(1, size)
    return sha256


async def touch(sha256: str) -> None:
    """Note that the document was served now (for least-recently-used eviction)."""
    await PersistedDocument.get_pymongo_collection().update_one(
        {"_id": sha256, "trusted": False}, {"$set": {"used_at": utcnow()}}
    )


async def usage() -> Usage:
    found = await DocumentUsage.get_pymongo_collection().find_one({"_id": USAGE_ID})
    return Usage(int(found["kept"]), int(found["bytes"])) if found else Usage(0, 0)


async def evict(*, max_count: int, max_bytes: int) -> int:
    """Remove the least recently used untrusted documents while over a cap, down to
    HEADROOM of each; how many went. Trusted documents are never removed."""
    removed = 0
    now = await usage()
    if now.count <= max_count and now.bytes <= max_bytes:
        return 0
    count_goal, bytes_goal = int(max_count * HEADROOM), int(max_bytes * HEADROOM)
    collection = PersistedDocument.get_pymongo_collection()
    while now.count > count_goal or now.bytes > bytes_goal:
        now = await usage()  # other processes may be removing some too
        oldest = await (
            collection.find({"trusted": False}, {"size": 1})
            .sort("used_at", ASCENDING)
            .limit(EVICTION_BATCH)
            .to_list()
        )
        if not oldest:
            break
        for document in oldest:
            if now.count <= count_goal and now.bytes <= bytes_goal:
                break
            # Another process may have removed it, or an admin trusted it, meanwhile.
            gone = await collection.delete_one({"_id": document["_id"], "trusted": False})
            if gone.deleted_count:
                size = int(document.get("size", 0))
                await _count(-1, size)
                now = Usage(now.count - 1, now.bytes - size)
                removed += 1
    return removed


async def trusted_documents() -> list[PersistedDocument]:
    return await PersistedDocument.find({"trusted": True}).to_list()
