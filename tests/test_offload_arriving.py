"""Work on a file while its bytes still arrive (`cms.offload.off_loop_arriving`): a first
rendition decodes its original's first chunks while the store reads the rest. The file waits
for what a read asks, the result is the one made from the whole bytes, and a worker that dies or
a source that stops leaves no work stuck."""

import contextlib
import errno
import io
import os
import signal
import threading
import time
from collections.abc import AsyncIterator

import pytest

from cms.media.rendering import Made, render
from cms.offload import Arriving, off_loop, off_loop_arriving
from tests import images

PIECE = 64 * 1024
# An 800 x 600 photo made 320 pixels wide in WebP: the call a first rendition makes.
RENDITION = ("JPEG", (800, 600), (0.0, 0.0, 800.0, 600.0), (320, 240), "WEBP")


@pytest.fixture(scope="module")
def photo() -> bytes:
    return images.noise_jpeg(800, 600, quality=90)  # 6 pieces


def pieces_of(data: bytes) -> list[bytes]:
    return [data[start : start + PIECE] for start in range(0, len(data), PIECE)]


def test_a_read_waits_for_every_byte_it_asks_for() -> None:
    file = Arriving(10)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(file.read(6)))
    file.add(b"abcd")

    reader.start()
    reader.join(0.2)
    waited = reader.is_alive()  # 4 of the 6 bytes are there
    file.add(b"efghij")
    reader.join(10)

    assert waited
    assert got == [b"abcdef"]
    assert file.read() == b"ghij"
    assert file.read() == b""
    assert file.seek(-3, io.SEEK_END) == 7
    assert file.read(2) == b"hi"


def test_a_file_that_stops_arriving_fails_the_read_that_waits_for_more() -> None:
    file = Arriving(10)
    file.add(b"abcd")
    file.fail()

    assert file.read(3) == b"abc"
    with pytest.raises(OSError, match="stopped arriving"):
        file.read(3)


def test_a_rendition_made_as_its_original_arrives_is_the_one_made_from_its_bytes(
    photo: bytes,
) -> None:
    file = Arriving(len(photo))

    def arrive() -> None:
        for piece in pieces_of(photo):
            file.add(piece)
            time.sleep(0.002)

    feeder = threading.Thread(target=arrive)
    feeder.start()
    made = render(file, *RENDITION)
    feeder.join()

    assert made == render(photo, *RENDITION)
    assert (made.width, made.height) == (320, 240)


async def arriving(data: bytes, *, then: object = None) -> AsyncIterator[bytes]:
    """`data` in pieces, as the store's chunks come; after the first piece, `then` (a call)."""
    for n, piece in enumerate(pieces_of(data)):
        yield piece
        if n == 0 and callable(then):
            then()


@pytest.mark.slow
async def test_the_worker_makes_it_from_the_pieces_and_gives_the_bytes_back(photo: bytes) -> None:
    made, data = await off_loop_arriving(render, len(photo), arriving(photo), *RENDITION)

    assert data == photo
    assert made == render(photo, *RENDITION)


@pytest.mark.slow
async def test_a_worker_killed_meanwhile_is_replaced_and_the_work_done_from_the_bytes(
    photo: bytes,
) -> None:
    worker = await off_loop(os.getpid)

    made, data = await off_loop_arriving(
        render,
        len(photo),
        arriving(photo, then=lambda: os.kill(worker, signal.SIGKILL)),
        *RENDITION,
    )

    assert data == photo
    assert made == render(photo, *RENDITION)
    assert await off_loop(os.getpid) != worker


def shared_blocks() -> dict[str, int]:
    """The blocks of shared memory this machine holds (Python names them `psm_...`), with their
    sizes."""
    found = {}
    for name in os.listdir("/dev/shm"):
        if name.startswith("psm_"):
            with contextlib.suppress(FileNotFoundError):  # another process's, just removed
                found[name] = os.path.getsize(f"/dev/shm/{name}")
    return found


@pytest.mark.slow
async def test_the_bytes_go_through_one_shared_block_that_is_removed_after(photo: bytes) -> None:
    before = shared_blocks()
    during: list[dict[str, int]] = []

    made, data = await off_loop_arriving(
        render, len(photo), arriving(photo, then=lambda: during.append(shared_blocks())), *RENDITION
    )

    assert data == photo
    assert made == render(photo, *RENDITION)
    (block,) = during[0].keys() - before.keys()
    assert during[0][block] >= len(photo)
    assert block not in shared_blocks()
    with pytest.raises(SourceLost):
        await off_loop_arriving(render, len(photo), lost_after_one_piece(photo), *RENDITION)
    assert not shared_blocks().keys() - before.keys()


@pytest.mark.slow
async def test_without_room_in_shared_memory_the_bytes_go_through_the_pipe(
    photo: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, offset: int, length: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", full)  # a container's small /dev/shm, full
    before = shared_blocks()

    made, data = await off_loop_arriving(render, len(photo), arriving(photo), *RENDITION)

    assert data == photo
    assert made == render(photo, *RENDITION)
    assert not shared_blocks().keys() - before.keys()


class SourceLost(Exception):
    pass


async def lost_after_one_piece(data: bytes) -> AsyncIterator[bytes]:
    yield data[:PIECE]
    raise SourceLost


@pytest.mark.slow
async def test_a_source_that_fails_leaves_the_worker_free(photo: bytes) -> None:
    with pytest.raises(SourceLost):
        await off_loop_arriving(render, len(photo), lost_after_one_piece(photo), *RENDITION)

    # The abandoned work is not waiting for bytes: the worker takes the next call at once.
    made: Made = await off_loop(render, photo, *RENDITION)
    assert (made.width, made.height) == (320, 240)
