"""The editor's Image picker: library images found by the Media page's search
(`cms.media.library.list_images`), each offered as a choice with its thumbnail.

With JavaScript the search box asks `/desk/pick/image` as the person types; without it, the
form's Find button posts the whole editor back and the page returns with the same values and the
images found, so nothing typed is lost. Thumbnails are the desk's own originals route (signed-in
people only), drawn small.
"""

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from cms.errors import CallerError
from cms.media import library, permissions
from cms.media.model import LibraryImage
from desk.forms import Form
from desk.pages.media import MAX_SEARCH, thumbnail_size
from desk.pages.preview import fragment
from desk.templates import render
from desk.visitors import require

FOUND = 12


@dataclass(frozen=True, slots=True)
class Choice:
    """A library image as the picker offers it."""

    image: LibraryImage
    size: tuple[int, int]

    @classmethod
    def of(cls, image: LibraryImage) -> "Choice":
        return cls(image, thumbnail_size(image.width, image.height))


def searching(form: Form) -> bool:
    """Whether the form was sent by the picker's Find button (search, do not save)."""
    return form.get("find") == "image"


def typed(text: str) -> str:
    return text.strip()[:MAX_SEARCH]


async def found(text: str) -> list[Choice]:
    """The newest images whose alt text, caption, credit or file name hold `text`."""
    if not text:
        return []
    return [Choice.of(image) for image in await library.list_images(first=FOUND, text=text)]


async def chosen(image_id: str) -> Choice | None:
    """The picked image, None if there is none or it is not in the library (the save says so
    at the field)."""
    if not image_id:
        return None
    try:
        return Choice.of(await library.get_image(image_id))
    except CallerError:
        return None


async def pick_image(request: Request) -> Response:
    await require(request, permissions.VIEW)
    search = typed(request.query_params.get("find_image", ""))
    return fragment(
        render("image_choices.html", {"found": await found(search), "image_search": search})
    )
