"""Editing tags: create, rename or describe, and delete when no article uses it."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from pydantic import ValidationError

from cms.access import Actor
from cms.articles import Article, parse_object_id
from cms.clock import utcnow
from cms.content import TagContent, field_problems
from cms.errors import InvalidContentError, SlugTakenError, TagInUseError, TagNotFoundError
from cms.spine import journal
from cms.spine.events import Event, EventType
from cms.spine.journal import Change, ChangeKind, ChangeRefused, Operation, new_op_id
from cms.tags import Tag

TAGS = Tag.Settings.name


def validate_tag(values: Mapping[str, Any]) -> TagContent:
    try:
        return TagContent.model_validate(dict(values))
    except ValidationError as error:
        raise InvalidContentError(field_problems(error)) from None


def subject_event(
    op_id: str, kind: EventType, actor: Actor, subject: PydanticObjectId, slug: str, now: datetime
) -> Event:
    """The one event of a write of a tag or an author (by id and slug)."""
    return Event(
        event_id=f"{op_id}:0",
        type=kind,
        at=now,
        actor=actor.name,
        actor_id=actor.id,
        subject=str(subject),
        slug=slug,
    )


def plan_tag_create(*, actor: Actor, content: TagContent, now: datetime) -> tuple[Operation, Tag]:
    tag_id = PydanticObjectId()
    op_id = new_op_id()
    change = Change(
        collection=TAGS, target=tag_id, kind=ChangeKind.INSERT, document=content.model_dump()
    )
    event = subject_event(op_id, EventType.TAG_CREATED, actor, tag_id, content.slug, now)
    operation = Operation(id=op_id, at=now, actor=actor.name, changes=[change], events=[event])
    return operation, Tag(id=tag_id, **content.model_dump())


def plan_tag_update(
    *, actor: Actor, current: Tag, content: TagContent, now: datetime
) -> tuple[Operation, Tag] | None:
    assert current.id is not None
    values = content.model_dump()
    changed = {name: value for name, value in values.items() if getattr(current, name) != value}
    if not changed:
        return None
    op_id = new_op_id()
    change = Change(collection=TAGS, target=current.id, kind=ChangeKind.UPDATE, set=changed)
    event = subject_event(op_id, EventType.TAG_UPDATED, actor, current.id, content.slug, now)
    event.data = {"changed": sorted(changed)}
    operation = Operation(id=op_id, at=now, actor=actor.name, changes=[change], events=[event])
    return operation, current.model_copy(update=changed)


async def tag_named(tag_id: str) -> Tag:
    object_id = parse_object_id(tag_id)
    found = await Tag.get(object_id) if object_id else None
    if found is None:
        raise TagNotFoundError(tag_id)
    return found


async def create_tag(*, actor: Actor, content: Mapping[str, Any]) -> Tag:
    validated = validate_tag(content)
    if await Tag.find_one({"aliases": validated.slug}) is not None:
        # A merged tag's slug still answers for the tag it was merged into.
        raise SlugTakenError(validated.slug)
    operation, tag = plan_tag_create(actor=actor, content=validated, now=utcnow())
    try:
        await journal.run(operation)
    except ChangeRefused:
        raise SlugTakenError(validated.slug) from None
    return tag


async def update_tag(*, actor: Actor, tag_id: str, changes: Mapping[str, Any]) -> Tag:
    """Rename or describe a tag. Its slug stays: articles refer to tags by slug."""
    current = await tag_named(tag_id)
    validated = validate_tag(
        {
            **current.model_dump(include={"slug", "name", "description"}),
            **changes,
            "slug": current.slug,
        }
    )
    planned = plan_tag_update(actor=actor, current=current, content=validated, now=utcnow())
    if planned is None:
        return current
    operation, tag = planned
    await journal.run(operation)
    return tag


async def delete_tag(*, actor: Actor, tag_id: str) -> Tag:
    """Delete a tag that no article (in any status) uses."""
    current = await tag_named(tag_id)
    assert current.id is not None
    in_use = await Article.get_pymongo_collection().count_documents({"tags": current.slug})
    if in_use:
        raise TagInUseError(current.slug, in_use)
    now = utcnow()
    op_id = new_op_id()
    change = Change(collection=TAGS, target=current.id, kind=ChangeKind.DELETE)
    event = subject_event(op_id, EventType.TAG_DELETED, actor, current.id, current.slug, now)
    await journal.run(
        Operation(id=op_id, at=now, actor=actor.name, changes=[change], events=[event])
    )
    return current
