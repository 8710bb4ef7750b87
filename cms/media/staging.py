"""Bytes written before their image exists, or kept while it is removed: all or nothing.

The store has no transactions we can use, and an upload writes many documents (chunks, the files
document, the image). So the image document is the one that counts: bytes are an image's only
while its document names them (`file_id`). Before an upload writes a byte, and before a removal
touches the image, a `PendingFile` names the file and the image it is for; once the image
document is written (or removed), `settle` looks at it and keeps the bytes, or removes them, and
drops the note. One rule serves both:

- killed before the image document is written: no image names the bytes; they are removed;
- killed after it: the image names them; they stay;
- two uploads of the same file at once: the second image insert is refused (the id is the
  content's hash), and the loser's bytes, which no image names, are removed.

A process killed half way leaves its notes; every API process's upkeep (`cms.maintenance`)
settles those whose process stopped beating, after completing the journal and the loads (whose
operations may be what writes the image).
"""

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

from beanie import PydanticObjectId
from pymongo.errors import PyMongoError

from cms.clock import utcnow
from cms.media import files
from cms.media.model import LibraryImage, PendingFile
from cms.spine import liveness
from cms.store.batches import find_in

log = logging.getLogger(__name__)

# No upload or removal takes this long: a note this old is settled even if its process beats
# (it gave the upload up when its store connection died under it).
ABANDONED = timedelta(hours=1)


async def note(file_id: PydanticObjectId, *, image: str, length: int) -> None:
    """Say that the bytes of `file_id` may be written, or removed, for `image`."""
    await PendingFile.get_pymongo_collection().insert_one(
        {
            "_id": file_id,
            "image": image,
            "length": length,
            "at": utcnow(),
            "owner": liveness.PROCESS_ID,
        }
    )


async def settle(file_ids: Sequence[PydanticObjectId]) -> int:
    """Keep the bytes of these files that an image names, remove the others, and drop the notes
    about them; how many files were removed."""
    notes = await find_in(PendingFile.get_pymongo_collection(), "_id", file_ids)
    images = await find_in(
        LibraryImage.get_pymongo_collection(),
        "_id",
        [found["image"] for found in notes],
        projection={"file_id": 1},
    )
    named = {image["file_id"] for image in images}
    removed = 0
    for found in notes:
        if found["_id"] not in named:
            await files.delete_file(found["_id"], found["length"])
            removed += 1
        await PendingFile.get_pymongo_collection().delete_one({"_id": found["_id"]})
    return removed


async def settle_quietly(file_ids: Sequence[PydanticObjectId]) -> None:
    """`settle` after an upload or removal, whatever happened to it: a store that failed
    meanwhile leaves the notes to the upkeep, and the caller sees its own error, not this one."""
    try:
        await settle(file_ids)
    except PyMongoError as error:
        log.warning("Media files %s left to the upkeep: %s", list(file_ids), error)


async def sweep(*, older_than: timedelta) -> int:
    """Settle the notes left by processes that stopped (or by uploads given up long ago); how
    many files were removed."""
    now = utcnow()
    collection = PendingFile.get_pymongo_collection()
    stale = await collection.find({"at": {"$lte": now - older_than}}).to_list()
    if not stale:
        return 0
    living = await liveness.alive(found["owner"] for found in stale)
    left = [
        found["_id"]
        for found in stale
        if found["owner"] not in living or found["at"] <= now - ABANDONED
    ]
    removed = await settle(left) if left else 0
    if removed:
        log.warning("Removed %d media files that no image names (uploads cut short)", removed)
    return removed


@contextlib.asynccontextmanager
async def noted(file_id: PydanticObjectId, *, image: str, length: int) -> AsyncIterator[None]:
    """The block writes (or removes) `image` with file `file_id`; settled whatever happens."""
    await note(file_id, image=image, length=length)
    try:
        yield
    finally:
        await settle_quietly([file_id])
