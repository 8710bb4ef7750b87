"""Scheduled publication and unpublication: announcing, once, that an article's time has come.

An article becomes public at its publication time with no job and no write: the visibility rule
compares times. What needs a process is the announcement (`article.published` on the event log)
that webhooks, caches and subscribers wait for. Every write of an article that awaits its time
keeps an entry here; any Newsroom process calls `announce_due` now and then, and the event's id
names the article and the time, so however many processes race, it is announced once. A write
of the article after its time and before the announcement announces it itself, with the same id.

Scheduled unpublication (`unpublish_at`) works the same way: the rule hides the article from its
time on, and a departure (`article.unpublished`, id `departure:<article>:<time>`) is announced
once from the `departures` collection.
"""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel

from cms.access import SCHEDULER
from cms.clock import utcnow
from cms.spine import events
from cms.spine.events import Event, EventType
from cms.status import ArticleStatus

log = logging.getLogger(__name__)

COLLECTION = "arrivals"
DEPARTURES = "departures"


class Arrival(Document):
    """An article that becomes public at `publish_at`, as of its `version`."""

    id: PydanticObjectId  # the article's
    publish_at: datetime
    version: int
    slug: str

    class Settings:
        name = COLLECTION
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("publish_at", ASCENDING)])]


class Departure(Document):
    """An article that leaves public view at `unpublish_at`, as of its `version`."""

    id: PydanticObjectId  # the article's
    unpublish_at: datetime
    version: int
    slug: str

    class Settings:
        name = DEPARTURES
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("unpublish_at", ASCENDING)])]


def departure_event(*, article_id: PydanticObjectId, slug: str, unpublish_at: datetime) -> Event:
    return _scheduled(
        "departure",
        EventType.ARTICLE_UNPUBLISHED,
        article_id=article_id,
        slug=slug,
        at=unpublish_at,
        data={"departed": True},
    )


def arrival_event(*, article_id: PydanticObjectId, slug: str, publish_at: datetime) -> Event:
    return _scheduled(
        "arrival",
        EventType.ARTICLE_PUBLISHED,
        article_id=article_id,
        slug=slug,
        at=publish_at,
        data={"status": ArticleStatus.PUBLISHED.value},
    )


def _scheduled(
    kind: str,
    type_: EventType,
    *,
    article_id: PydanticObjectId,
    slug: str,
    at: datetime,
    data: dict[str, Any],
) -> Event:
    """The scheduler's announcement of an article's time: one id per article and time, so any
    number of processes announcing it make one event."""
    return Event(
        event_id=f"{kind}:{article_id}:{at.isoformat()}",
        type=type_,
        at=at,
        actor=SCHEDULER.name,
        subject=str(article_id),
        slug=slug,
        data={"scheduled": True, **data},
    )


async def next_arrival() -> datetime | None:
    """When the next scheduled article becomes public, if any is waiting."""
    found = await Arrival.get_pymongo_collection().find_one(
        {}, {"publish_at": 1}, sort=[("publish_at", ASCENDING)]
    )
    return found["publish_at"] if found else None


async def announce_due(now: datetime | None = None) -> int:
    """Announce every article whose time (to arrive or to leave) has come; how many were due."""
    now = now or utcnow()
    arrived = await _announce(
        Arrival.get_pymongo_collection(),
        "publish_at",
        lambda entry: arrival_event(
            article_id=entry["_id"], slug=entry["slug"], publish_at=entry["publish_at"]
        ),
        now,
    )
    departed = await _announce(
        Departure.get_pymongo_collection(),
        "unpublish_at",
        lambda entry: departure_event(
            article_id=entry["_id"], slug=entry["slug"], unpublish_at=entry["unpublish_at"]
        ),
        now,
    )
    if arrived or departed:
        log.info("Announced %d scheduled arrival(s), %d departure(s)", arrived, departed)
    return arrived + departed


async def _announce(
    collection: Any, at: str, event_for: Callable[[dict[str, Any]], Event], now: datetime
) -> int:
    from cms.articles import Article

    due = await (collection.find({at: {"$lte": now}}).sort(at, ASCENDING).limit(200)).to_list()
    for entry in due:
        article = await Article.get_pymongo_collection().find_one(
            {"_id": entry["_id"]}, {"version": 1}
        )
        # A later write of the article replaced or removed this entry (and announced it itself
        # if its time had come): an entry for an older version is only left to tidy up.
        if article is not None and article.get("version") == entry["version"]:
            await events.append([event_for(entry)])
        await collection.delete_one({"_id": entry["_id"], "version": entry["version"]})
    return len(due)
