"""Tags (`/desk/tags`): every tag with how many articles carry it, a new one made, one renamed
or described (its slug stays: articles and links name it), and one merged into another
(`cms.workflow.tag_merge`: its articles move through the write path, its slug keeps answering
for the survivor). Editing tags is an editor's work: the pages need EDIT.
"""

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.access import Permission
from cms.content import FieldProblem
from cms.errors import CallerError, InvalidContentError, SlugTakenError, TagNotFoundError
from cms.reading.catalog import Catalog
from cms.reading.lookups import all_tags
from cms.tags import Tag
from cms.workflow.tag_merge import merge_tags
from cms.workflow.tags import create_tag, tag_named, update_tag
from desk.pages.editor import posted
from desk.refusals import not_found
from desk.templates import page
from desk.visitors import Visitor, require

LIST = "/desk/tags"
# The labels of the tag forms' fields (`_fields.html` reads `controls[name].label`).
CONTROLS = {
    "name": {"label": "Name"},
    "slug": {"label": "Slug"},
    "description": {"label": "Description"},
}
NOTICES = {"created": "Tag created.", "saved": "Saved.", "merged": "Merged."}


def _problems(errors: list[FieldProblem]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in errors:
        found.setdefault(problem.field, []).append(problem.message)
    return found


async def _listed(
    request: Request,
    found: Visitor,
    *,
    values: dict[str, str] | None = None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    catalog: Catalog = request.app.state.catalog
    tags = sorted((await all_tags(catalog)).values(), key=lambda tag: tag.name.casefold())
    rows = [(tag, len(catalog.by_tag.get(tag.slug, ()))) for tag in tags]
    notice = next((NOTICES[key] for key in NOTICES if request.query_params.get(key)), None)
    return page(
        "tags.html",
        {
            "title": "Tags",
            "here": "tags",
            "visitor": found,
            "rows": rows,
            "values": values or {"name": "", "slug": "", "description": ""},
            "problems": problems or {},
            "controls": CONTROLS,
            "notice": notice if status == 200 else None,
        },
        status=status,
    )


async def tags_page(request: Request) -> Response:
    return await _listed(request, await require(request, Permission.EDIT))


async def create(request: Request) -> Response:
    found, form = await posted(request, Permission.EDIT)
    values = {name: form.get(name, "") for name in ("name", "slug", "description")}
    try:
        await create_tag(actor=found.person.actor, content=values)
    except InvalidContentError as error:
        return await _listed(
            request, found, values=values, problems=_problems(error.problems), status=400
        )
    except SlugTakenError as error:
        return await _listed(
            request, found, values=values, problems={"slug": [str(error)]}, status=400
        )
    return RedirectResponse(f"{LIST}?created=1", 303)


async def _named(tag_id: str) -> Tag:
    try:
        return await tag_named(tag_id)
    except TagNotFoundError:
        raise not_found("There is no tag with this address; it may have been merged.") from None


async def _tag_page(
    request: Request,
    found: Visitor,
    tag: Tag,
    *,
    values: dict[str, Any] | None = None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> Response:
    catalog: Catalog = request.app.state.catalog
    others = sorted(
        (other for other in (await all_tags(catalog)).values() if other.id != tag.id),
        key=lambda other: other.name.casefold(),
    )
    notice = next((NOTICES[key] for key in NOTICES if request.query_params.get(key)), None)
    return page(
        "tag.html",
        {
            "title": f"Tag: {tag.name}",
            "here": "tags",
            "visitor": found,
            "tag": tag,
            "count": len(catalog.by_tag.get(tag.slug, ())),
            "others": others,
            "values": values or {"name": tag.name, "description": tag.description},
            "problems": problems or {},
            "controls": CONTROLS,
            "notice": notice if status == 200 else None,
        },
        status=status,
    )


async def tag_page(request: Request) -> Response:
    found = await require(request, Permission.EDIT)
    return await _tag_page(request, found, await _named(request.path_params["tag_id"]))


async def save(request: Request) -> Response:
    found, form = await posted(request, Permission.EDIT)
    tag = await _named(request.path_params["tag_id"])
    values = {"name": form.get("name", ""), "description": form.get("description", "")}
    try:
        await update_tag(actor=found.person.actor, tag_id=str(tag.id), changes=values)
    except InvalidContentError as error:
        return await _tag_page(
            request, found, tag, values=values, problems=_problems(error.problems), status=400
        )
    return RedirectResponse(f"{LIST}/{tag.id}?saved=1", 303)


async def merge(request: Request) -> Response:
    found, form = await posted(request, Permission.EDIT)
    tag = await _named(request.path_params["tag_id"])
    try:
        merged = await merge_tags(
            actor=found.person.actor, tag_id=str(tag.id), into_id=form.get("into", "")
        )
    except TagNotFoundError:
        return await _tag_page(
            request, found, tag, problems={"into": ["Choose the tag to merge into."]}, status=400
        )
    except CallerError as error:
        return await _tag_page(request, found, tag, problems={"into": [str(error)]}, status=400)
    return RedirectResponse(f"{LIST}/{merged.survivor.id}?merged=1", 303)
