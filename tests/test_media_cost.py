"""Storing and reading an image asks the store the same keyed questions however large the
library grows.

GridFS's own access pattern (a file's chunks found by `files_id`, sorted by `n`) slowed on the
embedded store as the bucket grew: a 2 MB upload 0.43 s with 10 MB stored and 3.3 s with 80 MB;
reading one file 114 ms, then 834 ms. Newsroom keys each chunk `<file id>:<n>` and reads it by
that key, which every store answers from its primary key. This test checks that access pattern
(the queries sent, with a small and a larger library); what it costs with 10 and 200 MB stored
is timed by `bench/media.py`, as timings belong in benchmarks.
"""

import os

from api.settings import Settings
from bench.media import facts, fill
from cms.database import open_store
from cms.media import files, library
from cms.media.model import ImageDetails, LibraryImage
from tests.factories import FACTORY
from tests.query_plans import Query, QueryRecorder

MB = 1024 * 1024
SIZE = 2 * MB
CHUNKS = files.chunk_count(SIZE)


async def _store_and_read(recorder: QueryRecorder) -> tuple[LibraryImage, list[Query]]:
    """A new 2 MB image stored and read back; the queries both sent to the bucket."""
    data = os.urandom(SIZE)
    image = library.new_image(
        facts(), filename="photo.jpg", length=SIZE, values=ImageDetails(), actor=FACTORY
    )
    recorder.queries.clear()
    with recorder.recording():
        await library.store_new(image, data, actor=FACTORY)
        assert await library.image_bytes(image) == data
    bucket = {files.CHUNKS, files.FILES}
    return image, [query for query in recorder.queries if query.collection in bucket]


def _shape(queries: list[Query]) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    return [(q.collection, q.command, tuple(sorted(q.filter)), q.sort) for q in queries]


async def test_an_image_is_stored_and_read_by_chunk_keys_whatever_the_library_holds(
    settings: Settings,
) -> None:
    recorder = QueryRecorder()
    # The store alone, without the app's upkeep (whose pruning queries the bucket at times).
    async with open_store(settings, event_listeners=[recorder]):
        # Given a library of two images, then of twelve
        block = os.urandom(files.CHUNK_SIZE)
        stored = await fill(4, 0, block)
        small_image, small = await _store_and_read(recorder)
        await fill(24, stored, block)
        large_image, large = await _store_and_read(recorder)

        # Then each chunk is written under its key and read by it, one query a chunk, with no
        # query by `files_id` or sorted, and the same queries whatever the library holds
        for image in (small_image, large_image):
            written = LibraryImage.get_pymongo_collection().database[files.CHUNKS]
            keys = await written.distinct("_id", {"files_id": image.file_id})
            assert sorted(keys) == sorted(files.chunk_id(image.file_id, n) for n in range(CHUNKS))
        chunk_reads = [
            query.filter["_id"]
            for query in large
            if query.collection == files.CHUNKS and query.command == "find"
        ]
        assert chunk_reads == [files.chunk_id(large_image.file_id, n) for n in range(CHUNKS)]
        assert all(set(query.filter) == {"_id"} and not query.sort for query in large), [
            query.describe() for query in large
        ]
        assert _shape(small) == _shape(large)
