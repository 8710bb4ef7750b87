"""Lists of keys in store commands, split where the embedded store needs it.

mongoeco refuses `$in` lists of roughly 500 values or more ("Expression tree is too large"); a
fixture load of ~490 articles failed on it. MongoDB takes far longer lists, so this splitting is
the one workaround, and every read or write that takes a list of keys goes through it.
"""

import asyncio
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

# Well below mongoeco's limit; on MongoDB each chunk is still one indexed command.
CHUNK = 400
# mongoeco answers a lookup of one `_id` from its primary key, but reads every document of the
# collection for `_id $in [...]` (20 ids: ~270 ms at 10,000 documents). On it, up to a few
# hundred ids (a page, a search's terms, an article's related items) are fetched one `find_one`
# each, concurrently, about where that stops being cheaper than one scan of a 10,000-document
# collection; on MongoDB, `$in` is one indexed command.
PER_KEY_LIMIT = 256
# Whole documents replaced per bulk command (`put_many`).
PUT_BATCH = 100
# Lookups by key one `find_one` each: at most this many at once. More would only queue on the
# embedded store's one writer and open a connection each (a password exchange apiece).
CONCURRENT_LOOKUPS = 16
# Documents a batch for a read of a whole collection that keeps something of each document (a
# starting catalog, the related profiles): what it keeps would otherwise sit among a whole
# collection's decoded batch, freed, and hold those pages (`cms.memory`).
SCAN_BATCH = 500


_batches = itertools.count()


class _Lookups:
    by_key = False


lookups = _Lookups()


def fetch_by_key(enabled: bool) -> None:
    """Set by `open_store`: True on the embedded store."""
    lookups.by_key = enabled


def chunks[T](values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def find_in(
    collection: AsyncCollection[dict[str, Any]],
    field: str,
    values: Iterable[Any],
    *,
    where: dict[str, Any] | None = None,
    projection: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Documents whose `field` is one of `values` (deduplicated) and that match `where`."""
    wanted = list(dict.fromkeys(values))
    if not wanted:
        return []
    if lookups.by_key and field == "_id" and not where and len(wanted) <= PER_KEY_LIMIT:
        # One batch, as its commands say (`comment`): for whoever counts round trips.
        batch = f"batch {next(_batches)}"
        at_once = asyncio.Semaphore(CONCURRENT_LOOKUPS)

        async def lookup(value: Any) -> dict[str, Any] | None:
            async with at_once:
                return await collection.find_one({"_id": value}, projection, comment=batch)

        found = await asyncio.gather(*(lookup(value) for value in wanted))
        return [document for document in found if document is not None]
    if lookups.by_key and len(wanted) > CHUNK:
        # mongoeco reads every document for each `$in` chunk: one pass for them all instead.
        return await _scan_for(collection, field, wanted, where, projection)
    parts = await asyncio.gather(
        *(
            collection.find({field: {"$in": part}, **(where or {})}, projection).to_list()
            for part in chunks(wanted)
        )
    )
    return [document for part in parts for document in part]


async def _scan_for(
    collection: AsyncCollection[dict[str, Any]],
    field: str,
    wanted: list[Any],
    where: dict[str, Any] | None,
    projection: dict[str, Any] | None,
) -> list[dict[str, Any]]:
    """`find_in` as one pass over the collection, matched here (the field is read for that, and
    left out again if the projection leaves it out)."""
    keys = set(wanted)
    read = projection
    kept = True
    if projection:
        including = all(projection.values())
        # As MongoDB does: `_id` is kept unless the projection says `_id: 0`.
        kept = bool(projection.get(field, not including or field == "_id"))
        if not kept and including:
            read = {**projection, field: 1}
        elif not kept:
            read = {name: value for name, value in projection.items() if name != field}
    found = []
    async for document in collection.find(where or {}, read, batch_size=SCAN_BATCH):
        value = document.get(field)
        if any(item in keys for item in (value if isinstance(value, list) else [value])):
            if not kept:
                document.pop(field, None)
            found.append(document)
    return found


async def put(collection: AsyncCollection[dict[str, Any]], document: dict[str, Any]) -> None:
    """Replace the document with this `_id`, or create it.

    Not an upsert: mongoeco scans the whole collection to upsert a new document, but not to
    replace one or to insert one.
    """
    if (await collection.replace_one({"_id": document["_id"]}, document)).matched_count:
        return
    try:
        await collection.insert_one(document)
    except DuplicateKeyError:  # created meanwhile: replace that
        await collection.replace_one({"_id": document["_id"]}, document)


async def put_many(
    collection: AsyncCollection[dict[str, Any]],
    documents: Sequence[dict[str, Any]],
    *,
    new: Iterable[Any] = (),
) -> None:
    """`put` many documents, in a few bulk commands: those whose `_id` is in `new` (expected not
    to exist yet) inserted, the others replaced; a wrong expectation costs a retry, not a loss."""
    created = set(new)
    inserts = [document for document in documents if document["_id"] in created]
    replaces = [document for document in documents if document["_id"] not in created]
    for part in chunks(inserts, PUT_BATCH):
        try:
            await collection.insert_many(part, ordered=False)
        except BulkWriteError as error:
            if any(failure.get("code") != 11000 for failure in error.details["writeErrors"]):
                raise
            replaces += [part[failure["index"]] for failure in error.details["writeErrors"]]
    for part in chunks(replaces, PUT_BATCH):
        requests = [ReplaceOne({"_id": document["_id"]}, document) for document in part]
        if (await collection.bulk_write(requests, ordered=False)).matched_count < len(part):
            found = await find_in(collection, "_id", [document["_id"] for document in part])
            existing = {document["_id"] for document in found}
            for document in part:
                if document["_id"] not in existing:
                    await put(collection, document)


async def delete_in(
    collection: AsyncCollection[dict[str, Any]], field: str, values: Sequence[Any]
) -> int:
    wanted = list(dict.fromkeys(values))
    if lookups.by_key and field == "_id" and len(wanted) <= PER_KEY_LIMIT:
        # One by one: mongoeco deletes by `_id` without a scan only one document at a time.
        deleted = 0
        for value in wanted:
            deleted += (await collection.delete_one({"_id": value})).deleted_count
        return deleted
    deleted = 0
    for part in chunks(wanted):
        deleted += (await collection.delete_many({field: {"$in": part}})).deleted_count
    return deleted
