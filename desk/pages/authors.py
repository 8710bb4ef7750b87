"""The people credited in bylines (`/desk/authors`): the list, and a form to create or change
one (name, title, bio, links, and an avatar picked from the media library).

Saving calls `cms.workflow.authors`, as the API does: the same rules, the same refusals, each
shown at its field with the form as it was sent.
"""

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.access import Permission
from cms.authors import Author
from cms.content import AuthorLinks
from cms.errors import AuthorNotFoundError, InvalidContentError, SlugTakenError
from cms.workflow import authors as workflow
from desk.forms import Form, signed_form
from desk.pages import image_picker
from desk.refusals import not_found
from desk.templates import page
from desk.visitors import Visitor, require

TEXTS = ("name", "slug", "title", "bio")
LINKS = tuple(AuthorLinks.model_fields)
LIST = "/desk/authors"


def _values(author: Author | None) -> dict[str, str]:
    if author is None:
        return dict.fromkeys((*TEXTS, *LINKS, "image_id"), "")
    links = author.links.model_dump()
    return (
        {name: str(getattr(author, name)) for name in TEXTS}
        | {name: links[name] for name in LINKS}
        | {"image_id": author.avatar or ""}
    )


def _sent(form: Form) -> dict[str, str]:
    return {name: form.get(name, "") for name in (*TEXTS, *LINKS, "image_id")}


def _content(values: Mapping[str, str]) -> dict[str, Any]:
    """What the form says, as the write path takes it (a blank slug: made from the name)."""
    content: dict[str, Any] = {name: values[name] for name in TEXTS}
    content["bio"] = content["bio"].replace("\r\n", "\n")
    content["links"] = {name: values[name] for name in LINKS}
    content["avatar"] = values["image_id"].strip() or None
    return content


async def _author(request: Request) -> Author:
    try:
        return await workflow.current_author(request.path_params["author_id"])
    except AuthorNotFoundError:
        raise not_found("There is no author with this address; it may have been deleted.") from None


async def authors_page(request: Request) -> Response:
    found = await require(request)
    people = await Author.find_all().sort("name").to_list()
    return page(
        "authors.html",
        {
            "title": "Authors",
            "here": "authors",
            "visitor": found,
            "people": people,
            "may_edit": found.person.actor.can(Permission.EDIT),
            "notice": "Deleted." if request.query_params.get("deleted") else None,
        },
    )


async def _form(
    found: Visitor,
    author: Author | None,
    *,
    values: Mapping[str, str],
    problems: Mapping[str, list[str]] | None = None,
    notice: str | None = None,
    status: int = 200,
    image_search: str = "",
) -> Response:
    return page(
        "author.html",
        {
            "title": author.name if author else "New author",
            "here": "authors",
            "visitor": found,
            "author": author,
            "values": values,
            "problems": problems or {},
            "notice": notice,
            "action": f"{LIST}/{author.id}" if author else f"{LIST}/new",
            "picked": await image_picker.chosen(values["image_id"]),
            "found": await image_picker.found(image_search),
            "image_search": image_search,
        },
        status=status,
    )


async def new_page(request: Request) -> Response:
    found = await require(request, Permission.EDIT)
    return await _form(found, None, values=_values(None))


async def author_page(request: Request) -> Response:
    found = await require(request, Permission.EDIT)
    author = await _author(request)
    notice = "Saved." if request.query_params.get("saved") else None
    return await _form(found, author, values=_values(author), notice=notice)


def _problems(error: InvalidContentError) -> dict[str, list[str]]:
    """Each problem under its control: a link's (`links.x`) under that link, the avatar's under
    the picker."""
    found: dict[str, list[str]] = {}
    for problem in error.problems:
        name = problem.field.removeprefix("links.")
        name = "image_id" if name == "avatar" else name
        found.setdefault(name, []).append(problem.message)
    return found


async def save(request: Request) -> Response:
    """Create (`/desk/authors/new`) or change an author; the Find button of the avatar picker
    only searches."""
    found, form = await signed_form(request, Permission.EDIT)
    author = None if request.path_params.get("author_id") is None else await _author(request)
    values = _sent(form)
    if image_picker.searching(form):
        search = image_picker.typed(form.get("find_image", ""))
        return await _form(found, author, values=values, image_search=search)
    actor = found.person.actor
    try:
        if author is None:
            author = await workflow.create_author(actor=actor, content=_content(values))
        else:
            changes = _content(values)
            changes.pop("slug")
            author = await workflow.update_author(
                actor=actor, author_id=str(author.id), changes=changes
            )
    except InvalidContentError as error:
        return await _form(found, author, values=values, problems=_problems(error), status=400)
    except SlugTakenError as error:
        return await _form(
            found, author, values=values, problems={"slug": [str(error)]}, status=400
        )
    return RedirectResponse(f"{LIST}/{author.id}?saved=1", 303)
