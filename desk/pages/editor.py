"""The editor: a new article (`/desk/articles/new`) and an article's own page
(`/desk/articles/{id}`), saved through the write path (`cms.workflow.articles`).

A save names the version the page was opened at. If someone saved the article since, nothing is
written: the answer is the conflict page (409), which lists each field that differs and takes a
choice per field for the next save. A slug taken or a tag deleted meanwhile is a message at its
field, like any other rule the write path applies.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms import authors
from cms.access import Permission
from cms.articles import Article
from cms.content import FieldProblem
from cms.errors import (
    ArticleNotFoundError,
    InvalidContentError,
    SlugTakenError,
    VersionConflictError,
)
from cms.reading.catalog import Catalog
from cms.reading.lookups import all_tags
from cms.text.blocks import directive
from cms.workflow import articles as workflow
from cms.workflow import conflicts, rights
from cms.workflow.conflicts import Side
from cms.workflow.plans import content_of
from desk.editor_form import (
    CONTROLS,
    FIELD_LABELS,
    LISTS,
    content_of_form,
    form_values,
    problems_by_control,
    shown,
)
from desk.forms import Form, read_form
from desk.pages import image_picker
from desk.pages.preview import preview_html
from desk.refusals import bad_request, forbidden, not_found
from desk.state import desk_of
from desk.templates import page
from desk.visitors import Visitor, check_csrf, require

NOTICES = {
    "saved": "Saved.",
    "moved": "Done.",
    "created": "Created as a draft.",
    "restored": "Restored as a new version.",
}
_IMAGE = directive("image", {"id": "IMAGE-ID", "caption": "Caption", "alt": "What it shows"})
# The body's toolbar: what each button inserts (docs/editors/blocks.md), to be filled in.
DIRECTIVES = (
    ("Image", _IMAGE),
    ("Gallery", f"{directive('gallery', {'caption': 'Caption'}, 3)}\n{_IMAGE}\n{_IMAGE}\n:::"),
    ("Pull quote", f"{directive('pullquote', {'cite': 'Who said it'}, 3)}\nWhat they said.\n:::"),
    ("Fact box", f"{directive('factbox', {'title': 'Title'}, 3)}\n- A fact\n- Another\n:::"),
    ("Related article", directive("related", {"slug": "article-slug"})),
    ("Embed", directive("embed", {"url": "https://", "title": "What it shows"})),
    ("Frame", directive("iframe", {"url": "https://", "title": "What it shows"})),
)


def editor_url(article_id: object) -> str:
    return f"/desk/articles/{article_id}"


async def article_named(article_id: str) -> Article:
    try:
        return await workflow.current_article(article_id)
    except ArticleNotFoundError:
        raise not_found(
            "There is no article with this address; it may have been deleted."
        ) from None


async def _names(catalog: Catalog, values: Mapping[str, Any]) -> dict[str, str]:
    """What each chosen tag, author and pinned article is called: its name, its headline."""
    tags = await all_tags(catalog)
    names = {slug: tags[slug].name for slug in values["tags"] if slug in tags}
    people = await authors.by_slugs(list(values["authors"]))
    names |= {slug: author.name for slug, author in people.items()}
    for slug in [*values["related"], *values["not_related"]]:
        entry = catalog.by_slug(slug)
        if entry is not None:
            names[slug] = entry.headline
    return names


async def editor(
    request: Request,
    visitor: Visitor,
    *,
    article: Article | None,
    values: Mapping[str, Any],
    problems: Mapping[str, list[str]] | None = None,
    notice: str | None = None,
    status: int = 200,
    image_search: str = "",
) -> Response:
    catalog: Catalog = request.app.state.catalog
    actor = visitor.person.actor
    moves: list[tuple[str, str]] = []
    if article is not None:
        allowed = rights.moves_for(actor, status=article.status, created_by=article.created_by_id)
        moves = [(to.value, rights.move_word(article.status, to)) for to in allowed]
    headline = values["headline"] or "New article"
    return page(
        "editor.html",
        {
            "title": f"Edit: {headline}" if article else "New article",
            "here": "articles",
            "visitor": visitor,
            "article": article,
            "values": values,
            "names": await _names(catalog, values),
            "controls": {control.name: control for control in CONTROLS},
            "problems": problems or {},
            "notice": notice,
            "moves": moves,
            "may_delete": article is not None and actor.can(Permission.EDIT),
            "action": editor_url(article.id) if article else "/desk/articles/new",
            "preview": await preview_html(str(values["body"])),
            "directives": DIRECTIVES,
            "picked": await image_picker.chosen(str(values["image_id"])),
            "image_search": image_search,
            "found": await image_picker.found(image_search),
        },
        status=status,
    )


async def new_page(request: Request) -> Response:
    found = await require(request, Permission.WRITE_OWN)
    values = form_values({"tags": [], "related": [], "not_related": []})
    return await editor(request, found, article=None, values=values)


async def edit_page(request: Request, found: Visitor, article: Article) -> Response:
    notice = next((NOTICES[key] for key in NOTICES if request.query_params.get(key)), None)
    return await editor(
        request, found, article=article, values=form_values(content_of(article)), notice=notice
    )


async def posted(request: Request, permission: Permission) -> tuple[Visitor, Form]:
    found = await require(request, permission)
    desk = desk_of(request)
    form = await read_form(request, limit=desk.settings.editor_max_body_bytes)
    check_csrf(desk, found.session.id, form.get("csrf"))
    return found, form


async def _searched(
    request: Request, found: Visitor, article: Article | None, form: Form
) -> Response:
    """The Find button without JavaScript: the editor as sent, with the library images found."""
    return await editor(
        request,
        found,
        article=article,
        values=form_values(content_of_form(form)),
        image_search=image_picker.typed(form.get("find_image", "")),
    )


async def _refused(
    request: Request,
    found: Visitor,
    article: Article | None,
    content: dict[str, Any],
    problems: list[FieldProblem],
) -> Response:
    return await editor(
        request,
        found,
        article=article,
        values=form_values(content),
        problems=problems_by_control(problems),
        notice=None,
        status=400,
    )


async def create(request: Request) -> Response:
    found, form = await posted(request, Permission.WRITE_OWN)
    if image_picker.searching(form):
        return await _searched(request, found, None, form)
    content = content_of_form(form)
    try:
        created = await workflow.create_article(actor=found.person.actor, content=content)
    except InvalidContentError as error:
        return await _refused(request, found, None, content, error.problems)
    except SlugTakenError as error:
        return await _refused(request, found, None, content, [FieldProblem("slug", str(error))])
    return RedirectResponse(f"{editor_url(created.id)}?created=1", 303)


def _keep_unchanged_moments(content: dict[str, Any], current: Mapping[str, Any]) -> None:
    """The form shows times to the minute: a time sent as shown keeps its stored precision."""
    shown_now = form_values(current)
    for name in ("published_at", "unpublish_at"):
        sent = content.get(name)
        if isinstance(sent, str):
            try:
                sent = datetime.fromisoformat(sent)
            except ValueError:
                continue  # the rules say what is wrong with it
        if sent is not None and form_values({name: sent})[name] == shown_now[name]:
            content[name] = current[name]


def form_version(form: Form) -> int:
    try:
        return int(form.get("version", ""))
    except ValueError:
        raise bad_request("This form lost the version it was opened at; reload the page.") from None


async def save(request: Request) -> Response:
    found, form = await posted(request, Permission.WRITE_OWN)
    actor = found.person.actor
    article = await article_named(request.path_params["article_id"])
    if not rights.may_edit(actor, status=article.status, created_by=article.created_by_id):
        raise forbidden(
            f"Your role ({found.person.role}) may change only the drafts you created; this "
            "article is not one of them now."
        )
    if image_picker.searching(form):
        return await _searched(request, found, article, form)
    version = form_version(form)
    current = content_of(article)
    content = content_of_form(form)
    choices = {
        name: Side(form[f"keep_{name}"])
        for name in FIELD_LABELS
        if form.get(f"keep_{name}") in {Side.THEIRS, Side.YOURS}
    }
    if choices and version == article.version:
        content = conflicts.merged(theirs=current, yours=content, choices=choices)
    _keep_unchanged_moments(content, current)
    try:
        validated = await workflow.validate_content({**current, **content}, actor=actor)
        if version != article.version:
            raise VersionConflictError(current=article.version, based_on=version)
        await workflow.update_article(
            actor=actor,
            article_id=str(article.id),
            changes=validated.values(),
            base_version=version,
        )
    except InvalidContentError as error:
        return await _refused(request, found, article, content, error.problems)
    except SlugTakenError as error:
        return await _refused(request, found, article, content, [FieldProblem("slug", str(error))])
    except VersionConflictError:
        return await conflict_page(request, found, validated.values(), based_on=version)
    return RedirectResponse(f"{editor_url(article.id)}?saved=1", 303)


async def conflict_page(
    request: Request, found: Visitor, yours: dict[str, Any], *, based_on: int
) -> Response:
    """Someone saved the article after `based_on`: each field that differs, to choose from."""
    article = await article_named(request.path_params["article_id"])
    assert article.id is not None
    theirs = content_of(article)
    base = await conflicts.base_content(article.id, based_on)
    savers = await conflicts.savers_since(article.id, based_on)
    rows = [
        {
            "field": difference.field,
            "label": FIELD_LABELS[difference.field],
            "theirs": shown(difference.field, difference.theirs),
            "yours": shown(difference.field, difference.yours),
            "saver": savers.get(difference.field, article.updated_by or "someone"),
            "suggested": difference.suggested,
        }
        for difference in conflicts.differences(base=base, theirs=theirs, yours=yours)
    ]
    if not rows:
        # Nothing you sent differs from what is saved now: nothing to choose, nothing lost.
        return RedirectResponse(f"{editor_url(article.id)}?saved=1", 303)
    return page(
        "conflict.html",
        {
            "title": f"Conflict: {article.headline}",
            "here": "articles",
            "visitor": found,
            "article": article,
            "rows": rows,
            "yours": form_values(yours),
            "lists": LISTS,
        },
        status=409,
    )
