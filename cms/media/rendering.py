"""Making one rendition's bytes from an original: run in `cms.offload`'s worker, never on the loop.

Decoding is the cost, so a JPEG is decoded at the smallest power-of-two reduction that still
covers the output (`draft`), and the resize reduces by whole factors before its Lanczos pass
(`reducing_gap`). The EXIF orientation is applied, the colours are converted from the file's
ICC profile to sRGB, and nothing of the original's metadata (EXIF, GPS, camera, profile) is
written out: a rendition is pixels only.
"""

import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageCms, ImageFilter, ImageOps, features

from cms.media.inspection import normalised
from cms.media.sizes import Format

# Encoder settings: visually clean at a typical article size, and small.
JPEG_QUALITY = 82
WEBP_QUALITY = 80
AVIF_QUALITY = 60
AVIF_SPEED = 7
# Resize in whole-factor steps (`Image.reduce`) down to this multiple of the output, then Lanczos.
REDUCING_GAP = 3.0
PLACEHOLDER_BLUR = 1.2
PLACEHOLDER_QUALITY = 40
_SRGB = ImageCms.createProfile("sRGB")


def can_encode(format: Format) -> bool:
    """Whether this Pillow writes `format` (AVIF needs Pillow built with libavif)."""
    if format is Format.AVIF:
        return bool(features.check("avif"))
    return format is not Format.AUTO


@dataclass(frozen=True, slots=True)
class Made:
    data: bytes
    width: int
    height: int


def _opened(original: bytes | IO[bytes], source_format: str) -> Image.Image:
    with warnings.catch_warnings():
        # Checked against the library's own pixel limit when it was added.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        file = io.BytesIO(original) if isinstance(original, bytes) else original
        image = Image.open(file, formats=[source_format])
    image.seek(0)
    return image


def _in_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """The image converted from its embedded ICC profile to sRGB (as it is, without one)."""
    if not icc or image.mode not in {"RGB", "RGBA", "CMYK", "L"}:
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: the pixels as they are beat no rendition at all
    return converted if converted is not None else image


def decoded(
    original: bytes | IO[bytes],
    source_format: str,
    display: tuple[int, int],
    crop: tuple[float, float, float, float],
    size: tuple[int, int],
) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """The original decoded no larger than the output needs, as displayed, in sRGB 8-bit RGB(A);
    and the crop region in its pixels. `original` is the file's bytes, or the file, which may
    still be arriving (`cms.offload.Arriving`): only the pixels decoded need its rest."""
    image = _opened(original, source_format)
    orientation = int(image.getexif().get(0x0112, 1))
    crop_w, crop_h = crop[2] - crop[0], crop[3] - crop[1]
    needed = (display[0] * size[0] / crop_w, display[1] * size[1] / crop_h)
    if orientation in range(5, 9):
        needed = (needed[1], needed[0])
    if source_format == "JPEG":
        image.draft(None, (max(1, int(needed[0])), max(1, int(needed[1]))))
    icc = image.info.get("icc_profile")
    image.load()
    turned = ImageOps.exif_transpose(image)
    ready = normalised(_in_srgb(turned, icc))
    scale_x, scale_y = ready.width / display[0], ready.height / display[1]
    region = (crop[0] * scale_x, crop[1] * scale_y, crop[2] * scale_x, crop[3] * scale_y)
    return ready, region


def _encoded(image: Image.Image, output: str, *, quality: int | None = None) -> bytes:
    buffer = io.BytesIO()
    image.info = {}  # no EXIF, no ICC profile, no comments: pixels only
    if output == "JPEG":
        if image.mode == "RGBA":
            flat = Image.new("RGB", image.size, "white")
            flat.paste(image, mask=image.getchannel("A"))
            image = flat
        image.save(buffer, "JPEG", quality=quality or JPEG_QUALITY, optimize=True, progressive=True)
    elif output == "WEBP":
        image.save(buffer, "WEBP", quality=quality or WEBP_QUALITY, method=4)
    elif output == "AVIF":
        image.save(buffer, "AVIF", quality=quality or AVIF_QUALITY, speed=AVIF_SPEED)
    else:
        raise ValueError(f"no rendition format {output!r}")
    return buffer.getvalue()


def render(
    original: bytes | IO[bytes],
    source_format: str,
    display: tuple[int, int],
    crop: tuple[float, float, float, float],
    size: tuple[int, int],
    output: str,
) -> Made:
    """The rendition: the `crop` region of the original (as displayed), resized to `size`, in
    `output` (JPEG, WEBP or AVIF). Module-level and plain data, for the worker process."""
    image, region = decoded(original, source_format, display, crop, size)
    resized = image.resize(size, Image.Resampling.LANCZOS, box=region, reducing_gap=REDUCING_GAP)
    return Made(_encoded(resized, output), resized.width, resized.height)


def placeholder(
    original: bytes | IO[bytes], source_format: str, display: tuple[int, int], size: tuple[int, int]
) -> Made:
    """A tiny blurred WebP of the whole picture, to show while the rendition loads."""
    whole = (0.0, 0.0, float(display[0]), float(display[1]))
    image, region = decoded(original, source_format, display, whole, size)
    tiny = image.resize(size, Image.Resampling.BOX, box=region, reducing_gap=REDUCING_GAP)
    blurred = tiny.filter(ImageFilter.GaussianBlur(PLACEHOLDER_BLUR))
    return Made(_encoded(blurred, "WEBP", quality=PLACEHOLDER_QUALITY), *blurred.size)
