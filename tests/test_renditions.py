"""Renditions over HTTP: the size, format and crop asked, negotiated formats, srcset, placeholders,
signed URLs and every refusal, the JSON-LD list, removal with the image and the store's bound."""

import base64
import io
import json
import re
from datetime import timedelta
from typing import Any

import httpx
import pytest
from bson import ObjectId
from PIL import Image, ImageChops, ImageDraw, features
from pydantic import SecretStr
from pymongo import monitoring

from api.settings import Settings
from cms.clock import utcnow
from cms.media import addresses, files, library, renditions, signing
from cms.media.library import Limits
from cms.media.model import LibraryImage
from cms.media.renditions import StoredRendition, stored_bytes
from cms.media.sizes import Fit, Format, Rendition
from tests import images
from tests.factories import FACTORY, make_article
from tests.graphql_client import GraphQLClient, app_serving

ARTICLE_IMAGE = """
query ($slug: String!, $width: Int, $height: Int, $fit: ImageFit, $format: ImageFormat) {
  article(slug: $slug) {
    image {
      url(width: $width, height: $height, fit: $fit, format: $format)
    }
  }
}
"""
SRCSET = """
query ($slug: String!, $widths: [Int!], $aspect: String, $format: ImageFormat) {
  article(slug: $slug) { image { srcset(widths: $widths, aspect: $aspect, format: $format) } }
}
"""
PLACEHOLDER = 'query { article(slug: "marked") { image { placeholder } } }'
STRUCTURED = 'query { article(slug: "marked") { structuredData } }'
IMMUTABLE = "public, max-age=31536000, immutable"
KEY_A = "a" * 40
KEY_B = "b" * 40
# The marked test picture: grey, 2000 x 1000, with a red square around its focal point.
MARK = (1700, 100, 1800, 200)
FOCAL = (0.875, 0.15)


def marked_jpeg(exif_gps: bool = False) -> bytes:
    picture = Image.new("RGB", (2000, 1000), (128, 128, 128))
    ImageDraw.Draw(picture).rectangle(MARK, fill=(255, 0, 0))
    exif = Image.Exif()
    if exif_gps:
        exif[0x010F] = "Camera maker"
        exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0)}  # GPS: where it was taken
    return images.encoded(picture, "JPEG", quality=92, exif=exif)


async def add(
    data: bytes, focal: tuple[float, float] = (0.5, 0.5), filename: str = "photo.jpg"
) -> LibraryImage:
    limits = Limits(max_bytes=50_000_000, max_pixels=50_000_000)
    added = await library.add_image(
        actor=FACTORY, data=data, filename=filename, values={"focal": focal}, limits=limits
    )
    return added.image


async def article_with(image: LibraryImage, slug: str = "marked") -> None:
    from cms.articles import Image as ArticleImage

    await make_article(slug=slug, image=ArticleImage(id=image.id, alt="A red mark"))


async def url_of(client: GraphQLClient, slug: str = "marked", **asked: Any) -> str:
    data = await client.data(ARTICLE_IMAGE, {"slug": slug, **asked})
    url: str = data["article"]["image"]["url"]
    return url


def local(url: str) -> str:
    """The path of a URL the API gave out, to ask the app in the test."""
    assert url.startswith("http://localhost:8000/media/"), url
    return url.removeprefix("http://localhost:8000")


def red_pixels(picture: Image.Image) -> int:
    red, green, blue = picture.convert("RGB").split()
    mask = ImageChops.multiply(
        ImageChops.multiply(red.point(lambda v: 255 if v > 200 else 0), green.point(low)),
        blue.point(low),
    )
    return int(mask.histogram()[255])


def low(value: int) -> int:
    return 255 if value < 80 else 0


async def fetched(
    http: httpx.AsyncClient, url: str, accept: str = "image/*"
) -> tuple[httpx.Response, Image.Image]:
    response = await http.get(local(url), headers={"accept": accept})
    assert response.status_code == 200, response.text
    return response, Image.open(io.BytesIO(response.content))


@pytest.fixture
async def marked(client: GraphQLClient) -> LibraryImage:
    image = await add(marked_jpeg(exif_gps=True), FOCAL)
    await article_with(image)
    return image


