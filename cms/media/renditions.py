"""Renditions made on first request, stored, and made once however many ask at the same moment.

A rendition's bytes are a GridFS file of the `media` bucket like an original's (`kind:
"rendition"`), and a `StoredRendition` document keyed by the rendition (`<image>/<name>`) says
where they are. Making one starts with a claim: inserting that document, as `claimed`, which
only one process can do (its key is `_id`). The others, in any API process, wait for it to say
`ready` (or for the claim to go stale, when its process died, and take it over). In a process,
every request for one rendition shares one task, so fifty requests cost one look at the store.

Renditions are removed with their image, and the store keeps at most `media_store_max_bytes` of
them: beyond it, the least recently used go (and are made again if asked). A hot rendition is
served from memory (`Memory`), up to `media_cache_bytes` in each process.
"""

import asyncio
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, Any, ClassVar

from beanie import Document, PydanticObjectId
from bson import ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError

from cms.clock import utcnow
from cms.media import files, sizes
from cms.media.model import LibraryImage
from cms.media.rendering import Made, placeholder, render
from cms.offload import off_loop, off_loop_arriving
from cms.spine import liveness
from cms.store.batches import find_in

log = logging.getLogger(__name__)

type Maker = Callable[[], Awaitable[Made]]

CLAIMED = "claimed"
READY = "ready"
# A claim older than this was given up (its process died or lost the store): another takes it.
# Far beyond a render of the largest image the library takes, queued behind others.
LEASE = timedelta(seconds=60)
# What the upkeep's sweep clears: claims and bytes left this long. The next request for a
# rendition takes over its claim after one lease; the sweep is for those nobody asked for again,
# and never races a request taking one over.
ABANDONED = LEASE * 10
# How often a waiting request looks again (doubling up to the second figure).
POLL = (0.02, 0.25)
# `used` is written at most this often per rendition and process: a hot rendition served from
# memory still counts as used, without a write per request.
TOUCH_EVERY = timedelta(minutes=10)
# The placeholder: this many pixels on its longer side (a WebP of well under a kilobyte).
PLACEHOLDER_SIDE = 16
PLACEHOLDER = "placeholder.webp"
# Of each process's rendition memory, this fraction (one in four) holds recently read originals.
ORIGINALS_SHARE = 4


class StoredRendition(Document):
    """Where a rendition's bytes are, or that one process is making them (`claimed`)."""

    id: str  # type: ignore[assignment]  # `<image>/<name>` (`sizes.Rendition.key`)
    image: str
    state: str
    owner: str
    claimed_at: datetime
    file_id: PydanticObjectId | None = None
    length: int = 0
    media_type: str = ""
    etag: str = ""
    used: datetime | None = None
    # How many times it was claimed to be made: 1 unless a claimer died or stalled.
    renders: int = 1

    class Settings:
        name = "media_renditions"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("image", ASCENDING)]),
            IndexModel([("used", ASCENDING)]),
        ]


@dataclass(frozen=True, slots=True)
class Served:
    """A rendition's bytes, as the edge answers with them."""

    data: bytes
    media_type: str
    etag: str


