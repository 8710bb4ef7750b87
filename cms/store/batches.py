"""Lists of keys in store commands, split where the embedded store needs it.

mongoeco refuses `$in` lists of roughly 500 values or more ("Expression tree is too large"); a
fixture load of ~490 articles failed on it. MongoDB takes far longer lists, so this splitting is
the one workaround, and every read or write that takes a list of keys goes through it.
"""

import asyncio
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError

# Well below mongoeco's limit; on MongoDB each chunk is still one indexed command.
CHUNK = 400
# Lookups by `_id` in flight at once (`find_each`).
CONCURRENT = 16
# Up to this many documents, `find_ids` looks each up by `_id`.
FEW = 32
# Whole documents replaced per bulk command (`put_many`).
PUT_BATCH = 100


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
    if field == "_id" and len(wanted) == 1 and where is None:
        # mongoeco reads one document by `_id` without a scan only as `find_one`.
        found = await collection.find_one({"_id": wanted[0]}, projection)
        return [found] if found is not None else []
    parts = await asyncio.gather(
        *(
            collection.find({field: {"$in": part}, **(where or {})}, projection).to_list()
            for part in chunks(wanted)
        )
    )
    return [document for part in parts for document in part]


async def find_each(
    collection: AsyncCollection[dict[str, Any]],
    ids: Iterable[Any],
    *,
    projection: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Documents by `_id`, one `find_one` each, sent together.

    More commands than `find_in`, but each costs the same whatever the collection's size, on
    mongoeco too (its `$in` reads every document): for the few documents a page or a search
    needs out of a large collection.
    """
    found: list[dict[str, Any]] = []
    # A few at a time: enough to keep the store busy without opening a connection per key.
    for part in chunks(dict.fromkeys(ids), CONCURRENT):
        documents = await asyncio.gather(
            *(collection.find_one({"_id": key}, projection) for key in part)
        )
        found += [document for document in documents if document is not None]
    return found


async def find_ids(
    collection: AsyncCollection[dict[str, Any]],
    ids: Iterable[Any],
    *,
    projection: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Documents by `_id`: a few one by one (`find_each`), many in batches (`find_in`)."""
    wanted = list(dict.fromkeys(ids))
    if len(wanted) <= FEW:
        return await find_each(collection, wanted, projection=projection)
    return await find_in(collection, "_id", wanted, projection=projection)


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
    if field == "_id" and len(wanted) <= FEW:
        # One by one: mongoeco deletes by `_id` without a scan only one document at a time.
        deleted = 0
        for value in wanted:
            deleted += (await collection.delete_one({"_id": value})).deleted_count
        return deleted
    deleted = 0
    for part in chunks(wanted):
        deleted += (await collection.delete_many({field: {"$in": part}})).deleted_count
    return deleted
