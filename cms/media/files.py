"""Image bytes as GridFS files: a files document and numbered chunks, in the `media` bucket.

The layout is GridFS's own (`media.files`: `_id`, `length`, `chunkSize`, `uploadDate`,
`filename`, `metadata`; `media.chunks`: `files_id`, `n`, `data`), so MongoDB's GridFS readers
(`mongofiles`, any driver's GridFS bucket) can read what Newsroom wrote. Newsroom itself never
uses GridFS's access pattern (find the chunks by `files_id`, sorted by `n`): on the embedded store
that query reads every chunk of the bucket, so a read slowed from 114 to 834 ms as the library
grew from 10 to 80 MB. Each chunk's `_id` is `<file id>:<n>` instead, and Newsroom reads and
deletes chunks by that key, which both stores answer from their primary key whatever the size of
the bucket (`tests/test_media_cost.py` checks the queries, `bench/media.py` times them).

Chunks are 1 MiB, not GridFS's default of 255 KiB: the embedded store spends about 3.5 ms of CPU
on each lookup however small, so an 11.7 MB original cost it 190 ms in 46 chunks and 120 ms in
12, and the API 40 ms and 15 ms (`bench/media.py`, on a 2-core machine where that CPU is taken
from the decoding that overlaps the read). Files written with 255 KiB chunks read as well: a
file's chunk size is the length of its first chunk, as GridFS has every chunk but the last full.
"""

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

from bson import Binary, ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from cms.store.batches import delete_in

BUCKET = "media"
FILES = f"{BUCKET}.files"
CHUNKS = f"{BUCKET}.chunks"
# Well under the 16 MB document limit; a chunk read costs the store far less than its bytes.
CHUNK_SIZE = 1024 * 1024
# GridFS's default, which files written before the chunks grew have: the smallest chunk size.
GRIDFS_CHUNK_SIZE = 255 * 1024
# Chunks sent in one insert: 4 MB, far below a wire message's 48 MB.
CHUNKS_PER_INSERT = 4
# Chunks asked for at once when reading (4 MB): on the embedded store, reading an 11.7 MB file
# in 1 MiB chunks took 235 ms 4 at a time and 306 ms 8 at a time (a busy machine).
CHUNKS_IN_FLIGHT = 4


def chunk_count(length: int, chunk_size: int = CHUNK_SIZE) -> int:
    return -(-length // chunk_size)


def chunk_id(file_id: ObjectId, n: int) -> str:
    """A chunk's key: the file and the chunk's number, so it is read by key, never by a scan."""
    return f"{file_id}:{n}"


def _database() -> AsyncDatabase[dict[str, Any]]:
    # Imported here: the document registry binds Beanie, and so the database, at start-up.
    from cms.media.model import LibraryImage

    return LibraryImage.get_pymongo_collection().database


def _chunks() -> AsyncCollection[dict[str, Any]]:
    return _database()[CHUNKS]


def _files() -> AsyncCollection[dict[str, Any]]:
    return _database()[FILES]


def bucket_indexes(*, embedded: bool) -> dict[str, list[IndexModel]]:
    """The bucket's indexes by collection, as GridFS specifies them (drivers writing to the
    bucket look for them), except one: on the embedded store the `(files_id, n)` index is not
    unique.

    mongoeco checks a compound unique index by reading the whole collection on every insert (an
    upload went from 752 to 1,980 ms as the bucket grew from 10 to 50 MB); MongoDB checks it in
    its index. Newsroom's chunk keys (`<file id>:<n>`) already make a chunk unique on both, so
    the index only serves other GridFS readers: this is the one place the two stores differ.
    """
    return {
        FILES: [IndexModel([("filename", ASCENDING), ("uploadDate", ASCENDING)])],
        CHUNKS: [IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], unique=not embedded)],
    }


async def ensure_indexes(database: AsyncDatabase[dict[str, Any]], *, embedded: bool) -> None:
    for collection, indexes in bucket_indexes(embedded=embedded).items():
        await database[collection].create_indexes(indexes)


async def write_file(
    file_id: ObjectId,
    data: bytes,
    *,
    filename: str,
    uploaded_at: datetime,
    metadata: dict[str, Any],
) -> None:
    """Store `data` as GridFS file `file_id`: its chunks first, then the files document, which a
    GridFS reader takes for a complete file. Writing it again is harmless (same keys)."""
    chunks = [
        {
            "_id": chunk_id(file_id, n),
            "files_id": file_id,
            "n": n,
            "data": Binary(data[start : start + CHUNK_SIZE]),
        }
        for n, start in enumerate(range(0, len(data), CHUNK_SIZE))
    ]
    for first in range(0, len(chunks), CHUNKS_PER_INSERT):
        await _insert_new(_chunks(), chunks[first : first + CHUNKS_PER_INSERT])
    document = {
        "_id": file_id,
        "length": len(data),
        "chunkSize": CHUNK_SIZE,
        "uploadDate": uploaded_at,
        "filename": filename,
        "metadata": metadata,
    }
    await _insert_new(_files(), [document])


async def _insert_new(
    collection: AsyncCollection[dict[str, Any]], documents: Sequence[Any]
) -> None:
    """Insert, taking a document already there (a retried write) as done."""
    try:
        await collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        if any(failure.get("code") != 11000 for failure in error.details["writeErrors"]):
            raise


class MissingBytesError(Exception):
    """A file's chunks are not all there: the store lost them, or they are being deleted."""


async def stream_file(file_id: ObjectId, length: int) -> AsyncIterator[bytes]:
    """The bytes of file `file_id` (`length` long), chunk by chunk in order, each fetched by key
    with the next few already asked for: the first arrive while the rest are read.

    Until the first chunk says the file's chunk size, only chunks that a file of the largest
    size has are asked for: a file of smaller chunks has those too (more of them)."""
    count = chunk_count(length)
    asked: deque[asyncio.Task[dict[str, Any] | None]] = deque()
    following = 0
    received = 0
    try:
        while following < count or asked:
            while following < count and len(asked) < CHUNKS_IN_FLIGHT:
                chunk_key = {"_id": chunk_id(file_id, following)}
                asked.append(asyncio.create_task(_chunks().find_one(chunk_key, {"data": 1})))
                following += 1
            chunk = await asked.popleft()
            if chunk is None:
                raise MissingBytesError(f"file {file_id} lacks chunks")
            data: bytes = chunk["data"]
            if not received and data:
                count = chunk_count(length, len(data))
            received += len(data)
            yield data
    finally:
        for task in asked:
            task.cancel()
    if received != length:
        raise MissingBytesError(f"file {file_id} has {received} bytes, not {length}")


async def read_file(file_id: ObjectId, length: int) -> bytes:
    """The bytes of file `file_id` (`length` long)."""
    return b"".join([chunk async for chunk in stream_file(file_id, length)])


async def delete_file(file_id: ObjectId, length: int) -> None:
    """Remove the files document first (a GridFS reader then sees no file), then each chunk by
    key. Without a files document (a write cut short), as many keys as the smallest chunk size
    makes: a file of larger chunks has the first of those. Deleting what is gone is harmless."""
    removed = await _files().find_one_and_delete({"_id": file_id}, {"chunkSize": 1})
    chunk_size = removed["chunkSize"] if removed else GRIDFS_CHUNK_SIZE
    keys = [chunk_id(file_id, n) for n in range(chunk_count(length, chunk_size))]
    await delete_in(_chunks(), "_id", keys)
