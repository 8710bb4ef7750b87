"""What a write of an article does, planned as one journal operation: pure, no I/O.

Creating, saving and deleting an article each become an `Operation`: the change to the article
(guarded by the version the writer read), its revision, its entry in the schedule of arrivals,
and the events that describe it to the rest of the system.
"""

from datetime import datetime
from typing import Any

from beanie import PydanticObjectId

from cms import redirects, revisions
from cms.access import Actor
from cms.articles import Article, credit_of, hero_of
from cms.config import get_settings
from cms.content import ARTICLE_FIELDS, changed_fields
from cms.spine import arrivals
from cms.spine.events import Event, EventType
from cms.spine.journal import Change, ChangeKind, Operation, new_op_id
from cms.status import ArticleStatus
from cms.visibility import Audience, awaits_publication, awaits_unpublication, is_readable

ARTICLES = Article.Settings.name


def content_of(article: Article | dict[str, Any]) -> dict[str, Any]:
    """The editable fields, as plain values."""
    values = article if isinstance(article, dict) else article.model_dump()
    return {name: values[name] for name in ARTICLE_FIELDS}


def _stored(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the store keeps them (enums as strings, models as dicts)."""
    return {
        name: value.value if isinstance(value, ArticleStatus) else value
        for name, value in values.items()
    }


def _events(
    *,
    op_id: str,
    actor: Actor,
    article_id: PydanticObjectId,
    before: Article | None,
    after: dict[str, Any] | None,
    now: datetime,
    changed: list[str] | None = None,
) -> list[Event]:
    """The events a write announces, judged by what the public could read before and after."""
    found: list[Event] = []
    if before is not None and before.pending_arrival_at and before.pending_arrival_at <= now:
        # Its scheduled time came since the last write; announce that first (once, whoever
        # announces it: the id is the scheduler's).
        found.append(
            arrivals.arrival_event(
                article_id=article_id, slug=before.slug, publish_at=before.pending_arrival_at
            )
        )
    if before is not None and before.pending_departure_at and before.pending_departure_at <= now:
        found.append(
            arrivals.departure_event(
                article_id=article_id, slug=before.slug, unpublish_at=before.pending_departure_at
            )
        )
    was_public = before is not None and before.readable_by(Audience.PUBLIC, now)
    if after is None:
        kind = EventType.ARTICLE_DELETED
        status, slug = (before.status if before else ArticleStatus.DRAFT), (before and before.slug)
    else:
        status, slug = after["status"], after["slug"]
        is_public = is_readable(
            Audience.PUBLIC, status, after["published_at"], now, after.get("unpublish_at")
        )
        if is_public and not was_public:
            kind = EventType.ARTICLE_PUBLISHED
        elif was_public and not is_public:
            kind = EventType.ARTICLE_UNPUBLISHED
        elif is_public:
            kind = EventType.ARTICLE_UPDATED
        elif awaits_publication(status, after["published_at"], now):
            kind = EventType.ARTICLE_SCHEDULED
        else:
            kind = EventType.ARTICLE_SAVED
    data: dict[str, Any] = {"status": ArticleStatus(status).value, "was_public": was_public}
    if after is not None:
        # Enough for a reader to index the article without fetching it (`cms.reading.catalog`).
        data |= {
            "version": after["version"],
            "published_at": after["published_at"],
            "unpublish_at": after.get("unpublish_at"),
            "tags": list(after["tags"]),
            "section": after["section"],
            "headline": after["headline"],
            # And for the desk's list: its filters by author and "mine", its order by change.
            "authors": list(after["authors"]),
            "author": credit_of(after),
            "updated_at": after["updated_at"],
            "created_by_id": after.get("created_by_id", ""),
            # And for the sitemaps, which show each article's hero image.
            "hero": list(hero_of(after.get("image"))),
        }
    if before is not None:
        # Where it was listed: the feeds and sitemaps it left (`cms.cache_tags`).
        data["previous_tags"] = list(before.tags)
        data["previous_section"] = before.section
        data["previous_published_at"] = before.published_at
        data["previous_authors"] = list(before.authors)
    if changed is not None:
        data["changed"] = changed
    found.append(
        Event(
            event_id=f"{op_id}:0",
            type=kind,
            at=now,
            actor=actor.name,
            actor_id=actor.id,
            subject=str(article_id),
            slug=slug,
            data=data,
        )
    )
    return found


def _entry(
    collection: str,
    article_id: PydanticObjectId,
    document: dict[str, Any] | None,
    *,
    was_waiting: bool,
) -> list[Change]:
    """An entry in a schedule: put while `document` is given, removed once it is not."""
    if document is not None:
        entry = {"_id": article_id, **document}
        return [
            Change(collection=collection, target=article_id, kind=ChangeKind.PUT, document=entry)
        ]
    if not was_waiting:
        return []  # it had no entry: nothing to remove
    return [Change(collection=collection, target=article_id, kind=ChangeKind.REMOVE)]


def _schedule(
    article_id: PydanticObjectId,
    after: dict[str, Any],
    now: datetime,
    *,
    before: Article | None,
) -> list[Change]:
    """The article's entries in the schedules of arrivals and departures: kept while it awaits
    its time to become public, or to leave public view."""
    known = {"version": after["version"], "slug": after["slug"]}
    arrival = departure = None
    if awaits_publication(after["status"], after["published_at"], now):
        arrival = {"publish_at": after["published_at"], **known}
    unpublish_at = after.get("unpublish_at")
    if awaits_unpublication(after["status"], after["published_at"], unpublish_at, now):
        departure = {"unpublish_at": unpublish_at, **known}
    return [
        *_entry(
            arrivals.COLLECTION,
            article_id,
            arrival,
            was_waiting=before is not None and before.pending_arrival_at is not None,
        ),
        *_entry(
            arrivals.DEPARTURES,
            article_id,
            departure,
            was_waiting=before is not None and before.pending_departure_at is not None,
        ),
    ]


def _revision(
    article_id: PydanticObjectId,
    after: dict[str, Any],
    changed: list[str],
    actor: Actor,
    now: datetime,
) -> Change:
    document = revisions.revision_document(
        article_id=article_id,
        version=after["version"],
        at=now,
        actor=actor.name,
        actor_id=actor.id,
        changed=changed,
        content=content_of(after),
        status=ArticleStatus(after["status"]),
        updated_at=after["updated_at"],
    )
    return _record(document)


def _record(revision: dict[str, Any]) -> Change:
    return Change(
        collection=revisions.COLLECTION,
        target=revision["_id"],
        kind=ChangeKind.RECORD,
        document=revision,
    )


def _workflow_fields(values: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Fields the write path derives: when it became public first, whether it awaits its time."""
    status, published_at = values["status"], values["published_at"]
    unpublish_at = values.get("unpublish_at")
    public_now = is_readable(Audience.PUBLIC, status, published_at, now, unpublish_at)
    first = values.get("first_published_at")
    return {
        "first_published_at": first or (published_at if public_now else None),
        "pending_arrival_at": published_at
        if awaits_publication(status, published_at, now)
        else None,
        "pending_departure_at": unpublish_at
        if awaits_unpublication(status, published_at, unpublish_at, now)
        else None,
    }


def plan_create(
    *, actor: Actor, values: dict[str, Any], now: datetime, loaded: str | None = None
) -> tuple[Operation, dict[str, Any]]:
    """A new article from content plus `status` (and `updated_at` for imports); `loaded`, by a
    load: the digest of what its file said."""
    article_id = PydanticObjectId()
    after = {
        **values,
        "updated_at": values.get("updated_at") or now,
        "version": 1,
        "created_at": now,
        "created_by": actor.name,
        "updated_by": actor.name,
        "created_by_id": actor.id,
        "updated_by_id": actor.id,
        "loaded_version": 1 if loaded else None,
        "loaded_digest": loaded,
    }
    after |= _workflow_fields(after, now)
    op_id = new_op_id()
    changes = [
        Change(
            collection=ARTICLES, target=article_id, kind=ChangeKind.INSERT, document=_stored(after)
        ),
        # A load's new article is its own first revision until a save replaces it (recorded
        # then: `revisions.implied_document`).
        *(
            []
            if loaded
            else [_revision(article_id, after, [*ARTICLE_FIELDS, "status"], actor, now)]
        ),
        *_schedule(article_id, after, now, before=None),
    ]
    events = _events(
        op_id=op_id, actor=actor, article_id=article_id, before=None, after=after, now=now
    )
    operation = Operation(id=op_id, at=now, actor=actor.name, changes=changes, events=events)
    return operation, {**after, "_id": article_id}


# What an article's address on the site may be made of (`NEWSROOM_ARTICLE_PATH`).
_ADDRESS_FIELDS = frozenset({"slug", "section", "published_at"})


def plan_save(
    *,
    actor: Actor,
    current: Article,
    values: dict[str, Any],
    now: datetime,
    loaded: str | None = None,
) -> tuple[Operation, dict[str, Any]] | None:
    """A save of `current` with new `values` (content and/or `status`, `published_at`...);
    `loaded`, by a load: the digest of what its file said.

    None if nothing would change. The change applies only if the article is still at the
    version `current` was read at.
    """
    assert current.id is not None
    before = current.model_dump()
    after = {**before, **values}
    changed = changed_fields(before, after, [*ARTICLE_FIELDS, "status"])
    if not changed and after.get("updated_at") == before["updated_at"]:
        return None
    after |= {
        "version": current.version + 1,
        "updated_at": values.get("updated_at") or now,
        "updated_by": actor.name,
        "updated_by_id": actor.id,
    }
    if loaded:
        after["loaded_version"] = after["version"]
        after["loaded_digest"] = loaded
    after |= _workflow_fields(after, now)
    fields = [
        *changed,
        "version",
        "updated_at",
        "updated_by",
        "updated_by_id",
        "first_published_at",
        "pending_arrival_at",
        "pending_departure_at",
    ]
    if loaded:
        fields += ["loaded_version", "loaded_digest"]
    op_id = new_op_id()
    changes = [
        Change(
            collection=ARTICLES,
            target=current.id,
            kind=ChangeKind.UPDATE,
            expect={"version": current.version},
            set=_stored({name: after[name] for name in fields}),
        )
    ]
    if current.version == 0:
        # Saved before revisions were kept: keep the version it had as the first one.
        changes.append(
            _revision(
                current.id,
                before,
                [],
                Actor(before["updated_by"] or "unknown", id=before["updated_by_id"]),
                before["updated_at"],
            )
        )
    changes += [
        _revision(current.id, after, changed, actor, now),
        *_schedule(current.id, after, now, before=current),
    ]
    if before.get("first_published_at") and _ADDRESS_FIELDS.intersection(changed):
        changes += redirects.moved(current.id, before, after, get_settings(), now)
    events = _events(
        op_id=op_id,
        actor=actor,
        article_id=current.id,
        before=current,
        after=after,
        now=now,
        changed=changed,
    )
    # The version this replaces, if it kept no revision (a load's new article): recorded before
    # the save applies, so that whoever reads the article's new version finds the old one.
    implied = revisions.implied_document({**before, "_id": current.id})
    prelude = [_record(implied)] if implied is not None else []
    operation = Operation(
        id=op_id, at=now, actor=actor.name, changes=changes, events=events, prelude=prelude
    )
    return operation, after


def plan_delete(*, actor: Actor, current: Article, now: datetime) -> Operation:
    assert current.id is not None
    op_id = new_op_id()
    changes = [
        Change(
            collection=ARTICLES,
            target=current.id,
            kind=ChangeKind.DELETE,
            expect={"version": current.version},
        ),
        Change(collection=arrivals.COLLECTION, target=current.id, kind=ChangeKind.REMOVE),
        Change(collection=arrivals.DEPARTURES, target=current.id, kind=ChangeKind.REMOVE),
    ]
    events = _events(
        op_id=op_id, actor=actor, article_id=current.id, before=current, after=None, now=now
    )
    return Operation(id=op_id, at=now, actor=actor.name, changes=changes, events=events)