async def test_a_cover_rendition_has_the_size_and_format_asked_and_keeps_the_focal_point(
    client: GraphQLClient, marked: LibraryImage
) -> None:
    square = await url_of(client, width=600, height=600, format="WEBP")
    wide = await url_of(client, width=1000, height=560, format="JPEG")

    square_answer, square_picture = await fetched(client.http, square)
    wide_answer, wide_picture = await fetched(client.http, wide)

    # 600 rounds up to 640; 1000 x 560 is 16:9 at 1024.
    assert square_picture.format == "WEBP"
    assert square_picture.size == (640, 640)
    assert square_answer.headers["content-type"] == "image/webp"
    assert wide_picture.format == "JPEG"
    assert wide_picture.size == (1024, 576)
    # The red mark at the focal point, far right and near the top, is in both crops.
    assert red_pixels(square_picture) > 0.8 * (100 * 640 / 1000) ** 2
    assert red_pixels(wide_picture) > 0
    # Stripped: no EXIF (the camera, the GPS position), no profile.
    for picture in (square_picture, wide_picture):
        assert dict(picture.getexif()) == {}
        assert "icc_profile" not in picture.info
    assert square_answer.headers["cache-control"] == IMMUTABLE
    assert "vary" not in square_answer.headers
    assert re.fullmatch(r'"[0-9a-f]{32}"', square_answer.headers["etag"])
    assert wide_answer.headers["etag"] != square_answer.headers["etag"]


async def test_a_centred_crop_would_lose_the_mark_and_contain_keeps_everything(
    client: GraphQLClient,
) -> None:
    centred = await add(marked_jpeg())
    await article_with(centred, slug="centred")

    cover = await url_of(client, slug="centred", width=640, height=640, format="JPEG")
    contain = await url_of(client, slug="centred", width=640, height=640, fit="CONTAIN")

    _, cropped = await fetched(client.http, cover)
    _, whole = await fetched(client.http, contain)
    assert cropped.size == (640, 640)
    assert red_pixels(cropped) == 0
    assert whole.size == (640, 320)
    assert red_pixels(whole) > 0


async def test_no_rendition_is_larger_than_the_original(client: GraphQLClient) -> None:
    small = await add(images.jpeg(500, 300))
    await article_with(small, slug="small")

    url = await url_of(client, slug="small", width=2000)

    _, picture = await fetched(client.http, url, accept="image/jpeg")
    assert picture.size == (500, 300)


async def test_an_exif_turned_photo_is_rendered_upright(client: GraphQLClient) -> None:
    # Stored 300 x 200 on its side (orientation 6: turn 90 degrees clockwise to display).
    stored = Image.new("RGB", (300, 200), (128, 128, 128))
    ImageDraw.Draw(stored).rectangle((0, 0, 299, 19), fill=(255, 0, 0))  # top, as stored
    exif = Image.Exif()
    exif[0x0112] = 6
    turned = await add(images.encoded(stored, "JPEG", exif=exif, quality=95))
    await article_with(turned, slug="turned")

    _, picture = await fetched(client.http, await url_of(client, slug="turned", format="JPEG"))

    assert picture.size == (200, 300)
    # Stored along the top, shown along the right edge.
    right = picture.crop((185, 0, 200, 300))
    assert red_pixels(right) > 0.8 * 15 * 300


