"""Which rendition a request gets: its width, aspect, crop and format, from a short list.

Pure arithmetic, no Pillow. A width asked is rounded up to the next allowed one (`media_widths`),
a height to the nearest allowed aspect (`media_aspects`, or the original's own), and nothing is
ever made larger than the original: so whatever the public asks, the server only ever makes a
few renditions of each image, and a URL names exactly one of them (`cms.media.signing`).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

# The aspect token of the original's own proportions.
ORIGINAL = "original"
# A focal point travels in URLs in thousandths: enough for any crop, and one spelling per point.
FOCAL_STEPS = 1000


class Fit(StrEnum):
    COVER = "cover"  # fill the box, cropped around the focal point
    CONTAIN = "contain"  # the whole picture, inside the box


class Format(StrEnum):
    AUTO = "auto"  # AVIF, WebP or JPEG, as the request's Accept header allows
    JPEG = "jpeg"
    WEBP = "webp"
    AVIF = "avif"


MEDIA_TYPES = {Format.JPEG: "image/jpeg", Format.WEBP: "image/webp", Format.AVIF: "image/avif"}
EXTENSIONS = {Format.JPEG: "jpg", Format.WEBP: "webp", Format.AVIF: "avif", Format.AUTO: "auto"}


def ratio(aspect: str) -> float:
    """`16:9` as 16/9."""
    width, _, height = aspect.partition(":")
    return int(width) / int(height)


def token(aspect: str) -> str:
    """The aspect as URLs spell it: `16x9`, or `original`."""
    return aspect.replace(":", "x")


def aspect_of_token(value: str) -> str:
    return value.replace("x", ":") if value != ORIGINAL else ORIGINAL


@dataclass(frozen=True, slots=True)
class Rendition:
    """One rendition of one image: what a URL names, and the key it is stored under."""

    image: str
    width: int  # the box's width, one of `media_widths` or the most the original allows
    aspect: str  # `16:9` (one of `media_aspects`) or ORIGINAL
    fit: Fit
    focal: tuple[int, int]  # in thousandths; (500, 500) when it changes nothing
    format: Format

    @property
    def name(self) -> str:
        """The file name in its URL: `1200-16x9-cover-500-300.webp`."""
        fx, fy = self.focal
        return f"{self.width}-{token(self.aspect)}-{self.fit}-{fx}-{fy}.{EXTENSIONS[self.format]}"

    def key(self, chosen: Format) -> str:
        """The key it is stored under once made in format `chosen` (AUTO decided)."""
        return f"{self.image}/{self.with_format(chosen).name}"

    def with_format(self, chosen: Format) -> "Rendition":
        return Rendition(self.image, self.width, self.aspect, self.fit, self.focal, chosen)


@dataclass(frozen=True, slots=True)
class Box:
    """How to make a rendition from the original (as displayed: EXIF orientation applied): the
    region to take (left, top, right, bottom, in pixels of the original) and the output size."""

    crop: tuple[float, float, float, float]
    size: tuple[int, int]


def rounded_width(asked: int, widths: Sequence[int]) -> int:
    """The first allowed width at least `asked`; the largest allowed if it is larger still."""
    for width in sorted(widths):
        if width >= asked:
            return width
    return max(widths)


def nearest_aspect(width: int, height: int, aspects: Sequence[str], original: float) -> str:
    """The allowed aspect (or ORIGINAL) nearest `width`:`height`, compared as ratios on a log
    scale (so 2:1 is as far from 1:1 as 1:2 is)."""
    wanted = math.log(width / height)
    candidates = [(ORIGINAL, original), *((aspect, ratio(aspect)) for aspect in aspects)]
    return min(candidates, key=lambda item: abs(math.log(item[1]) - wanted))[0]


def focal_steps(x: float, y: float) -> tuple[int, int]:
    return round(x * FOCAL_STEPS), round(y * FOCAL_STEPS)


def crop_region(
    size: tuple[int, int], aspect: float, focal: tuple[float, float]
) -> tuple[float, float, float, float]:
    """The largest region of an image of `size` with proportions `aspect`, placed so that the
    focal point (fractions) is as near its centre as the edges allow: always inside it."""
    width, height = size
    crop_w = min(float(width), height * aspect)
    crop_h = min(float(height), crop_w / aspect)
    crop_w = min(crop_w, crop_h * aspect)
    fx, fy = focal
    left = min(max(fx * width - crop_w / 2, 0.0), width - crop_w)
    top = min(max(fy * height - crop_h / 2, 0.0), height - crop_h)
    return left, top, left + crop_w, top + crop_h


def box(rendition: Rendition, original: tuple[int, int]) -> Box:
    """Where to crop the original and how large to make the rendition. Never larger than the
    original: a box wider than what it allows gets the original's own pixels."""
    width, height = original
    focal = (rendition.focal[0] / FOCAL_STEPS, rendition.focal[1] / FOCAL_STEPS)
    own = width / height
    target = own if rendition.aspect == ORIGINAL else ratio(rendition.aspect)
    if rendition.fit is Fit.CONTAIN or rendition.aspect == ORIGINAL:
        box_w, box_h = rendition.width, rendition.width / target
        scale = min(box_w / width, box_h / height, 1.0)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        return Box(crop=(0.0, 0.0, float(width), float(height)), size=size)
    crop = crop_region(original, target, focal)
    crop_w = crop[2] - crop[0]
    out_w = min(rendition.width, math.floor(crop_w))
    return Box(crop=crop, size=(max(1, out_w), max(1, round(out_w / target))))


