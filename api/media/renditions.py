"""The GraphQL words for renditions: how an image fills its box, and in which format."""

from enum import Enum

import strawberry

from api.coded_errors import BadUserInput
from cms.media import sizes
from cms.media.rendering import can_encode


@strawberry.enum(description="How a rendition fills the box of the width and height asked.")
class ImageFit(Enum):
    COVER = strawberry.enum_value(
        sizes.Fit.COVER,
        description="Fill the box, cropped around the image's focal point (the default).",
    )
    CONTAIN = strawberry.enum_value(
        sizes.Fit.CONTAIN, description="The whole picture, scaled to fit inside the box."
    )


@strawberry.enum(description="The file format of a rendition.")
class ImageFormat(Enum):
    AUTO = strawberry.enum_value(
        sizes.Format.AUTO,
        description="Chosen per request by its `Accept` header: AVIF, then WebP, then JPEG "
        "(answered with `Vary: Accept`). The default.",
    )
    JPEG = strawberry.enum_value(sizes.Format.JPEG, description="JPEG: every browser shows it.")
    WEBP = strawberry.enum_value(sizes.Format.WEBP, description="WebP.")
    AVIF = strawberry.enum_value(
        sizes.Format.AVIF, description="AVIF (refused if this server's Pillow cannot write it)."
    )


def encodable(format: ImageFormat) -> sizes.Format:
    """The format, or BAD_USER_INPUT if this server cannot write it."""
    chosen = sizes.Format[format.name]
    if chosen is not sizes.Format.AUTO and not can_encode(chosen):
        raise BadUserInput(
            f"This server cannot encode {chosen.name} images (its Pillow lacks the codec): "
            "ask for AUTO, WEBP or JPEG."
        )
    return chosen


def checked_aspect(aspect: str | None, allowed: list[str]) -> str | None:
    """An aspect like `16:9` among those configured, or BAD_USER_INPUT."""
    if aspect is None or aspect in allowed:
        return aspect
    raise BadUserInput(
        f"{aspect!r} is not an aspect this server makes renditions in: "
        f"{', '.join(allowed)} (or leave it out for the original's)."
    )
