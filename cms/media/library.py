"""The media library: adding, describing, finding and deleting images.

What the API's mutations, the `media` commands, fixture loads and the desk call. Checking a file
happens in `cms.offload`'s worker (`inspection`), never on the event loop. The image document is
written through the journal (`cms.spine.journal`), with its event, after its bytes
(`cms.media.files`), under a note that makes the whole upload all or nothing (`staging`).
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Any

from beanie import PydanticObjectId, SortDirection
from pydantic import ValidationError

from cms.access import Actor
from cms.articles import Article
from cms.clock import utcnow
from cms.config import Settings
from cms.content import ArticleContent, FieldProblem, StrictImage, field_problems
from cms.errors import (
    ImageInUseError,
    ImageNotFoundError,
    ImageProblem,
    ImageRefusedError,
    InvalidContentError,
)
from cms.media import files, renditions, staging
from cms.media.inspection import Facts, Refusal, inspect_image
from cms.media.model import COLLECTION, IMAGE_ID, FocalPoint, ImageDetails, LibraryImage, stored
from cms.offload import off_loop
from cms.spine import journal
from cms.spine.events import Event, EventType
from cms.spine.journal import Change, ChangeKind, ChangeRefused, Operation, new_op_id
from cms.store.batches import find_in
from cms.text.body import checked

# Articles named when an image in use cannot be deleted.
SHOWN_USERS = 5
MAX_FILENAME = 200
# What an article may say of its image itself; the library's are the defaults.
TEXT_FIELDS = ("caption", "credit", "alt")
# What the library's search looks in.
SEARCHED = ("alt", "caption", "credit", "filename")


@dataclass(frozen=True, slots=True)
class Limits:
    """What the library takes: bytes per file and pixels per image."""

    max_bytes: int
    max_pixels: int

    @classmethod
    def of(cls, settings: Settings) -> "Limits":
        return cls(max_bytes=settings.upload_max_bytes, max_pixels=settings.upload_max_pixels)


@dataclass(frozen=True, slots=True)
class Added:
    """An upload's image, and whether the library held the same file already (then nothing was
    stored, and its alt text, caption, credit and focal point are the ones it had)."""

    image: LibraryImage
    existed: bool


def refused(result: Facts | Refusal) -> Facts:
    """The facts, or the refusal raised as the caller's error."""
    if isinstance(result, Refusal):
        raise ImageRefusedError(result.problem, result.message)
    return result


async def inspect(data: bytes, *, filename: str, content_type: str | None, limits: Limits) -> Facts:
    """What the file is (ImageRefusedError if the library does not take it), worked out in the
    worker process: the event loop only hands the bytes over."""
    if len(data) > limits.max_bytes:  # not worth sending over
        return refused(inspect_image(data, filename, content_type, limits.max_bytes, 0))
    result = await off_loop(
        inspect_image, data, filename, content_type, limits.max_bytes, limits.max_pixels
    )
    return refused(result)


def focal_point(x: float, y: float, *, field: str = "focalPoint") -> FocalPoint:
    """A focal point from its coordinates; ImageRefusedError unless each is from 0 to 1."""
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise ImageRefusedError(
            ImageProblem.INVALID_FOCAL_POINT,
            f"A focal point's x and y are each from 0 to 1 (from the top left); got {x:g}, {y:g}.",
            field=field,
        )
    return FocalPoint(x=x, y=y)


def details(values: Mapping[str, Any]) -> ImageDetails:
    """What editors wrote about an image, checked by the content rules (plain text); `focal` a
    FocalPoint, `{x, y}` or `[x, y]`."""
    values = dict(values)
    focal = values.pop("focal", None)
    if isinstance(focal, Mapping):
        focal = focal_point(float(focal["x"]), float(focal["y"]))
    elif isinstance(focal, list | tuple):
        focal = focal_point(float(focal[0]), float(focal[1]))
    try:
        described = ImageDetails.model_validate(values)
    except ValidationError as error:
        raise InvalidContentError(field_problems(error)) from None
    return described.model_copy(update={"focal": focal}) if focal is not None else described


def clean_filename(filename: str) -> str:
    """The file's own name, without folders, as the library shows and exports it."""
    name = PurePath(filename.replace("\\", "/")).name.strip()
    return "".join(c for c in name if c.isprintable())[:MAX_FILENAME] or "image"


def _event(op_id: str, kind: EventType, actor: Actor, image_id: str, at: datetime) -> Event:
    return Event(
        event_id=f"{op_id}:0",
        type=kind,
        at=at,
        actor=actor.name,
        actor_id=actor.id,
        subject=image_id,
    )


def new_image(
    facts: Facts,
    *,
    filename: str,
    length: int,
    values: ImageDetails,
    actor: Actor,
) -> LibraryImage:
    """The document of a new image (its bytes to be written as a new GridFS file)."""
    now = utcnow()
    return LibraryImage(
        id=facts.sha256,
        file_id=PydanticObjectId(),
        filename=clean_filename(filename),
        format=facts.format,
        media_type=facts.media_type,
        length=length,
        width=facts.width,
        height=facts.height,
        orientation=facts.orientation,
        mode=facts.mode,
        frames=facts.frames,
        alt=values.alt,
        caption=values.caption,
        credit=values.credit,
        focal=values.focal,
        uploaded_at=now,
        uploaded_by=actor.name,
        updated_at=now,
        updated_by=actor.name,
    )


def plan_add(image: LibraryImage, actor: Actor) -> Operation:
    """The journal operation that makes `image` part of the library (refused if it is there)."""
    op_id = new_op_id()
    change = Change(
        collection=COLLECTION, target=image.id, kind=ChangeKind.INSERT, document=stored(image)
    )
    event = _event(op_id, EventType.IMAGE_ADDED, actor, image.id, image.uploaded_at)
    return Operation(
        id=op_id, at=image.uploaded_at, actor=actor.name, changes=[change], events=[event]
    )


async def store_bytes(image: LibraryImage, data: bytes) -> None:
    """Write the image's bytes as its GridFS file (the caller holds a staging note for it)."""
    await files.write_file(
        image.file_id,
        data,
        filename=image.filename,
        uploaded_at=image.uploaded_at,
        metadata={"contentType": image.media_type, "image": image.id, "kind": "original"},
    )


async def add_image(
    *,
    actor: Actor,
    data: bytes,
    filename: str,
    content_type: str | None = None,
    values: Mapping[str, Any] | None = None,
    limits: Limits,
) -> Added:
    """Add a file to the library, or find it there: the same bytes are one image.

    ImageRefusedError (nothing stored) for a file the library does not take; InvalidContentError
    for text that breaks the content rules.
    """
    described = details(values or {})
    facts = await inspect(data, filename=filename, content_type=content_type, limits=limits)
    existing = await LibraryImage.get(facts.sha256)
    if existing is not None:
        return Added(existing, existed=True)
    image = new_image(facts, filename=filename, length=len(data), values=described, actor=actor)
    return await store_new(image, data, actor=actor)


async def store_new(image: LibraryImage, data: bytes, *, actor: Actor) -> Added:
    """Store a checked file as a new image: its bytes, then its document (the moment it is
    part of the library), all or nothing (`staging`)."""
    async with staging.noted(image.file_id, image=image.id, length=len(data)):
        await store_bytes(image, data)
        try:
            await journal.run(plan_add(image, actor))
        except ChangeRefused:
            # The same file, added meanwhile by someone else: theirs is the image.
            return Added(await get_image(image.id), existed=True)
    return Added(image, existed=False)


def parse_image_id(image_id: str) -> str | None:
    value = image_id.strip().lower()
    return value if IMAGE_ID.match(value) else None


async def get_image(image_id: str) -> LibraryImage:
    """The image with this id; ImageNotFoundError if there is none."""
    parsed = parse_image_id(image_id)
    found = await LibraryImage.get(parsed) if parsed else None
    if found is None:
        raise ImageNotFoundError(image_id)
    return found


async def images_by_ids(image_ids: Sequence[str]) -> dict[str, LibraryImage]:
    """The images among these ids that exist, by key (what a DataLoader batches)."""
    found = await find_in(LibraryImage.get_pymongo_collection(), "_id", image_ids)
    return {document["_id"]: LibraryImage.model_validate(document) for document in found}


def _matching(text: str) -> dict[str, Any]:
    """Images whose alt text, caption, credit or file name hold `text`, whatever its case.

    A scan of the library on either store (it has no text index): the desk's search, for editors,
    paged and bounded by `first`, never a reader's request."""
    pattern = {"$regex": re.escape(text), "$options": "i"}
    return {"$or": [{name: pattern} for name in SEARCHED]}


async def list_images(
    *, first: int, after: tuple[datetime, str] | None = None, text: str = ""
) -> list[LibraryImage]:
    """The newest images first, `first` of them, after the position (upload time, id) given;
    only those that hold `text` (in alt text, caption, credit or file name) if it is given."""
    conditions: list[dict[str, Any]] = []
    if after is not None:
        at, image_id = after
        conditions.append(
            {"$or": [{"uploaded_at": {"$lt": at}}, {"uploaded_at": at, "_id": {"$lt": image_id}}]}
        )
    if text.strip():
        conditions.append(_matching(text.strip()))
    query: dict[str, Any] = (
        {"$and": conditions} if len(conditions) > 1 else next(iter(conditions), {})
    )
    return (
        await LibraryImage.find(query)
        .sort([("uploaded_at", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)])
        .limit(first)
        .to_list()
    )


async def image_bytes(image: LibraryImage) -> bytes:
    """The original file, as uploaded (never for the public: it may carry EXIF location)."""
    return await files.read_file(image.file_id, image.length)


