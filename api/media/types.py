"""The GraphQL face of the media library: its images, their focal points, and what editors send."""

from datetime import datetime
from typing import Self

import strawberry
from strawberry import relay

from cms.media.model import FocalPoint as StoredFocalPoint
from cms.media.model import LibraryImage as StoredImage

TYPE_NAME = "LibraryImage"


def library_image_id(image_id: str) -> strawberry.ID:
    """The global ID of the library image `image_id` (its SHA-256)."""
    return strawberry.ID(str(relay.GlobalID(TYPE_NAME, image_id)))


@strawberry.type(
    description="Where the subject of an image is, as fractions of its width (`x`) and height "
    "(`y`) from the top left corner: crops keep it in frame."
)
class FocalPoint:
    x: float = strawberry.field(description="From 0 (left edge) to 1 (right edge).")
    y: float = strawberry.field(description="From 0 (top edge) to 1 (bottom edge).")

    @classmethod
    def of(cls, focal: StoredFocalPoint) -> Self:
        return cls(x=focal.x, y=focal.y)


@strawberry.input(description="A focal point: `x` and `y` each from 0 to 1, from the top left.")
class FocalPointInput:
    x: float = strawberry.field(description="From 0 (left edge) to 1 (right edge).")
    y: float = strawberry.field(description="From 0 (top edge) to 1 (bottom edge).")


@strawberry.input(
    description="What the library says of an image: the defaults of every article that shows it."
)
class ImageDetailsInput:
    alt: str | None = strawberry.field(
        default=strawberry.UNSET, description="Text alternative, for readers who cannot see it."
    )
    caption: str | None = strawberry.field(
        default=strawberry.UNSET, description="What it shows, as printed under it."
    )
    credit: str | None = strawberry.field(
        default=strawberry.UNSET, description="Who took or supplied it, e.g. REUTERS."
    )
    focal_point: FocalPointInput | None = strawberry.field(
        default=strawberry.UNSET, description="Where its subject is (the centre by default)."
    )

    def values(self) -> dict[str, object]:
        """The fields given, as `cms.media.library` takes them."""
        values: dict[str, object] = {
            name: getattr(self, name)
            for name in ("alt", "caption", "credit")
            if getattr(self, name) not in (strawberry.UNSET, None)
        }
        focal = self.focal_point
        if focal is not strawberry.UNSET and focal is not None:
            values["focal"] = {"x": focal.x, "y": focal.y}
        return values


@strawberry.type(
    description="An image of the media library, as editors see it. The original file is never "
    "served to the public (it may carry the camera's EXIF data, its location included)."
)
class LibraryImage:
    id: strawberry.ID = strawberry.field(
        description="Its global ID: give it as an article's `image.id`."
    )
    filename: str = strawberry.field(description="The file's name when it was added.")
    format: str = strawberry.field(description="JPEG, PNG, GIF, WEBP or AVIF.")
    media_type: str = strawberry.field(description="The original's media type, e.g. image/jpeg.")
    byte_size: int = strawberry.field(description="The original's size in bytes.")
    width: int = strawberry.field(description="Width in pixels, as displayed (EXIF turned).")
    height: int = strawberry.field(description="Height in pixels, as displayed (EXIF turned).")
    animated: bool = strawberry.field(description="Whether it has more than one frame.")
    alt: str = strawberry.field(description="The library's text alternative.")
    caption: str = strawberry.field(description="The library's caption.")
    credit: str = strawberry.field(description="The library's credit.")
    focal_point: FocalPoint = strawberry.field(description="Where its subject is.")
    sha256: str = strawberry.field(description="The SHA-256 of the file: one image per file.")
    uploaded_at: datetime = strawberry.field(description="When it was added (UTC).")
    uploaded_by: str = strawberry.field(
        description="Who added it: a token's name, or `cli:<user>`."
    )
    updated_at: datetime = strawberry.field(description="When its details last changed (UTC).")

    @classmethod
    def of(cls, image: StoredImage) -> Self:
        return cls(
            id=library_image_id(image.id),
            filename=image.filename,
            format=image.format,
            media_type=image.media_type,
            byte_size=image.length,
            width=image.width,
            height=image.height,
            animated=image.animated,
            alt=image.alt,
            caption=image.caption,
            credit=image.credit,
            focal_point=FocalPoint.of(image.focal),
            sha256=image.id,
            uploaded_at=image.uploaded_at,
            uploaded_by=image.uploaded_by,
            updated_at=image.updated_at,
        )