async def test_auto_is_negotiated_by_accept(client: GraphQLClient, marked: LibraryImage) -> None:
    url = await url_of(client, width=480)
    assert url.endswith(".auto")

    answers = {
        accept: await client.http.get(local(url), headers={"accept": accept})
        for accept in (
            "image/avif,image/webp,image/*,*/*;q=0.8",
            "image/webp,*/*",
            "image/avif;q=0,image/webp",
            "*/*",
            "",
        )
    }

    types = [answer.headers["content-type"] for answer in answers.values()]
    assert types == ["image/avif", "image/webp", "image/webp", "image/jpeg", "image/jpeg"]
    for answer in answers.values():
        assert answer.headers["vary"] == "Accept"
        assert answer.headers["cache-control"] == IMMUTABLE
        assert Image.open(io.BytesIO(answer.content)).size == (480, 240)
    first = next(iter(answers.values()))
    again = await client.http.get(
        local(url), headers={"accept": "image/avif", "if-none-match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


async def test_srcset_lists_one_url_per_width_the_original_allows(
    client: GraphQLClient, marked: LibraryImage
) -> None:
    every = await client.data(SRCSET, {"slug": "marked"})
    chosen = await client.data(
        SRCSET, {"slug": "marked", "widths": [300, 700, 5000], "aspect": "16:9", "format": "WEBP"}
    )

    entries = every["article"]["image"]["srcset"].split(", ")
    assert [entry.rsplit(" ", 1)[1] for entry in entries] == [
        "320w",
        "480w",
        "640w",
        "800w",
        "1024w",
        "1200w",
        "1600w",
        "2000w",
    ]
    picked = chosen["article"]["image"]["srcset"].split(", ")
    # 5000 is more than the original allows: its largest 16:9 crop is 1777 pixels wide.
    assert [entry.rsplit(" ", 1)[1] for entry in picked] == ["320w", "800w", "1777w"]
    for entry in picked:
        link, width = entry.rsplit(" ", 1)
        _, picture = await fetched(client.http, link)
        assert picture.format == "WEBP"
        assert picture.size[0] == int(width[:-1])
        assert abs(picture.size[0] / picture.size[1] - 16 / 9) < 0.01


async def test_the_placeholder_is_a_tiny_data_uri(
    client: GraphQLClient, marked: LibraryImage
) -> None:
    data = await client.data(PLACEHOLDER)
    again = await client.data(PLACEHOLDER)

    uri = data["article"]["image"]["placeholder"]
    assert uri == again["article"]["image"]["placeholder"]
    assert uri.startswith("data:image/webp;base64,")
    assert len(uri) < 1024
    picture = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert picture.size == (16, 8)


async def test_an_image_elsewhere_keeps_its_url(client: GraphQLClient) -> None:
    await make_article(slug="elsewhere")

    data = await client.data(
        'query { article(slug: "elsewhere") { image { url(width: 640, format: WEBP) '
        "srcset placeholder } } }"
    )

    image = data["article"]["image"]
    assert image["url"].startswith("https://img.test/")
    assert (image["srcset"], image["placeholder"]) == (None, None)


async def test_json_ld_lists_three_aspects_at_least_1200_pixels_wide(
    client: GraphQLClient,
) -> None:
    big = await add(images.jpeg(4000, 3000))
    small = await add(images.jpeg(800, 600, colour="green"))
    await article_with(big, slug="marked")
    await article_with(small, slug="small")

    def listed(data: dict[str, Any]) -> list[str]:
        found: list[str] = json.loads(data["article"]["structuredData"])["image"]
        return found

    urls = listed(await client.data(STRUCTURED))
    small_urls = listed(await client.data('query { article(slug: "small") { structuredData } }'))

    sizes = [(await fetched(client.http, url))[1].size for url in urls]
    assert sizes == [(1200, 675), (1200, 900), (1200, 1200)]
    assert all(url.endswith(".jpg") for url in urls)
    assert [(await fetched(client.http, url))[1].size for url in small_urls] == [(800, 600)]


def signed(rendition: Rendition) -> str:
    """A URL signed with the tests' key for any rendition, whether the server makes it or not."""
    return signing.path(rendition, signing.Keys.of(Settings()))


def original(image: str, width: int, aspect: str = "original") -> Rendition:
    return Rendition(image, width, aspect, Fit.COVER, (500, 500), Format.JPEG)


async def test_each_bad_url_is_refused(client: GraphQLClient, marked: LibraryImage) -> None:
    good = local(await url_of(client, width=640, format="JPEG"))
    tampered = good.replace("/640-", "/800-")
    assert tampered != good
    unlisted = signed(original(marked.id, 700))
    upscaled = signed(original(marked.id, 2048))
    other_aspect = signed(original(marked.id, 640, "3:2"))
    unknown = signed(original("cd" * 32, 640))
    forged = f"/media/{marked.id}/s.{'A' * 22}/640-original-cover-500-500.jpg"

    answers = {
        name: await client.http.get(path)
        for name, path in {
            "good": good,
            "tampered": tampered,
            "unsigned": forged,
            "unlisted": unlisted,
            "upscaled": upscaled,
            "other aspect": other_aspect,
            "unknown image": unknown,
            "not a rendition": f"/media/{marked.id}",
        }.items()
    }

    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {
        "good": 200,
        "tampered": 403,
        "unsigned": 403,
        "unlisted": 404,
        "upscaled": 404,
        "other aspect": 404,
        "unknown image": 404,
        "not a rendition": 404,
    }
    for name, answer in answers.items():
        if name != "good":
            assert answer.headers["cache-control"] == "no-store", name
            code = answer.json()["errors"][0]["extensions"]["code"]
            assert code == ("MEDIA_URL_INVALID" if statuses[name] == 403 else "MEDIA_NOT_FOUND")


async def test_bad_arguments_are_refused(client: GraphQLClient, marked: LibraryImage) -> None:
    codes = [
        await client.error_code(ARTICLE_IMAGE, {"slug": "marked", "width": 0}),
        await client.error_code(SRCSET, {"slug": "marked", "aspect": "3:2"}),
        await client.error_code(SRCSET, {"slug": "marked", "widths": []}),
        await client.error_code(SRCSET, {"slug": "marked", "widths": list(range(1, 30))}),
    ]

    assert codes == ["BAD_USER_INPUT"] * 4


async def test_avif_is_refused_clearly_where_pillow_cannot_write_it(
    client: GraphQLClient, marked: LibraryImage, monkeypatch: pytest.MonkeyPatch
) -> None:
    avif = local(await url_of(client, width=320, format="AVIF"))
    auto = local(await url_of(client, width=320))
    real = features.check
    monkeypatch.setattr(features, "check", lambda name: name != "avif" and real(name))

    body = await client.execute(ARTICLE_IMAGE, {"slug": "marked", "format": "AVIF"})
    refused = await client.http.get(avif)
    negotiated = await client.http.get(auto, headers={"accept": "image/avif,image/webp"})

    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "cannot encode AVIF" in body["errors"][0]["message"]
    assert refused.status_code == 404
    assert "cannot encode AVIF" in refused.json()["errors"][0]["message"]
    assert negotiated.headers["content-type"] == "image/webp"


async def test_rotated_keys_keep_old_urls_working(settings: Settings) -> None:
    old_keys = settings.model_copy(update={"media_keys": SecretStr(f"k1:{KEY_A}")})
    rotated = settings.model_copy(update={"media_keys": SecretStr(f"k2:{KEY_B},k1:{KEY_A}")})
    dropped = settings.model_copy(update={"media_keys": SecretStr(f"k2:{KEY_B}")})

    async with app_serving(old_keys) as http:
        image = await add(images.jpeg(700, 500))
        await article_with(image)
        client = GraphQLClient(http)
        old = local(await url_of(client, width=320))
    async with app_serving(rotated) as http:
        client = GraphQLClient(http)
        new = local(await url_of(client, width=320))
        answers = [(await http.get(path)).status_code for path in (old, new)]
    async with app_serving(dropped) as http:
        after = [(await http.get(path)).status_code for path in (old, new)]

    assert "/k1." in old
    assert "/k2." in new
    assert answers == [200, 200]
    assert after == [403, 200]


async def test_renditions_go_with_their_image(client: GraphQLClient, settings: Settings) -> None:
    image = await add(images.jpeg(900, 600))
    other = await add(images.jpeg(900, 600, colour="green"))
    urls = [addresses.url(image, settings, width=width) for width in (320, 640)]
    kept = addresses.url(other, settings, width=320)
    for url in [*urls, kept]:
        await fetched(client.http, url)

    await library.delete_image(actor=FACTORY, image_id=image.id)
    await client.sync()

    answers = [(await client.http.get(local(url))).status_code for url in urls]
    assert answers == [404, 404]
    assert await StoredRendition.find(StoredRendition.image == image.id).count() == 0
    assert await StoredRendition.find(StoredRendition.image == other.id).count() == 1
    files = LibraryImage.get_pymongo_collection().database["media.files"]
    assert await files.count_documents({"metadata.image": image.id}) == 0
    assert (await client.http.get(local(kept))).status_code == 200


async def test_the_store_keeps_its_bound_least_recently_used_out(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every use counts at once (in service, at most every few minutes per process).
    monkeypatch.setattr(renditions, "TOUCH_EVERY", timedelta(0))
    bounded = settings.model_copy(update={"media_store_max_bytes": 200_000, "media_cache_bytes": 0})
    async with app_serving(bounded) as http:
        client = GraphQLClient(http)
        image = await add(images.noise_jpeg(1024, 768, quality=90))
        await article_with(image)
        first = local(await url_of(client, width=320, format="JPEG"))
        made = [first]
        sizes_made = []
        for width in (480, 640):
            path = local(await url_of(client, width=width, format="JPEG"))
            made.append(path)
            response = await http.get(first)  # the first is used again, and again
            assert response.status_code == 200
            answer = await http.get(path)
            sizes_made.append(len(answer.content))
            assert answer.status_code == 200
        total = await stored_bytes()
        kept = {record.id.rsplit("/", 1)[1] for record in await StoredRendition.find().to_list()}

    assert total <= 200_000
    assert sum(sizes_made) > 200_000  # so something had to go
    assert first.rsplit("/", 1)[1] in kept  # the most used stayed
    assert made[-1].rsplit("/", 1)[1] in kept  # and the newest
    assert made[1].rsplit("/", 1)[1] not in kept  # the least recently used went


async def test_cmyk_transparency_and_animation_come_out_as_browsers_show_them(
    client: GraphQLClient, settings: Settings
) -> None:
    cyan = await add(images.encoded(Image.new("CMYK", (400, 300), (255, 0, 0, 0)), "JPEG"))
    clear = Image.new("RGBA", (400, 300), (0, 0, 255, 0))
    ImageDraw.Draw(clear).rectangle((0, 0, 199, 299), fill=(0, 0, 255, 255))
    transparent = await add(images.encoded(clear, "PNG"), filename="clear.png")
    frames = [Image.new("RGB", (400, 300), colour) for colour in ("red", "blue")]
    animated = await add(
        images.encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100),
        filename="moving.gif",
    )

    _, from_cmyk = await fetched(client.http, addresses.url(cyan, settings, format=Format.JPEG))
    _, on_white = await fetched(
        client.http, addresses.url(transparent, settings, format=Format.JPEG)
    )
    _, with_alpha = await fetched(
        client.http, addresses.url(transparent, settings, format=Format.WEBP)
    )
    _, first_frame = await fetched(
        client.http, addresses.url(animated, settings, format=Format.WEBP)
    )

    red, green, blue = from_cmyk.convert("RGB").getpixel((200, 150))  # type: ignore[misc]
    # Cyan, not inverted or black.
    assert red < 60
    assert green > 190
    assert blue > 190
    assert from_cmyk.mode == "RGB"
    assert on_white.getpixel((300, 150)) == pytest.approx((255, 255, 255), abs=8)
    assert on_white.getpixel((100, 150)) == pytest.approx((0, 0, 255), abs=40)
    assert with_alpha.mode == "RGBA"
    assert with_alpha.getpixel((300, 150))[3] == 0  # type: ignore[index]
    assert getattr(first_frame, "n_frames", 1) == 1
    assert first_frame.convert("RGB").getpixel((200, 150)) == pytest.approx((255, 0, 0), abs=40)


async def test_colours_are_converted_to_srgb_from_the_files_profile(
    client: GraphQLClient, settings: Settings
) -> None:
    # Given a photo whose profile says its first channel is green, painted (255, 0, 0).
    painted = Image.new("RGB", (400, 300), (255, 0, 0))
    tagged = await add(images.encoded(painted, "JPEG", icc_profile=images.SWAPPED_PROFILE))

    _, picture = await fetched(client.http, addresses.url(tagged, settings, format=Format.JPEG))

    # Then the rendition is green in sRGB, and carries no profile of its own.
    assert picture.getpixel((200, 150)) == pytest.approx((0, 255, 0), abs=40)
    assert "icc_profile" not in picture.info


async def test_the_upkeep_clears_what_renditions_cut_short_left(
    client: GraphQLClient, settings: Settings
) -> None:
    kept = await add(images.jpeg(700, 500))
    gone = await add(images.jpeg(700, 500, colour="green"))
    for image in (kept, gone):
        await fetched(client.http, addresses.url(image, settings, width=320))
    long_ago = utcnow() - timedelta(hours=1)
    collection = StoredRendition.get_pymongo_collection()
    # A claim whose process died; bytes written by a process that died before its record; an
    # image deleted without its renditions (its process died between the two).
    await collection.insert_one(
        {
            "_id": f"{kept.id}/480-original-cover-500-500.webp",
            "image": kept.id,
            "state": "claimed",
            "owner": "dead",
            "claimed_at": long_ago,
        }
    )
    orphan = ObjectId()
    await files.write_file(
        orphan,
        b"x" * 1000,
        filename="480-original-cover-500-500.jpg",
        uploaded_at=long_ago,
        metadata={"kind": "rendition", "image": kept.id, "rendition": f"{kept.id}/other.jpg"},
    )
    await LibraryImage.get_pymongo_collection().delete_one({"_id": gone.id})
    bucket = collection.database["media.files"]
    await bucket.update_many({}, {"$set": {"uploadDate": long_ago}})

    removed = await renditions.sweep()

    assert removed == 3
    left = [record.id for record in await StoredRendition.find().to_list()]
    assert left == [f"{kept.id}/320-original-cover-500-500.jpg"]
    assert await bucket.count_documents({"_id": orphan}) == 0
    assert (
        await bucket.count_documents({"metadata.image": gone.id, "metadata.kind": "rendition"}) == 0
    )
    assert await bucket.count_documents({"metadata.image": kept.id}) == 2  # original, rendition


class ChunkReads(monitoring.CommandListener):
    """Counts the reads of GridFS chunks (originals and renditions)."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find" and event.command.get("find") == "media.chunks":
            self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_several_sizes_of_one_image_read_its_original_once(settings: Settings) -> None:
    reads = ChunkReads()
    async with app_serving(settings, reads) as http:
        image = await add(images.noise_jpeg(2000, 1400))  # several chunks
        chunks = files.chunk_count(image.length)
        reads.count = 0
        for width in (320, 480, 640, 800):
            await fetched(http, addresses.url(image, settings, width=width, format=Format.WEBP))

    assert chunks > 1
    # The original's chunks once, and nothing read back of the renditions just made.
    assert reads.count == chunks


async def test_an_original_in_gridfs_default_chunks_is_rendered_and_deleted(
    client: GraphQLClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = images.noise_jpeg(1300, 1000)
    # Stored as Newsroom stored originals before its chunks grew (GridFS's 255 KiB).
    monkeypatch.setattr(files, "CHUNK_SIZE", files.GRIDFS_CHUNK_SIZE)
    image = await add(photo)
    monkeypatch.undo()
    chunks = LibraryImage.get_pymongo_collection().database[files.CHUNKS]
    stored = await chunks.count_documents({"files_id": image.file_id})

    answer, picture = await fetched(
        client.http, addresses.url(image, settings, width=640, format=Format.WEBP)
    )
    read = await library.image_bytes(image)
    await library.delete_image(actor=FACTORY, image_id=image.id)

    assert stored == files.chunk_count(len(photo), files.GRIDFS_CHUNK_SIZE) > 1
    assert stored > files.chunk_count(len(photo))
    assert read == photo
    assert (answer.headers["content-type"], picture.size) == ("image/webp", (640, 492))
    assert await chunks.count_documents({"files_id": image.file_id}) == 0


async def test_a_hot_rendition_is_answered_from_memory(settings: Settings) -> None:
    reads = ChunkReads()
    async with app_serving(settings, reads) as http:
        image = await add(images.noise_jpeg(1200, 800))
        url = addresses.url(image, settings, width=640, format=Format.WEBP)
        first, _ = await fetched(http, url)
        reads.count = 0
        again = [(await fetched(http, url))[0] for _ in range(3)]

    assert reads.count == 0  # neither the original nor the rendition read again
    assert {answer.content for answer in again} == {first.content}


async def test_a_claim_left_by_a_dead_process_is_taken_over(
    client: GraphQLClient, settings: Settings
) -> None:
    image = await add(images.jpeg(700, 500))
    url = addresses.url(image, settings, width=320, format=Format.JPEG)
    key = f"{image.id}/{url.rsplit('/', 1)[1]}"
    # A process claimed it, then died: its claim is older than the lease.
    await StoredRendition.get_pymongo_collection().insert_one(
        {
            "_id": key,
            "image": image.id,
            "state": "claimed",
            "owner": "dead",
            "claimed_at": utcnow() - renditions.LEASE - timedelta(seconds=1),
            "renders": 1,
        }
    )

    _, picture = await fetched(client.http, url)

    assert picture.size == (320, 229)
    record = await StoredRendition.get(key)
    assert record is not None
    assert (record.state, record.renders) == ("ready", 2)
    assert record.owner != "dead"
