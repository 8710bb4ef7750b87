"""Editing authors: create, change, and delete when no byline names them; and the byline an
old-style `author` name stands for (found or created)."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from pydantic import ValidationError

from cms import authors
from cms.access import Actor
from cms.articles import Article, parse_object_id
from cms.authors import Author, free_slug, is_credit, name_key
from cms.clock import utcnow
from cms.config import get_settings
from cms.content import AuthorContent, FieldProblem, field_problems
from cms.errors import AuthorInUseError, AuthorNotFoundError, InvalidContentError, SlugTakenError
from cms.spine import journal
from cms.spine.events import EventType
from cms.spine.journal import Change, ChangeKind, ChangeRefused, Operation, new_op_id
from cms.workflow.tags import subject_event

AUTHORS = Author.Settings.name


def validate_author(values: Mapping[str, Any]) -> AuthorContent:
    try:
        return AuthorContent.model_validate(dict(values))
    except ValidationError as error:
        raise InvalidContentError(field_problems(error)) from None


def plan_author_create(
    *, actor: Actor, content: AuthorContent, now: datetime
) -> tuple[Operation, Author]:
    author_id = PydanticObjectId()
    op_id = new_op_id()
    document = content.model_dump()
    change = Change(collection=AUTHORS, target=author_id, kind=ChangeKind.INSERT, document=document)
    event = subject_event(op_id, EventType.AUTHOR_CREATED, actor, author_id, content.slug, now)
    operation = Operation(id=op_id, at=now, actor=actor.name, changes=[change], events=[event])
    return operation, Author(id=author_id, **document)


def plan_author_update(
    *, actor: Actor, current: Author, content: AuthorContent, now: datetime
) -> tuple[Operation, Author] | None:
    assert current.id is not None
    values = content.model_dump()
    before = current.model_dump(include=set(values))
    changed = {name: value for name, value in values.items() if before[name] != value}
    if not changed:
        return None
    op_id = new_op_id()
    change = Change(collection=AUTHORS, target=current.id, kind=ChangeKind.UPDATE, set=changed)
    event = subject_event(op_id, EventType.AUTHOR_UPDATED, actor, current.id, content.slug, now)
    event.data = {"changed": sorted(changed)}
    operation = Operation(id=op_id, at=now, actor=actor.name, changes=[change], events=[event])
    return operation, current.model_copy(update=changed)


async def current_author(author_id: str) -> Author:
    object_id = parse_object_id(author_id)
    found = await Author.get(object_id) if object_id else None
    if found is None:
        raise AuthorNotFoundError(author_id)
    return found


async def _slugs_like(name: str) -> list[str]:
    """Slugs taken by authors whose slug starts as `name`'s would."""
    base = authors.slug_for(name)
    found = Author.get_pymongo_collection().find(
        {"slug": {"$regex": f"^{base}(-[0-9]+)?$"}}, {"slug": 1}
    )
    return [document["slug"] async for document in found]


async def create_author(*, actor: Actor, content: Mapping[str, Any]) -> Author:
    """A new author; without a slug, one made from the name that no other author has."""
    values = dict(content)
    if not values.get("slug") and isinstance(values.get("name"), str):
        values["slug"] = free_slug(values["name"], await _slugs_like(values["name"]))
    validated = validate_author(values)
    operation, author = plan_author_create(actor=actor, content=validated, now=utcnow())
    try:
        await journal.run(operation)
    except ChangeRefused:
        raise SlugTakenError(validated.slug) from None
    return author


async def update_author(*, actor: Actor, author_id: str, changes: Mapping[str, Any]) -> Author:
    """Change an author's name, title, bio, avatar, links or account. The slug stays: bylines
    name authors by slug."""
    current = await current_author(author_id)
    validated = validate_author(
        {
            **current.model_dump(include=set(AuthorContent.model_fields)),
            **changes,
            "slug": current.slug,
        }
    )
    planned = plan_author_update(actor=actor, current=current, content=validated, now=utcnow())
    if planned is None:
        return current
    operation, author = planned
    await journal.run(operation)
    return author


async def delete_author(*, actor: Actor, author_id: str) -> Author:
    """Delete an author no article's byline names (in any status); else say which do."""
    current = await current_author(author_id)
    assert current.id is not None
    found = Article.get_pymongo_collection().find({"authors": current.slug}, {"slug": 1})
    using = sorted([document["slug"] async for document in found])
    if using:
        raise AuthorInUseError(current.slug, using)
    now = utcnow()
    op_id = new_op_id()
    change = Change(collection=AUTHORS, target=current.id, kind=ChangeKind.DELETE)
    event = subject_event(op_id, EventType.AUTHOR_DELETED, actor, current.id, current.slug, now)
    await journal.run(
        Operation(id=op_id, at=now, actor=actor.name, changes=[change], events=[event])
    )
    return current


async def authors_by_name(names: Iterable[str]) -> dict[str, Author]:
    """Authors by `name_key` of their name (the first by slug where several share one)."""
    wanted = {name_key(name) for name in names}
    found: dict[str, Author] = {}
    async for document in Author.get_pymongo_collection().find({}).sort("slug", 1):
        key = name_key(document["name"])
        if key in wanted and key not in found:
            found[key] = Author.model_validate(document)
    return found


async def byline_of_name(*, actor: Actor, name: str) -> dict[str, Any]:
    """What an old-style `author: name` is: a credit (`byline_credits`), or the author of that
    name, found or created."""
    if is_credit(name, get_settings()):
        return {"authors": [], "credit": name}
    found = (await authors_by_name([name])).get(name_key(name))
    if found is None:
        found = await create_author(actor=actor, content={"name": name})
    return {"authors": [found.slug], "credit": ""}


async def check_bylines(slugs: list[str]) -> None:
    """Every author named exists: else a problem per unknown slug, at its place."""
    known = await authors.by_slugs(slugs)
    unknown = [
        FieldProblem(f"authors.{index}", f"unknown author {slug!r}")
        for index, slug in enumerate(slugs)
        if slug not in known
    ]
    if unknown:
        raise InvalidContentError(unknown)
