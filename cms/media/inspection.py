"""Checking and measuring an image file: what it is, how large, and whether it decodes whole.

Run in `cms.offload`'s worker process (`inspect_image`), never on the event loop: hashing 25 MB
and decoding 50 megapixels take a second of CPU. Everything is judged from the bytes: a name or
media type that says otherwise is refused, not believed. The pixel limit is checked from the
header, before any pixel is decoded, so a small file declaring 30,000 x 30,000 pixels costs
nothing. The first frame is then decoded (JPEG at an eighth of its size: the whole file is still
read) and turned the way renditions will turn it (`normalised`), so what is stored is known to
make renditions.
"""

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from PIL import Image, ImageOps, UnidentifiedImageError

from cms.errors import ImageProblem as Problem

# The formats the library takes (Pillow's names) and their media types; those Pillow cannot read
# here (HEIF without a plugin) are refused as unsupported.
MEDIA_TYPES = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "AVIF": "image/avif",
    "HEIF": "image/heif",
}
EXTENSIONS = {
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".jpe": "JPEG",
    ".png": "PNG",
    ".gif": "GIF",
    ".webp": "WEBP",
    ".avif": "AVIF",
    ".heic": "HEIF",
    ".heif": "HEIF",
}
# The extension each format's files are given (`fixtures export`).
SUFFIXES = {
    "JPEG": ".jpg",
    "PNG": ".png",
    "GIF": ".gif",
    "WEBP": ".webp",
    "AVIF": ".avif",
    "HEIF": ".heic",
}
# What each format's file starts with (WebP and the ISO formats at an offset: see `_sniffed`).
_SIGNATURES = {
    b"\xff\xd8\xff": "JPEG",
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
# Media types browsers send for a file they know nothing about: no claim.
_NO_CLAIM = {"", "application/octet-stream", "binary/octet-stream"}


def readable_formats() -> list[str]:
    """The accepted formats this Pillow can read."""
    Image.init()
    return [name for name in MEDIA_TYPES if name in Image.OPEN]


@dataclass(frozen=True, slots=True)
class Refusal:
    problem: Problem
    message: str


@dataclass(frozen=True, slots=True)
class Facts:
    """What an accepted file is."""

    sha256: str
    format: str
    media_type: str
    width: int
    height: int
    orientation: int
    mode: str
    frames: int


def _sniffed(data: bytes) -> str | None:
    """The accepted format the first bytes announce, "SVG", or None."""
    for signature, name in _SIGNATURES.items():
        if data.startswith(signature):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[4:8] == b"ftyp":
        brand = data[8:12]
        if brand in _AVIF_BRANDS:
            return "AVIF"
        if brand in _HEIF_BRANDS:
            return "HEIF"
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype svg")) or b"<svg" in head:
        return "SVG"
    return None


def _claimed(filename: str, content_type: str | None) -> tuple[str | None, str | None]:
    """The formats the name and the media type claim (None: no claim); "SVG" or "?" (a type or
    extension that is no accepted format) for the ones refused by name."""
    suffix = PurePath(filename).suffix.lower()
    by_name = EXTENSIONS.get(suffix) or ("SVG" if suffix in {".svg", ".svgz"} else None)
    if by_name is None and suffix and suffix[1:].isalnum():
        by_name = "?"
    media = (content_type or "").split(";")[0].strip().lower()
    by_type = None
    if media not in _NO_CLAIM:
        if media == "image/svg+xml":
            by_type = "SVG"
        else:
            types = {value: name for name, value in MEDIA_TYPES.items()} | {
                "image/jpg": "JPEG",
                "image/pjpeg": "JPEG",
                "image/heic": "HEIF",
                "image/heic-sequence": "HEIF",
                "image/heif-sequence": "HEIF",
            }
            by_type = types.get(media, "?")
    return by_name, by_type


def _accepted_list() -> str:
    return ", ".join("WebP" if name == "WEBP" else name for name in readable_formats())


def _refuse_format(found: str | None, claimed: str | None) -> Refusal | None:
    """Refusals that need no decoding: SVG, HEIF here, content that is not what it claims."""
    if "SVG" in {found, claimed}:
        return Refusal(
            Problem.UNSUPPORTED_FORMAT,
            "SVG images are not accepted: they can carry scripts. Upload a PNG or JPEG instead.",
        )
    if found == "HEIF" and "HEIF" not in readable_formats():
        return Refusal(
            Problem.UNSUPPORTED_FORMAT,
            "HEIC/HEIF images cannot be read here: export the photo as JPEG "
            f"(accepted: {_accepted_list()}).",
        )
    return None


def _mismatch(actual: str, filename: str, content_type: str | None) -> Refusal | None:
    by_name, by_type = _claimed(filename, content_type)
    for claim, what in ((by_name, f"named {filename!r}"), (by_type, f"sent as {content_type}")):
        if claim is not None and claim != actual:
            shown = "an unknown kind" if claim == "?" else claim
            return Refusal(
                Problem.NOT_WHAT_IT_CLAIMS,
                f"The file is {what} ({shown}) but holds a {actual} image: rename it or convert "
                "it, so that what it says is what it is.",
            )
    return None


def normalised(image: Image.Image) -> Image.Image:
    """The current frame as renditions start from it: the EXIF orientation applied, and 8-bit
    RGB (RGBA where it has transparency), whatever its mode (CMYK, 16-bit, palette...)."""
    turned = ImageOps.exif_transpose(image)
    mode = turned.mode
    if mode in {"RGB", "RGBA"}:
        return turned
    if mode.startswith("I;16") or mode == "I":
        # 16 bits a sample: keep the top 8 (convert("L") would clip everything above 255).
        return turned.convert("I").point(lambda value: value / 256).convert("L").convert("RGB")
    if mode == "F":
        return turned.convert("L").convert("RGB")
    transparent = mode in {"LA", "PA", "RGBa", "La"} or (
        mode == "P" and "transparency" in turned.info
    )
    return turned.convert("RGBA" if transparent else "RGB")


def inspect_image(
    data: bytes, filename: str, content_type: str | None, max_bytes: int, max_pixels: int
) -> Facts | Refusal:
    """What the file is, or why it is refused. A module-level function of plain data, for the
    worker process."""
    if not data:
        return Refusal(Problem.CORRUPT, "The file is empty.")
    if len(data) > max_bytes:
        return Refusal(
            Problem.TOO_LARGE,
            f"The file is {len(data):,} bytes; images may be at most {max_bytes:,} bytes.",
        )
    found = _sniffed(data)
    by_name, by_type = _claimed(filename, content_type)
    refused = _refuse_format(found, by_name) or _refuse_format(found, by_type)
    if refused is not None:
        return refused
    if found is None:
        return Refusal(
            Problem.UNSUPPORTED_FORMAT,
            f"The file is not an image Newsroom accepts ({_accepted_list()}).",
        )
    return _decoded(data, found, filename, content_type, max_pixels)


def _decoded(
    data: bytes, found: str, filename: str, content_type: str | None, max_pixels: int
) -> Facts | Refusal:
    corrupt = Refusal(
        Problem.CORRUPT, f"The file starts as a {found} image but is damaged or cut short."
    )
    try:
        with warnings.catch_warnings():
            # Pillow's own guard warns from 89 megapixels and refuses from 178; ours is below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[found])
    except Image.DecompressionBombError as error:
        return _too_many(_declared(str(error)), max_pixels)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        return corrupt
    with image:
        if image.format != found:
            return corrupt
        mismatch = _mismatch(found, filename, content_type)
        if mismatch is not None:
            return mismatch
        width, height = image.size
        if width * height > max_pixels:
            return _too_many((width, height), max_pixels)
        try:
            orientation = int(image.getexif().get(0x0112, 1))
            frames = int(getattr(image, "n_frames", 1))
            image.seek(0)
            mode = image.mode
            if found == "JPEG":
                # Every byte is still decoded, at an eighth of the pixels.
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
            normalised(image)
        except (OSError, SyntaxError, ValueError, EOFError, KeyError, IndexError):
            return corrupt
    if orientation not in range(1, 9):
        orientation = 1
    if orientation >= 5:
        width, height = height, width
    return Facts(
        sha256=hashlib.sha256(data).hexdigest(),
        format=found,
        media_type=MEDIA_TYPES[found],
        width=width,
        height=height,
        orientation=orientation,
        mode=mode,
        frames=frames,
    )


def _declared(message: str) -> int | None:
    """The pixel count in Pillow's refusal ("Image size (900000000 pixels) exceeds ...")."""
    found = re.search(r"\((\d+) pixels\)", message)
    return int(found[1]) if found else None


def _too_many(size: tuple[int, int] | int | None, max_pixels: int) -> Refusal:
    if isinstance(size, tuple):
        shown = f"{size[0]:,} x {size[1]:,} pixels"
    else:
        shown = f"{size:,} pixels" if size else "far too many pixels"
    return Refusal(
        Problem.TOO_MANY_PIXELS,
        f"The image declares {shown}; images may have at most {max_pixels:,} pixels "
        f"({max_pixels / 1e6:g} megapixels).",
    )
