"""The public addresses of a library image's renditions: one URL, a srcset, the JSON-LD list.

What GraphQL's `Image.url`, `Image.srcset` and an article's JSON-LD hand out. Each URL is
absolute (`media_url`), names one rendition that `sizes.plan` allows, and is signed.
"""

import math
from collections.abc import Sequence
from typing import TypedDict, Unpack

from cms.config import Settings
from cms.media import signing, sizes
from cms.media.model import LibraryImage
from cms.media.sizes import Fit, Format, Rendition

# Google's article guidance: images at least this wide, in these aspects.
STRUCTURED_WIDTH = 1200
STRUCTURED_ASPECTS = ("16:9", "4:3", "1:1")


class Asked(TypedDict, total=False):
    """What a caller may ask of a rendition (`sizes.plan` decides what it gets)."""

    width: int | None
    height: int | None
    fit: Fit
    format: Format


def planned(image: LibraryImage, settings: Settings, **asked: Unpack[Asked]) -> Rendition:
    return sizes.plan(
        image=image.id,
        original=(image.width, image.height),
        focal=(image.focal.x, image.focal.y),
        width=asked.get("width"),
        height=asked.get("height"),
        fit=asked.get("fit", Fit.COVER),
        format=asked.get("format", Format.AUTO),
        widths=settings.media_widths,
        aspects=settings.media_aspects,
    )


def address(rendition: Rendition, settings: Settings) -> str:
    return settings.media_url + signing.path(rendition, signing.Keys.of(settings))


def url(image: LibraryImage, settings: Settings, **asked: Unpack[Asked]) -> str:
    """The signed URL of the rendition nearest what was asked (`sizes.plan`)."""
    return address(planned(image, settings, **asked), settings)


def srcset(
    image: LibraryImage,
    settings: Settings,
    *,
    widths: Sequence[int] | None = None,
    aspect: str | None = None,
    format: Format = Format.AUTO,
) -> str:
    """An HTML `srcset`: one signed URL per distinct width (`URL 640w, ...`), in one aspect (the
    original's by default). No widths: every configured one the original allows."""
    keys = signing.Keys.of(settings)
    ratio = sizes.ratio(aspect) if aspect else None
    entries: dict[int, str] = {}
    for asked in sorted(widths or settings.media_widths):
        height = max(1, round(asked / ratio)) if ratio else None
        rendition = planned(image, settings, width=asked, height=height, format=format)
        width = sizes.box(rendition, (image.width, image.height)).size[0]
        entries.setdefault(width, settings.media_url + signing.path(rendition, keys))
    return ", ".join(f"{link} {width}w" for width, link in sorted(entries.items()))


def structured(image: LibraryImage, settings: Settings) -> list[str]:
    """For an article's JSON-LD `image`: JPEG renditions in 16:9, 4:3 and 1:1, each at least
    1,200 pixels wide where the original allows; otherwise the largest it allows."""
    original = (image.width, image.height)
    found: dict[Rendition, None] = {}
    for aspect in STRUCTURED_ASPECTS:
        height = round(STRUCTURED_WIDTH / sizes.ratio(aspect))
        rendition = planned(
            image, settings, width=STRUCTURED_WIDTH, height=height, format=Format.JPEG
        )
        wanted = rendition.aspect == aspect or (
            rendition.aspect == sizes.ORIGINAL
            and math.isclose(sizes.ratio(aspect), image.width / image.height, rel_tol=0.005)
        )
        if wanted and sizes.box(rendition, original).size[0] >= STRUCTURED_WIDTH:
            found[rendition] = None
    if not found:
        found[planned(image, settings, format=Format.JPEG)] = None
    return [address(rendition, settings) for rendition in found]
