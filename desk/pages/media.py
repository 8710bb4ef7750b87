"""The Media page (`/desk/media`): the library's images, newest first, with search and paging,
an upload form (a file picker; the page's script adds drag and drop), and each image's original
for signed-in people only.

Uploads call the same `cms.media.library` as the CLI and the API: each file is checked on its own
and said to be added, already in the library, or refused with the library's coded reason; one
refused file does not stop the others. Who may do what is `cms.media.permissions`.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from cms.errors import CallerError, ImageProblem, ImageRefusedError
from cms.media import library, permissions
from cms.media.files import MissingBytesError
from cms.media.model import LibraryImage
from cms.media.usage import Usage, usage
from desk.refusals import bad_request, not_found
from desk.state import desk_of
from desk.templates import page
from desk.uploads import MAX_FILES, read_upload
from desk.visitors import Visitor, check_csrf, require

log = logging.getLogger(__name__)

LIST = "/desk/media"
PAGE_SIZE = 24
MAX_SEARCH = 200
# The largest a thumbnail is drawn, in CSS pixels (the original, scaled by the browser, until
# renditions exist).
THUMBNAIL = 160


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one uploaded file."""

    filename: str
    image: LibraryImage | None = None
    existed: bool = False
    code: str = ""
    message: str = ""


def thumbnail_size(width: int, height: int) -> tuple[int, int]:
    """A picture's size drawn within THUMBNAIL pixels a side, its shape kept, never enlarged."""
    scale = min(1.0, THUMBNAIL / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))


def cursor(at: datetime, image_id: str) -> str:
    """A position in the library (after this upload time and id), as the address holds it."""
    return f"{at.isoformat()}_{image_id}"


def position(cursor: str) -> tuple[datetime, str] | None:
    """The position a `cursor` names (None for the first page); DeskRefusal (400) if none."""
    if not cursor:
        return None
    at, _, image_id = cursor.rpartition("_")
    parsed = library.parse_image_id(image_id)
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        moment = None
    if parsed is None or moment is None or moment.tzinfo is None:
        raise bad_request("This page's address names a position the desk does not know.")
    return moment, parsed


def _url(**values: str) -> str:
    query = urlencode({name: value for name, value in values.items() if value})
    return f"{LIST}?{query}" if query else LIST


async def _listing(
    request: Request, found: Visitor, outcomes: list[Outcome], *, status: int = 200
) -> Response:
    search = request.query_params.get("q", "").strip()[:MAX_SEARCH]
    after = request.query_params.get("after", "")
    images = await library.list_images(first=PAGE_SIZE + 1, after=position(after), text=search)
    more = len(images) > PAGE_SIZE
    images = images[:PAGE_SIZE]
    last = images[-1] if more else None
    used: dict[str, Usage] = await usage([image.id for image in images])
    count = f"{len(images)}{'+' if more else ''}"
    if search:
        matches = "image matches" if count == "1" else "images match"
        summary = f"{count} {matches} the search."
    else:
        summary = (
            f"{count} image{'' if count == '1' else 's'} in the library."
            if not after
            else (f"{count} older image{'' if count == '1' else 's'}.")
        )
    actor = found.person.actor
    return page(
        "media.html",
        {
            "title": "Media",
            "here": "media",
            "visitor": found,
            "search": search,
            "images": [
                (image, thumbnail_size(image.width, image.height), used[image.id])
                for image in images
            ],
            "summary": summary,
            "older": _url(q=search, after=cursor(last.uploaded_at, last.id)) if last else None,
            "first": _url(q=search) if after else None,
            "may_add": actor.can(permissions.ADD),
            "outcomes": outcomes,
            "max_files": MAX_FILES,
            "max_bytes": desk_of(request).settings.upload_max_bytes,
            "notice": "The image was deleted." if request.query_params.get("deleted") else None,
        },
        status=status,
    )


async def media_page(request: Request) -> Response:
    found = await require(request, permissions.VIEW)
    return await _listing(request, found, [])


async def upload(request: Request) -> Response:
    found = await require(request, permissions.ADD)
    settings = desk_of(request).settings
    limits = library.Limits.of(settings)
    # One image the library takes, plus what a form of the desk may hold besides, per file.
    limit = (settings.editor_max_body_bytes + limits.max_bytes) * MAX_FILES
    outcomes: list[Outcome] = []
    async with read_upload(request, limit=limit) as sent:
        check_csrf(desk_of(request), found.session.id, sent.fields.get("csrf"))
        if not sent.files:
            raise bad_request("No file was chosen: choose one or more images, then Upload.")
        for file in sent.files:
            name = library.clean_filename(file.filename or "")
            try:
                if file.size is not None and file.size > limits.max_bytes:
                    raise ImageRefusedError(
                        ImageProblem.TOO_LARGE,
                        f"The file is {file.size:,} bytes; images may be at most "
                        f"{limits.max_bytes:,} bytes.",
                    )
                added = await library.add_image(
                    actor=found.person.actor,
                    data=await file.read(),
                    filename=name,
                    content_type=file.content_type,
                    limits=limits,
                )
            except ImageRefusedError as error:
                outcomes.append(Outcome(name, code=error.problem.value, message=str(error)))
            except CallerError as error:
                outcomes.append(Outcome(name, code=error.code.value, message=str(error)))
            else:
                outcomes.append(Outcome(name, image=added.image, existed=added.existed))
    log.info(
        "Desk upload by %s: %d of %d files taken",
        found.person.actor.id,
        sum(outcome.image is not None for outcome in outcomes),
        len(outcomes),
    )
    refused = all(outcome.image is None for outcome in outcomes)
    return await _listing(request, found, outcomes, status=400 if refused else 200)


async def original(request: Request) -> Response:
    """The file as uploaded, for signed-in people only: it may carry EXIF data (a location, a
    camera's serial number) that the public never gets."""
    await require(request, permissions.VIEW)
    try:
        image = await library.get_image(request.path_params["image_id"])
    except CallerError:
        raise not_found("There is no image with this address; it may have been deleted.") from None
    try:
        data = await library.image_bytes(image)
    except MissingBytesError:
        # Deleted between the two reads (its document first, then its chunks).
        raise not_found("This image was deleted a moment ago.") from None
    return Response(
        data,
        media_type=image.media_type,
        headers={
            "Cache-Control": "private, no-store",
            "Content-Disposition": f'inline; filename="{image.id}.{image.format.lower()}"',
            "X-Content-Type-Options": "nosniff",
            # Shown as an image and nothing else, even opened on its own.
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )
