"""One image of the library (`/desk/media/{id}`): what it is, where it is used, its alt text,
caption, credit and focal point (set by clicking the picture, or as numbers), and its deletion.

Saving calls `cms.media.library.update_image` and deleting `delete_image`, as the API and the CLI
do: the same rules, the same refusals. A refusal of what was typed is shown at its field, with
the form as it was sent.
"""

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.errors import ImageInUseError, ImageNotFoundError, ImageRefusedError, InvalidContentError
from cms.media import library, permissions
from cms.media.model import LibraryImage
from cms.media.usage import usage
from desk.forms import signed_form
from desk.refusals import DeskRefusal, not_found
from desk.templates import page
from desk.visitors import Visitor, require

FIELDS = ("alt", "caption", "credit", "x", "y")


async def _image(request: Request) -> LibraryImage:
    try:
        return await library.get_image(request.path_params["image_id"])
    except ImageNotFoundError:
        raise not_found("There is no image with this address; it may have been deleted.") from None


def _values(image: LibraryImage) -> dict[str, str]:
    return {
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
        "x": f"{image.focal.x:g}",
        "y": f"{image.focal.y:g}",
    }


async def _shown(
    request: Request,
    found: Visitor,
    image: LibraryImage,
    *,
    values: Mapping[str, str] | None = None,
    problems: Mapping[str, str] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    used = (await usage([image.id]))[image.id]
    actor = found.person.actor
    return page(
        "image.html",
        {
            "title": image.filename,
            "here": "media",
            "visitor": found,
            "image": image,
            "used": used,
            "values": values or _values(image),
            "problems": problems or {},
            "notice": notice,
            "may_describe": actor.can(permissions.DESCRIBE),
            "may_delete": actor.can(permissions.DELETE),
        },
        status=status,
    )


async def image_page(request: Request) -> Response:
    found = await require(request, permissions.VIEW)
    image = await _image(request)
    notice = "Saved." if request.query_params.get("saved") else None
    return await _shown(request, found, image, notice=notice)


def _coordinate(text: str, name: str, problems: dict[str, str]) -> float:
    try:
        value = float(text)
    except ValueError:
        problems[name] = f"{name.upper()} is a number from 0 to 1, such as 0.5."
        return 0.5
    if not 0 <= value <= 1:
        problems[name] = (
            f"{name.upper()} is from 0 to 1 (from the {'left' if name == 'x' else 'top'})."
        )
    return value


async def save(request: Request) -> Response:
    found, form = await signed_form(request, permissions.DESCRIBE)
    image = await _image(request)
    values = {name: form.get(name, "") for name in FIELDS}
    problems: dict[str, str] = {}
    x = _coordinate(values["x"].strip(), "x", problems)
    y = _coordinate(values["y"].strip(), "y", problems)
    if not problems:
        changes = {name: values[name] for name in ("alt", "caption", "credit")}
        try:
            await library.update_image(
                actor=found.person.actor,
                image_id=image.id,
                changes={**changes, "focal": (x, y)},
            )
        except InvalidContentError as error:
            problems = {problem.field: problem.message for problem in error.problems}
        except ImageRefusedError as error:
            problems = {"x": str(error)}
    if problems:
        return await _shown(request, found, image, values=values, problems=problems, status=400)
    return RedirectResponse(f"/desk/media/{image.id}?saved=1", 303)


async def delete_page(request: Request) -> Response:
    found = await require(request, permissions.DELETE)
    image = await _image(request)
    used = (await usage([image.id]))[image.id]
    return page(
        "image_delete.html",
        {
            "title": f"Delete {image.filename}",
            "here": "media",
            "visitor": found,
            "image": image,
            "used": used,
        },
    )


async def delete(request: Request) -> Response:
    found, _ = await signed_form(request, permissions.DELETE)
    image = await _image(request)
    try:
        await library.delete_image(actor=found.person.actor, image_id=image.id)
    except ImageInUseError as error:
        raise DeskRefusal(409, "In use", str(error)) from None
    return RedirectResponse("/desk/media?deleted=1", 303)