async def update_image(*, actor: Actor, image_id: str, changes: Mapping[str, Any]) -> LibraryImage:
    """Change the library's alt text, caption, credit or focal point of an image. Articles keep
    the text they have; the focal point is the image's, wherever it is used."""
    current = await get_image(image_id)
    described = details({**current.details.model_dump(), **changes})
    before, after = current.details.model_dump(), described.model_dump()
    changed = {name: value for name, value in after.items() if value != before[name]}
    if not changed:
        return current
    now = utcnow()
    fields = {
        **changed,
        "updated_at": now,
        "updated_by": actor.name,
        "version": current.version + 1,
    }
    op_id = new_op_id()
    change = Change(collection=COLLECTION, target=current.id, kind=ChangeKind.UPDATE, set=fields)
    event = _event(op_id, EventType.IMAGE_UPDATED, actor, current.id, now)
    event.data = {"changed": sorted(changed)}
    await journal.run(
        Operation(id=op_id, at=now, actor=actor.name, changes=[change], events=[event])
    )
    updated: LibraryImage = current.model_copy(update={**fields, "focal": described.focal})
    return updated


async def users(image_id: str, *, limit: int = SHOWN_USERS) -> tuple[list[str], int]:
    """Slugs of (up to `limit`) articles, in any status, that show this image, and how many: as
    their hero image, or in their current body (an `::image` or a gallery's).

    On MongoDB the index on `image.id` answers the first; bodies are searched for the ID, then
    those that hold it are parsed, so that an ID merely written in the text is no use (an
    editor's deletion, not a reader's request).
    """
    collection = Article.get_pymongo_collection()
    hero = {"image.id": image_id}
    count = await collection.count_documents(hero)
    found = await collection.find(hero, {"slug": 1}).limit(limit).to_list() if count else []
    slugs = [document["slug"] for document in found]
    # The ID is hex digits: nothing in it is special to a regular expression.
    mentioned = collection.find(
        {"body": {"$regex": image_id}, "image.id": {"$ne": image_id}}, {"slug": 1, "body": 1}
    )
    async for document in mentioned:
        if image_id in (await checked(document["body"])).image_ids:
            count += 1
            if len(slugs) < limit:
                slugs.append(document["slug"])
    return sorted(slugs), count


async def delete_image(*, actor: Actor, image_id: str) -> LibraryImage:
    """Delete an image no article uses, and its bytes. Revisions that showed it keep its id."""
    current = await get_image(image_id)
    slugs, count = await users(current.id)
    if count:
        raise ImageInUseError(current.id, slugs, count)
    now = utcnow()
    op_id = new_op_id()
    change = Change(collection=COLLECTION, target=current.id, kind=ChangeKind.DELETE)
    event = _event(op_id, EventType.IMAGE_DELETED, actor, current.id, now)
    async with staging.noted(current.file_id, image=current.id, length=current.length):
        await journal.run(
            Operation(id=op_id, at=now, actor=actor.name, changes=[change], events=[event])
        )
    # Its renditions go with it (each process's memory forgets them on the event).
    await renditions.prune_image(current.id)
    return current


def with_defaults(image: StrictImage, library: LibraryImage) -> StrictImage:
    """The article's image with the library's text where the article's is empty."""
    return image.model_copy(
        update={name: getattr(image, name) or getattr(library, name) for name in TEXT_FIELDS}
    )


async def referenced(content: ArticleContent) -> ArticleContent:
    """`content` whose image, if it is one of the library, exists, with the library's caption,
    credit and alt text wherever the article's are empty (so each article keeps its own)."""
    image = content.image
    if image is None or not image.id:
        return content
    found = await LibraryImage.get(image.id)
    if found is None:
        problem = FieldProblem(
            "image.id", f"no image of the media library has the ID {image.id[:12]}... (deleted?)"
        )
        raise InvalidContentError([problem])
    return content.model_copy(update={"image": with_defaults(image, found)})


@dataclass(frozen=True, slots=True)
class Batch:
    """Images to add together with other writes (a fixture load): the library's values for each
    image asked for, those new to it with their bytes, and the journal operations that add them
    (run with the load, so that they appear with its articles or not at all)."""

    library: dict[str, LibraryImage]
    new: list[tuple[LibraryImage, bytes]]
    operations: list[Operation]


async def plan_batch(
    wanted: Mapping[str, tuple[Facts, bytes, str, ImageDetails]], *, actor: Actor
) -> Batch:
    """Plan adding these images (by id: facts, bytes, file name, details); those already in the
    library stay as they are."""
    existing = await images_by_ids(list(wanted))
    new = [
        new_image(facts, filename=name, length=len(data), values=values, actor=actor)
        for image_id, (facts, data, name, values) in wanted.items()
        if image_id not in existing
    ]
    return Batch(
        library=existing | {image.id: image for image in new},
        new=[(image, wanted[image.id][1]) for image in new],
        operations=[plan_add(image, actor) for image in new],
    )


async def store_batch(batch: Batch) -> list[PydanticObjectId]:
    """Write the new images' bytes, each under a staging note; the file ids, for `staging.settle`
    once the operations ran (or did not)."""
    noted: list[PydanticObjectId] = []
    for image, data in batch.new:
        await staging.note(image.file_id, image=image.id, length=len(data))
        noted.append(image.file_id)
        await store_bytes(image, data)
    return noted