def largest_width(original: tuple[int, int], aspect: str, fit: Fit) -> int:
    """The widest rendition the original allows in this aspect and fit."""
    width, height = original
    if fit is Fit.CONTAIN or aspect == ORIGINAL:
        return width
    return min(width, math.floor(height * ratio(aspect)))


def allowed_width(width: int, original: tuple[int, int], aspect: str, fit: Fit) -> int:
    """`width` (already one of the list), or the most the original allows if that is less."""
    return min(width, largest_width(original, aspect, fit))


def plan(
    *,
    image: str,
    original: tuple[int, int],
    focal: tuple[float, float],
    width: int | None,
    height: int | None,
    fit: Fit,
    format: Format,
    widths: Sequence[int],
    aspects: Sequence[str],
) -> Rendition:
    """The rendition to give for what was asked. No width: the original's (a height alone keeps
    the original's proportions); any width rounded up to the list; any height to the nearest
    aspect; the width capped at what the original allows (never upscaled)."""
    own = original[0] / original[1]
    if width is None:
        width = original[0] if height is None else max(1, round(height * own))
    aspect = ORIGINAL if height is None else nearest_aspect(width, height, aspects, own)
    if aspect != ORIGINAL and math.isclose(ratio(aspect), own, rel_tol=0.005):
        aspect = ORIGINAL  # the same proportions: one rendition, not two
    chosen = allowed_width(rounded_width(width, widths), original, aspect, fit)
    steps = (FOCAL_STEPS // 2, FOCAL_STEPS // 2)
    if fit is Fit.COVER and aspect != ORIGINAL:
        steps = focal_steps(*focal)
    elif fit is Fit.CONTAIN and aspect == ORIGINAL:
        fit = Fit.COVER  # the same picture either way: one spelling
    return Rendition(image, chosen, aspect, fit, steps, format)


def valid(
    rendition: Rendition, original: tuple[int, int], widths: Sequence[int], aspects: Sequence[str]
) -> bool:
    """Whether `rendition` is one `plan` gives for this original: what the server makes. A URL
    naming any other (a width off the list, an aspect not allowed) is refused."""
    own = original[0] / original[1]
    if rendition.aspect != ORIGINAL and (
        rendition.aspect not in aspects or math.isclose(ratio(rendition.aspect), own, rel_tol=0.005)
    ):
        return False
    cropped = rendition.fit is Fit.COVER and rendition.aspect != ORIGINAL
    if rendition.fit is Fit.CONTAIN and rendition.aspect == ORIGINAL:
        return False
    if not cropped and rendition.focal != (FOCAL_STEPS // 2, FOCAL_STEPS // 2):
        return False
    if not all(0 <= step <= FOCAL_STEPS for step in rendition.focal):
        return False
    largest = largest_width(original, rendition.aspect, rendition.fit)
    listed = rendition.width in widths and rendition.width <= largest
    capped = rendition.width == largest and largest < max(widths)
    return listed or capped