class Memory:
    """The renditions this process served last, up to `limit` bytes (least recently used out)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self._items: OrderedDict[str, Served] = OrderedDict()

    def get(self, key: str) -> Served | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: str, served: Served) -> None:
        if len(served.data) > self.limit:
            return
        self.drop(key)
        self._items[key] = served
        self.size += len(served.data)
        while self.size > self.limit:
            _, oldest = self._items.popitem(last=False)
            self.size -= len(oldest.data)

    def drop(self, key: str) -> None:
        found = self._items.pop(key, None)
        if found is not None:
            self.size -= len(found.data)

    def drop_image(self, image: str) -> None:
        for key in [key for key in self._items if key.startswith(f"{image}/")]:
            self.drop(key)


def _collection() -> AsyncCollection[dict[str, Any]]:
    return StoredRendition.get_pymongo_collection()


class Renditions:
    """A process's way to its renditions: memory first, then the store, then made once."""

    def __init__(self, *, memory_bytes: int, store_bytes: int) -> None:
        # A quarter of the memory for the originals renditions were last made from: a page's
        # first view asks for several sizes of one image, and each would read it again.
        self.memory = Memory(memory_bytes - memory_bytes // ORIGINALS_SHARE)
        self.originals = Memory(memory_bytes // ORIGINALS_SHARE)
        self.store_bytes = store_bytes
        self._pending: dict[str, asyncio.Task[Served]] = {}
        self._touched: dict[str, datetime] = {}

    async def get(self, rendition: sizes.Rendition, image: LibraryImage) -> Served:
        """The bytes of `rendition` (a concrete format) of `image`, made if nobody has."""
        media_type = sizes.MEDIA_TYPES[rendition.format]
        original = (image.width, image.height)
        box = sizes.box(rendition, original)
        return await self._shared(
            rendition.key(rendition.format),
            image,
            media_type,
            lambda: self._original(
                image, render, image.format, original, box.crop, box.size, rendition.format.name
            ),
        )

    async def placeholder(self, image: LibraryImage) -> Served:
        """A tiny blurred WebP of the whole picture (well under a kilobyte)."""
        key = f"{image.id}/{PLACEHOLDER}"
        original = (image.width, image.height)
        size = placeholder_size(original)
        return await self._shared(
            key,
            image,
            "image/webp",
            lambda: self._original(image, placeholder, image.format, original, size),
        )

    async def _original[*A](
        self, image: LibraryImage, work: Callable[[bytes | IO[bytes], *A], Made], *args: *A
    ) -> Made:
        """`work(original, *args)` in the worker, from the original's bytes if read lately, or
        else from its chunks as they are read from the store: decoding starts on the first while
        the store reads the rest (`off_loop_arriving`)."""
        kept = self.originals.get(image.id)
        if kept is not None:
            return await off_loop(work, kept.data, *args)
        chunks = files.stream_file(image.file_id, image.length)
        made, data = await off_loop_arriving(work, image.length, chunks, *args)
        self.originals.put(image.id, Served(data, image.media_type, ""))
        return made

    async def _shared(self, key: str, image: LibraryImage, media_type: str, make: Maker) -> Served:
        found = self.memory.get(key)
        if found is not None:
            await self._touch(key)
            return found
        task = self._pending.get(key)
        if task is None:
            task = asyncio.create_task(self._obtain(key, image, media_type, make))
            self._pending[key] = task
            task.add_done_callback(lambda _: self._pending.pop(key, None))
        served = await asyncio.shield(task)
        self.memory.put(key, served)
        return served

    async def _touch(self, key: str) -> None:
        now = utcnow()
        last = self._touched.get(key)
        if last is not None and now - last < TOUCH_EVERY:
            return
        self._touched[key] = now
        if len(self._touched) > 100_000:
            self._touched.clear()
        await _collection().update_one({"_id": key, "state": READY}, {"$set": {"used": now}})

    async def _obtain(self, key: str, image: LibraryImage, media_type: str, make: Maker) -> Served:
        delay = POLL[0]
        while True:
            record = await _collection().find_one({"_id": key})
            if record is None:
                if await _claim(key, image.id):
                    return await self._make(key, image, media_type, make)
                continue
            if record["state"] == READY:
                served = await _read(record)
                if served is not None:
                    await self._touch(key)
                    return served
                continue
            if record["claimed_at"] <= utcnow() - LEASE and await _take_over(record):
                return await self._make(key, image, media_type, make)
            await asyncio.sleep(delay)
            delay = min(delay * 2, POLL[1])

    async def _make(self, key: str, image: LibraryImage, media_type: str, make: Maker) -> Served:
        """Make the rendition under this process's claim, store it, and say it is ready."""
        mine = {"_id": key, "state": CLAIMED, "owner": liveness.PROCESS_ID}
        try:
            made = await make()
            served = Served(made.data, media_type, etag_of(made.data))
            file_id = PydanticObjectId()
            now = utcnow()
            await files.write_file(
                file_id,
                made.data,
                filename=key.partition("/")[2],
                uploaded_at=now,
                metadata={
                    "contentType": media_type,
                    "image": image.id,
                    "kind": "rendition",
                    "rendition": key,
                },
            )
            ready = {
                "state": READY,
                "file_id": file_id,
                "length": len(made.data),
                "media_type": media_type,
                "etag": served.etag,
                "used": now,
            }
            result = await _collection().update_one(mine, {"$set": ready})
        except BaseException:
            await _collection().delete_one(mine)  # let the next request try again
            raise
        if not result.modified_count:
            # Our claim was taken over (we were too slow) or the image deleted meanwhile.
            await files.delete_file(file_id, len(made.data))
            return served
        self._touched[key] = now
        if (
            await LibraryImage.get_pymongo_collection().find_one({"_id": image.id}, {"_id": 1})
            is None
        ):
            # Deleted while this was being made, after its renditions were pruned.
            await prune_image(image.id)
            return served
        await self._bound()
        return served

    async def _bound(self) -> None:
        """Remove the least recently used renditions while the store holds more than its bound."""
        total = await stored_bytes()
        if total <= self.store_bytes:
            return
        oldest = _collection().find({"state": READY}, {"length": 1, "file_id": 1, "image": 1})
        async for record in oldest.sort("used", ASCENDING):
            if total <= self.store_bytes:
                break
            await _remove(record)
            self.memory.drop(record["_id"])
            total -= record["length"]


def etag_of(data: bytes) -> str:
    return '"' + hashlib.sha256(data).hexdigest()[:32] + '"'


def placeholder_size(original: tuple[int, int]) -> tuple[int, int]:
    width, height = original
    scale = PLACEHOLDER_SIDE / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


async def _claim(key: str, image: str) -> bool:
    now = utcnow()
    claim = {
        "_id": key,
        "image": image,
        "state": CLAIMED,
        "owner": liveness.PROCESS_ID,
        "claimed_at": now,
        "renders": 1,
    }
    try:
        await _collection().insert_one(claim)
    except DuplicateKeyError:
        return False
    return True


async def _take_over(record: dict[str, Any]) -> bool:
    """Take a stale claim, if nobody else took it first."""
    log.warning(
        "Taking over the claim on rendition %s from process %s", record["_id"], record["owner"]
    )
    result = await _collection().update_one(
        {"_id": record["_id"], "state": CLAIMED, "claimed_at": record["claimed_at"]},
        {"$set": {"owner": liveness.PROCESS_ID, "claimed_at": utcnow()}, "$inc": {"renders": 1}},
    )
    return result.modified_count == 1


async def _read(record: dict[str, Any]) -> Served | None:
    """The stored bytes; None (and the record gone) if they were removed meanwhile."""
    try:
        data = await files.read_file(record["file_id"], record["length"])
    except files.MissingBytesError:
        await _collection().delete_one({"_id": record["_id"], "file_id": record["file_id"]})
        return None
    return Served(data, record["media_type"], record["etag"])


async def _remove(record: dict[str, Any]) -> None:
    """The record first (nobody is sent to the file any more), then the bytes."""
    await _collection().delete_one({"_id": record["_id"], "file_id": record.get("file_id")})
    if record.get("file_id") is not None:
        await files.delete_file(ObjectId(record["file_id"]), record["length"])


async def stored_lengths(keys: list[str]) -> dict[str, int]:
    """The length of each of these renditions that has been made (by key)."""
    found = await find_in(_collection(), "_id", keys, projection={"state": 1, "length": 1})
    return {record["_id"]: record["length"] for record in found if record["state"] == READY}


async def stored_bytes() -> int:
    """The bytes of every stored rendition."""
    totals = await _collection().aggregate(
        [{"$match": {"state": READY}}, {"$group": {"_id": None, "bytes": {"$sum": "$length"}}}]
    )
    found = await totals.to_list()
    return int(found[0]["bytes"]) if found else 0


async def prune_image(image: str) -> int:
    """Remove every rendition of `image` from the store; how many there were."""
    found = await _collection().find({"image": image}).to_list()
    for record in found:
        await _remove(record)
    return len(found)


async def sweep(*, older_than: timedelta = ABANDONED) -> int:
    """Remove what renditions cut short left behind (the upkeep, hourly): claims older than
    `older_than` that nobody finished, rendition files that no record points at (their process
    died between writing the bytes and saying so), and renditions of images since deleted.
    How many files or records were removed."""
    cutoff = utcnow() - older_than
    removed = (
        await _collection().delete_many({"state": CLAIMED, "claimed_at": {"$lte": cutoff}})
    ).deleted_count
    bucket = _collection().database[files.FILES]
    made = await bucket.find(
        {"metadata.kind": "rendition", "uploadDate": {"$lte": cutoff}},
        {"length": 1, "metadata": 1},
    ).to_list()
    records = await find_in(
        _collection(), "_id", [found["metadata"]["rendition"] for found in made]
    )
    pointed = {record.get("file_id") for record in records}
    for found in made:
        if found["_id"] not in pointed:
            await files.delete_file(found["_id"], found["length"])
            removed += 1
    images = {record["image"] for record in records}
    living = await find_in(
        LibraryImage.get_pymongo_collection(), "_id", list(images), projection={"_id": 1}
    )
    for image in images - {found["_id"] for found in living}:
        removed += await prune_image(image)
    return removed
