"""Image renditions: serving a stored one under load, and making one, as ratios in one run.

1. A stored rendition (a 1,200-pixel WebP) served by `newsroom serve` under wrk (`-t1 -c16`,
   GET, `Accept: image/webp`), against the floor: `{ __typename }` on a plain Strawberry app,
   in requests per second. Target: at least 2x the floor.
2. Making a 1,200-pixel WebP from a 24-megapixel JPEG through the API (a GET of a rendition not
   yet made: the original read from the store, handed to the worker as it arrives, decoded in
   draft mode, resized, encoded, stored, answered), against Pillow alone doing the same decode,
   resize and encode with the same draft-mode and reducing calls in this process. Target: at
   most 1.5x. The rounds alternate (Pillow alone, then Newsroom), so both see the same load.
   Also shown, not the target: Pillow alone at the worker's lower priority (`nice`), in a
   process of its own. On a machine busy with other work a `nice` process gets a fraction of a
   core, so that figure tells Newsroom's own overhead from the scheduler's choice.
3. Storing a new 2 MB image (its bytes and its document) and reading it back, with 200 MB
   stored in the library against the same with 10 MB stored, on the embedded store. Target: at
   most 1.5x each. (GridFS's own access pattern slowed there with the bucket's size: a 2 MB
   upload took 0.43 s with 10 MB stored and 3.3 s with 80 MB.)

Each figure is the median of `--repeats` runs (wrk), `--rounds` rounds (making; one round
more is made first and not counted: it starts the worker) or `--tries` tries (growth).

    python -m bench.media [--seconds 8] [--repeats 3] [--rounds 7] [--tries 12]
"""

import argparse
import asyncio
import io
import multiprocessing
import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from beanie import PydanticObjectId
from bson import Binary
from PIL import Image

from api.settings import Settings
from bench import servers
from bench.wrk import lua_post, run_wrk
from cms import offload
from cms.access import Actor
from cms.config import Settings as StoreSettings
from cms.database import open_store
from cms.media import addresses, files, library, renditions
from cms.media.inspection import Facts
from cms.media.library import Limits
from cms.media.model import ImageDetails, LibraryImage
from cms.media.rendering import REDUCING_GAP, WEBP_QUALITY
from cms.media.sizes import Format
from cms.store.embedded import embedded_server
from newsroom.app import create_app

WIDTH = 1200
LIMITS = Limits(max_bytes=64_000_000, max_pixels=60_000_000)
MB = 1024 * 1024
GROWTH_SIZE = 2 * MB
BENCH = Actor.local("bench")


def photo(width: int, height: int) -> bytes:
    """A camera-like JPEG: noise over a gradient (noise alone would be all detail)."""
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    buffer = io.BytesIO()
    Image.blend(gradient, noise, 0.5).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def pillow_alone(data: bytes, size: tuple[int, int]) -> bytes:
    """The baseline: what any Pillow script would do, with draft mode and reducing."""
    image = Image.open(io.BytesIO(data))
    image.draft("RGB", size)
    resized = image.resize(size, Image.Resampling.LANCZOS, reducing_gap=REDUCING_GAP)
    buffer = io.BytesIO()
    resized.save(buffer, "WEBP", quality=WEBP_QUALITY, method=4)
    return buffer.getvalue()


def pillow_seconds(data: bytes, size: tuple[int, int]) -> float:
    """`pillow_alone`'s time, measured where it runs (in the `nice` process: no hand-over)."""
    started = time.perf_counter()
    pillow_alone(data, size)
    return time.perf_counter() - started


def get_script(path: str) -> str:
    return f"""
local headers = {{ ["Accept"] = "image/webp,image/*" }}
request = function()
  return wrk.format("GET", "{path}", headers)
end
"""


async def add_photo(settings: StoreSettings, data: bytes) -> LibraryImage:
    async with open_store(settings):
        added = await library.add_image(
            actor=Actor.local("bench"), data=data, filename="photo.jpg", limits=LIMITS
        )
        return added.image


