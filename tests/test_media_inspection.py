"""What the media library takes, judged from the bytes: the odd images cameras and agencies send
are taken and turned the way renditions will turn them; anything else is refused, never a crash."""

import io
import struct
import tracemalloc

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from cms.config import Settings
from cms.errors import ImageProblem
from cms.media.inspection import Facts, Refusal, inspect_image, normalised
from tests import images

MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 50_000_000


def inspected(data: bytes, name: str = "file", content_type: str | None = None) -> Facts:
    result = inspect_image(data, name, content_type, MAX_BYTES, MAX_PIXELS)
    assert isinstance(result, Facts), result
    return result


def first_frame(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        return normalised(image)


def test_cmyk_is_taken_and_turned_to_rgb() -> None:
    data = images.encoded(Image.new("CMYK", (30, 20), (0, 255, 255, 0)), "JPEG")

    facts = inspected(data, "agency.jpg")
    frame = first_frame(data)

    assert (facts.mode, facts.width, facts.height) == ("CMYK", 30, 20)
    assert frame.mode == "RGB"
    red, green, blue = frame.getpixel((15, 10))  # type: ignore[misc]
    assert red > 200
    assert max(green, blue) < 60


def test_16_bit_grey_keeps_its_tones() -> None:
    # 61% grey, far above what 8 bits hold.
    grey = Image.frombytes("I;16", (30, 20), struct.pack("<H", 40_000) * 600)

    data = images.encoded(grey, "PNG")
    frame = first_frame(data)

    assert inspected(data, "scan.png").mode == "I;16"
    assert frame.mode == "RGB"
    assert frame.getpixel((0, 0)) == (156, 156, 156)  # 40,000 / 256, not clipped to white


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_is_applied(orientation: int) -> None:
    # 40 wide, 20 high as stored; its left half red, right half blue.
    stored = Image.new("RGB", (40, 20), "blue")
    stored.paste((255, 0, 0), (0, 0, 20, 20))
    exif = stored.getexif()
    exif[0x0112] = orientation
    data = images.encoded(stored, "JPEG", exif=exif, quality=95)

    facts = inspected(data, "phone.jpg")
    frame = first_frame(data)

    turned = orientation >= 5
    assert facts.orientation == orientation
    assert (facts.width, facts.height) == ((20, 40) if turned else (40, 20))
    assert frame.size == (facts.width, facts.height)
    # Where the stored left (red) half ends up, for each of the eight orientations.
    red_at = {1: (5, 10), 2: (35, 10), 3: (35, 10), 4: (5, 10), 5: (10, 5), 6: (10, 5),
              7: (10, 35), 8: (10, 35)}[orientation]  # fmt: skip
    assert frame.getpixel(red_at)[0] > 200  # type: ignore[index]


@pytest.mark.parametrize("format", ["GIF", "WEBP"])
def test_an_animation_is_taken_as_it_is_and_renditions_use_its_first_frame(format: str) -> None:
    frames = [Image.new("RGB", (24, 16), colour) for colour in ("red", "lime", "blue")]
    data = images.encoded(frames[0], format, save_all=True, append_images=frames[1:], duration=100)

    facts = inspected(data, f"animated.{format.lower()}")
    frame = first_frame(data)

    assert facts.frames == 3
    assert frame.getpixel((12, 8))[0] > 200  # type: ignore[index]


def test_a_decompression_bomb_is_refused_from_its_header_without_allocating_pixels() -> None:
    bomb = images.png_declaring(30_000, 30_000)

    tracemalloc.start()
    try:
        result = inspect_image(bomb, "bomb.png", "image/png", MAX_BYTES, MAX_PIXELS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert isinstance(result, Refusal)
    assert result.problem is ImageProblem.TOO_MANY_PIXELS
    assert "900,000,000 pixels" in result.message
    assert peak < 1024 * 1024  # 900 megapixels would be 2.7 GB


def test_the_pixel_limit_is_a_setting() -> None:
    result = inspect_image(images.png(200, 100), "wide.png", None, MAX_BYTES, 19_999)

    assert isinstance(result, Refusal)
    assert result.problem is ImageProblem.TOO_MANY_PIXELS
    assert "200 x 100 pixels" in result.message


@pytest.mark.slow
def test_the_default_limits_are_25_mb_and_50_megapixels() -> None:
    fields = Settings.model_fields
    max_bytes, max_pixels = (
        fields[name].default for name in ("upload_max_bytes", "upload_max_pixels")
    )
    at_size = b"\xff\xd8\xff" + bytes(25 * 1024 * 1024 - 3)

    over_size = inspect_image(at_size + b"\0", "big.jpg", None, max_bytes, max_pixels)
    at_limit = inspect_image(at_size, "big.jpg", None, max_bytes, max_pixels)
    over_pixels = inspect_image(
        images.png_declaring(10_000, 5_001), "big.png", None, max_bytes, max_pixels
    )

    assert isinstance(over_size, Refusal)
    assert over_size.problem is ImageProblem.TOO_LARGE
    assert isinstance(at_limit, Refusal)
    assert at_limit.problem is ImageProblem.CORRUPT  # read, not refused for its size
    assert isinstance(over_pixels, Refusal)
    assert over_pixels.problem is ImageProblem.TOO_MANY_PIXELS
    assert "at most 50,000,000 pixels (50 megapixels)" in over_pixels.message


@pytest.mark.parametrize(
    ("name", "content_type"),
    [("photo.JPG", None), ("photo", "image/jpeg"), ("photo.jpeg", "image/pjpeg"),
     ("blob", "application/octet-stream")],
)  # fmt: skip
def test_names_and_types_that_agree_with_the_bytes_are_taken(
    name: str, content_type: str | None
) -> None:
    assert inspected(images.jpeg(), name, content_type).format == "JPEG"


VALID = [images.jpeg(32, 24), images.png(32, 24), images.encoded(Image.new("RGB", (8, 8)), "GIF")]


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=2048),
        st.tuples(st.sampled_from(VALID), st.integers(0, 2000), st.integers(1, 255)).map(
            lambda damage: _damaged(*damage)
        ),
        st.tuples(st.sampled_from(VALID), st.integers(0, 2000)).map(lambda cut: cut[0][: cut[1]]),
    ),
    st.sampled_from(["x.jpg", "x.png", "x.gif", "x", "x.svg", "x.heic"]),
)
def test_any_bytes_are_taken_or_refused_never_a_crash(data: bytes, name: str) -> None:
    result = inspect_image(data, name, None, MAX_BYTES, MAX_PIXELS)

    assert isinstance(result, Facts | Refusal)


def _damaged(data: bytes, at: int, flip: int) -> bytes:
    position = at % len(data)
    return data[:position] + bytes([data[position] ^ flip]) + data[position + 1 :]
