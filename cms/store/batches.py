"""Lists of keys in store commands, split where the embedded store needs it.

mongoeco refuses `$in` lists of roughly 500 values or more ("Expression tree is too large"); a
fixture load of ~490 articles failed on it. MongoDB takes far longer lists, so this splitting is
the one workaround, and every read or write that takes a list of keys goes through it.
"""

import asyncio
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

# Well below mongoeco's limit; on MongoDB each chunk is still one indexed command.
CHUNK = 400
# mongoeco answers a lookup of one `_id` from its primary key, but reads every document of the
# collection for `_id $in [...]` (20 ids: ~270 ms at 10,000 documents). On it, a short list of
# ids is fetched one `find_one` each, concurrently; on MongoDB, `$in` is one indexed command.
PER_KEY_LIMIT = 64


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
        found = await asyncio.gather(
            *(collection.find_one({"_id": value}, projection, comment=batch) for value in wanted)
        )
        return [document for document in found if document is not None]
    parts = await asyncio.gather(
        *(
            collection.find({field: {"$in": part}, **(where or {})}, projection).to_list()
            for part in chunks(wanted)
        )
    )
    return [document for part in parts for document in part]


async def delete_in(
    collection: AsyncCollection[dict[str, Any]], field: str, values: Sequence[Any]
) -> int:
    deleted = 0
    for part in chunks(dict.fromkeys(values)):
        deleted += (await collection.delete_many({field: {"$in": part}})).deleted_count
    return deleted