def serving_bench(seconds: int, repeats: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {**os.environ, "NEWSROOM_DATA_DIR": data_dir, "NEWSROOM_LOG_LEVEL": "warning"}
        with servers.floor(env) as floor_url, servers.newsroom(env) as url:
            settings = StoreSettings(data_dir=Path(data_dir))
            image = asyncio.run(add_photo(settings, photo(3000, 2000)))
            link = addresses.url(image, settings, width=WIDTH, format=Format.AUTO)
            path = link.removeprefix(settings.media_url)
            first = httpx.get(url + path, headers={"accept": "image/webp"}, timeout=60)
            first.raise_for_status()
            floors, served = [], []
            for _ in range(repeats):
                floors.append(
                    run_wrk(
                        f"{floor_url}/graphql",
                        script=lua_post([{"query": "{ __typename }"}]),
                        seconds=seconds,
                    )
                )
                served.append(run_wrk(url + path, script=get_script(path), seconds=seconds))
    floor = statistics.median(load.requests_per_second for load in floors)
    rate = statistics.median(load.requests_per_second for load in served)
    errors = sum(load.errors for load in served)
    print(f"  {'floor: { __typename } on plain Strawberry':<52}{floor:>9.0f}/s  1.00x")
    print(
        f"  {f'stored {WIDTH}-px WebP rendition ({len(first.content):,} bytes)':<52}"
        f"{rate:>9.0f}/s{rate / floor:>6.2f}x  errors {errors}  (target >= 2x)"
    )


async def making_bench(rounds: int) -> None:
    data = photo(6000, 4000)
    size = (WIDTH, 800)
    baseline, niced, made, reads = [], [], [], []
    at_worker_priority = ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=os.nice,
        initargs=(offload.NICENESS,),
    )
    with tempfile.TemporaryDirectory() as data_dir, at_worker_priority:
        async with embedded_server(Path(data_dir)) as uri:
            settings = Settings(
                mongodb_uri=uri, database=f"bench_{time.time_ns()}", media_cache_bytes=0
            )
            app = create_app(settings)
            async with LifespanManager(app, startup_timeout=120, shutdown_timeout=120) as manager:
                transport = httpx.ASGITransport(app=manager.app)
                async with httpx.AsyncClient(transport=transport, base_url="http://b") as http:
                    image = (
                        await library.add_image(
                            actor=Actor.local("bench"),
                            data=data,
                            filename="photo.jpg",
                            limits=LIMITS,
                        )
                    ).image
                    link = addresses.url(image, settings, width=WIDTH, format=Format.WEBP)
                    path = link.removeprefix(settings.media_url)
                    for _ in range(rounds + 1):
                        baseline.append(pillow_seconds(data, size))
                        niced.append(
                            await asyncio.wrap_future(
                                at_worker_priority.submit(pillow_seconds, data, size)
                            )
                        )
                        await renditions.prune_image(image.id)
                        started = time.perf_counter()
                        answer = await http.get(path)
                        made.append(time.perf_counter() - started)
                        answer.raise_for_status()
                        started = time.perf_counter()
                        await files.read_file(image.file_id, image.length)
                        reads.append(time.perf_counter() - started)
    floor, low, newsroom, read = (
        statistics.median(samples[1:]) for samples in (baseline, niced, made, reads)
    )
    rows = [
        ("Pillow alone: 24 MP JPEG -> 1200-px WebP (draft)", floor, ""),
        ("Newsroom: the same rendition on first request", newsroom, "  (target <= 1.5x)"),
        (f"  Pillow alone at the worker's priority (nice {offload.NICENESS})", low, ""),
        (f"  reading the original ({len(data) / 1e6:.1f} MB) alone", read, ""),
    ]
    for label, seconds, note in rows:
        print(f"  {label:<52}{seconds * 1000:>8.0f} ms{seconds / floor:>6.2f}x{note}")
    print(
        f"  {'  Newsroom against Pillow at the same priority':<52}{'':>11}{newsroom / low:>6.2f}x"
    )


def facts() -> Facts:
    """What inspecting a 2,000 x 1,500 JPEG finds, under a new random digest."""
    return Facts(
        sha256=uuid.uuid4().hex * 2,
        format="JPEG",
        media_type="image/jpeg",
        width=2000,
        height=1500,
        orientation=1,
        mode="RGB",
        frames=1,
    )


async def fill(megabytes: int, stored: int, block: bytes) -> int:
    """Add 2 MB filler images (bulk-inserted: their content does not matter to the store's
    costs) until `megabytes` are stored; how many bytes are stored now."""
    database = LibraryImage.get_pymongo_collection().database
    chunk_count = files.chunk_count(GROWTH_SIZE)
    while stored < megabytes * MB:
        file_id = PydanticObjectId()
        chunks = [
            {"_id": files.chunk_id(file_id, n), "files_id": file_id, "n": n, "data": Binary(block)}
            for n in range(chunk_count)
        ]
        await database[files.CHUNKS].insert_many(chunks)
        await database[files.FILES].insert_one(
            {"_id": file_id, "length": GROWTH_SIZE, "chunkSize": files.CHUNK_SIZE}
        )
        image = library.new_image(
            facts(), filename="filler.jpg", length=GROWTH_SIZE, values=ImageDetails(), actor=BENCH
        )
        await LibraryImage.get_pymongo_collection().insert_one(
            {"_id": image.id, **image.model_dump(exclude={"id"}), "file_id": file_id}
        )
        stored += chunk_count * len(block)
    return stored


async def _costs(tries: int) -> tuple[float, float]:
    """The medians of `tries`: storing a new 2 MB image (bytes and document), and reading it."""
    stores, reads = [], []
    for _ in range(tries):
        data = os.urandom(GROWTH_SIZE)
        image = library.new_image(
            facts(), filename="photo.jpg", length=GROWTH_SIZE, values=ImageDetails(), actor=BENCH
        )
        started = time.perf_counter()
        await library.store_new(image, data, actor=BENCH)
        stores.append(time.perf_counter() - started)
        started = time.perf_counter()
        if await library.image_bytes(image) != data:
            raise AssertionError("the image read back is not the one stored")
        reads.append(time.perf_counter() - started)
    return statistics.median(stores), statistics.median(reads)


async def growth_bench(tries: int) -> None:
    block = os.urandom(files.CHUNK_SIZE)
    with tempfile.TemporaryDirectory() as data_dir:
        async with embedded_server(Path(data_dir)) as uri:
            settings = StoreSettings(mongodb_uri=uri, database=f"bench_{time.time_ns()}")
            async with open_store(settings):
                stored = await fill(10, 0, block)
                small = await _costs(tries)
                await fill(200, stored, block)
                large = await _costs(tries)
    for label, at_small, at_large in zip(("storing", "reading"), small, large, strict=True):
        print(
            f"  {label + ' a 2 MB image: 10 MB stored, then 200 MB':<52}"
            f"{at_small * 1000:>6.0f} ms{at_large * 1000:>6.0f} ms"
            f"{at_large / at_small:>6.2f}x  (target <= 1.5x)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tries", type=int, default=12)
    args = parser.parse_args()
    print("Serving a stored rendition (wrk, requests per second, median):")
    serving_bench(args.seconds, args.repeats)
    print("Making a rendition (median seconds):")
    asyncio.run(making_bench(args.rounds))
    print("An image's cost as the library grows (median of tries):")
    asyncio.run(growth_bench(args.tries))


if __name__ == "__main__":
    main()
