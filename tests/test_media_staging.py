"""An upload or a deletion cut short leaves nothing visible, and the upkeep clears what it left.

A process killed half way is played here by writing what it would have written under the name
of a process that no longer beats (`cms.spine.liveness`), and never settling it.
"""

from datetime import timedelta

import pytest

from cms.media import files, library, staging
from cms.media.model import ImageDetails, LibraryImage
from cms.spine import journal, liveness
from tests import images
from tests.factories import FACTORY
from tests.graphql_client import GraphQLClient

NOW = timedelta(0)
PHOTO = images.noise_jpeg(1300, 1000)  # several chunks


async def counts() -> list[int]:
    database = LibraryImage.get_pymongo_collection().database
    names = ("images", "media.files", "media.chunks", "media_pending")
    return [await database[name].count_documents({}) for name in names]


async def checked_image() -> LibraryImage:
    facts = await library.inspect(
        PHOTO, filename="photo.jpg", content_type=None, limits=library.Limits(10**8, 10**8)
    )
    return library.new_image(
        facts, filename="photo.jpg", length=len(PHOTO), values=ImageDetails(), actor=FACTORY
    )


async def bytes_written_as(
    process: str, image: LibraryImage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The image's staging note and bytes, written as `process` (before its image document)."""
    monkeypatch.setattr(liveness, "PROCESS_ID", process)
    await staging.note(image.file_id, image=image.id, length=len(PHOTO))
    await library.store_bytes(image, PHOTO)


@pytest.mark.slow
async def test_an_upload_killed_before_its_image_leaves_nothing_after_the_upkeep(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = await checked_image()
    await bytes_written_as("a-process-that-died", image, monkeypatch)
    monkeypatch.undo()
    chunks = (await counts())[2]

    listed = await library.list_images(first=10)
    left = await counts()
    removed = await staging.sweep(older_than=NOW)

    assert chunks > 1
    assert listed == []  # nothing of it is part of the library
    assert left == [0, 1, chunks, 1]
    assert removed == 1
    assert await counts() == [0, 0, 0, 0]


async def test_the_upkeep_leaves_a_living_process_to_finish_its_upload(
    client: GraphQLClient,
) -> None:
    image = await checked_image()
    await staging.note(image.file_id, image=image.id, length=len(PHOTO))
    await library.store_bytes(image, PHOTO)

    removed = await staging.sweep(older_than=NOW)  # this process beats (the app's heartbeat)

    assert removed == 0
    assert (await counts())[1:] == [1, files.chunk_count(len(PHOTO)), 1]


@pytest.mark.slow
async def test_an_upload_killed_after_its_image_keeps_it(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    image = await checked_image()
    await bytes_written_as("a-process-that-died", image, monkeypatch)
    await journal.run(library.plan_add(image, FACTORY))
    monkeypatch.setattr(liveness, "SILENCE", timedelta(0))

    removed = await staging.sweep(older_than=NOW)

    assert removed == 0
    assert (await counts())[3] == 0
    assert await library.image_bytes(await library.get_image(image.id)) == PHOTO


@pytest.mark.slow
async def test_a_deletion_killed_before_its_bytes_went_is_finished_by_the_upkeep(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    added = await library.store_new(await checked_image(), PHOTO, actor=FACTORY)
    image = added.image
    # What `delete_image` does before it removes the bytes, then the process dies.
    monkeypatch.setattr(liveness, "PROCESS_ID", "a-process-that-died")
    await staging.note(image.file_id, image=image.id, length=image.length)
    await LibraryImage.get_pymongo_collection().delete_one({"_id": image.id})
    monkeypatch.setattr(liveness, "SILENCE", timedelta(0))

    removed = await staging.sweep(older_than=NOW)

    assert removed == 1
    assert await counts() == [0, 0, 0, 0]


@pytest.mark.slow
async def test_two_uploads_of_one_file_at_once_store_it_once(client: GraphQLClient) -> None:
    first, second = await checked_image(), await checked_image()  # two requests, two files

    one = await library.store_new(first, PHOTO, actor=FACTORY)
    other = await library.store_new(second, PHOTO, actor=FACTORY)

    assert (one.existed, other.existed) == (False, True)
    assert other.image.file_id == first.file_id
    assert (await counts())[:2] == [1, 1]
    assert (await counts())[3] == 0
