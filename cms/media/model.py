"""An image of the library as the store keeps it, and what editors may say about it."""

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from cms.clock import as_utc
from cms.text.plaintext import PlainLine, PlainParagraphs

COLLECTION = "images"
# An image's id: the SHA-256 of its bytes, in lowercase hexadecimal.
IMAGE_ID = re.compile(r"^[0-9a-f]{64}$")
MAX_CAPTION = 1000


class FocalPoint(BaseModel):
    """Where the subject is, as fractions of the width and height from the top left: crops
    (renditions) keep it in frame."""

    model_config = ConfigDict(frozen=True)

    x: float = Field(default=0.5, ge=0, le=1)
    y: float = Field(default=0.5, ge=0, le=1)


CENTRE = FocalPoint()


class ImageDetails(BaseModel):
    """What editors write about an image: the library's values, which articles start from."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    alt: PlainLine = ""
    caption: PlainParagraphs = Field(default="", max_length=MAX_CAPTION)
    credit: PlainLine = ""
    focal: FocalPoint = CENTRE


class LibraryImage(Document):
    """One image of the library. Its bytes are GridFS file `file_id` (`cms.media.files`)."""

    id: str  # type: ignore[assignment]  # the SHA-256 of the bytes (`IMAGE_ID`)
    file_id: PydanticObjectId
    filename: str
    # Pillow's name of the format (JPEG, PNG, GIF, WEBP, AVIF) and its media type.
    format: str
    media_type: str
    length: int
    # As displayed: with the EXIF orientation applied (orientations 5 to 8 swap them).
    width: int
    height: int
    # EXIF orientation (1: as stored), applied by renditions.
    orientation: int = 1
    # Pillow's mode as stored (RGB, RGBA, L, P, CMYK, I;16...): renditions convert to sRGB.
    mode: str
    # More than one for an animated GIF or WebP (kept as is; renditions use the first frame).
    frames: int = 1
    alt: str = ""
    caption: str = ""
    credit: str = ""
    focal: FocalPoint = CENTRE
    uploaded_at: datetime
    uploaded_by: str
    updated_at: datetime
    updated_by: str
    version: int = 1
    recent_ops: list[str] = Field(default_factory=list)

    @field_validator("uploaded_at", "updated_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)

    @property
    def details(self) -> ImageDetails:
        return ImageDetails(
            alt=self.alt, caption=self.caption, credit=self.credit, focal=self.focal
        )

    @property
    def animated(self) -> bool:
        return self.frames > 1

    class Settings:
        name = COLLECTION
        # The library, newest first (`media list`, the desk's Media page).
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("uploaded_at", DESCENDING), ("_id", DESCENDING)])
        ]


def stored(image: LibraryImage) -> dict[str, Any]:
    """The document as the store keeps it, without `_id` and `recent_ops`."""
    values: dict[str, Any] = image.model_dump(exclude={"id", "recent_ops"})
    return values


ImageId = Annotated[str, Field(pattern=IMAGE_ID.pattern)]


class PendingFile(Document):
    """Bytes written without (or before removing) their image: kept until the image document
    says whether they are its file, then dropped, or the bytes removed (`cms.media.staging`)."""

    id: PydanticObjectId  # the GridFS file id
    image: str
    length: int
    at: datetime
    owner: str

    class Settings:
        name = "media_pending"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("at", ASCENDING)])]
