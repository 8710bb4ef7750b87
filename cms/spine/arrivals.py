"""Scheduled publication: announcing, once, that an article's time has come.

An article becomes public at its publication time with no job and no write: the visibility rule
compares times. What needs a process is the announcement (`article.published` on the event log)
that webhooks, caches and subscribers wait for. Every write of an article that awaits its time
keeps an entry here; any Newsroom process calls `announce_due` now and then, and the event's id
names the article and the time, so however many processes race, it is announced once. A write
of the article after its time and before the announcement announces it itself, with the same id.
"""

import logging
from datetime import datetime
from typing import ClassVar

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel

from cms.access import SCHEDULER
from cms.clock import utcnow
from cms.spine import events
from cms.spine.events import Event, EventType
from cms.status import ArticleStatus

log = logging.getLogger(__name__)

COLLECTION = "arrivals"


class Arrival(Document):
    """An article that becomes public at `publish_at`, as of its `version`."""

    id: PydanticObjectId  # the article's
    publish_at: datetime
    version: int
    slug: str

    class Settings:
        name = COLLECTION
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("publish_at", ASCENDING)])]


def arrival_event(*, article_id: PydanticObjectId, slug: str, publish_at: datetime) -> Event:
    return Event(
        event_id=f"arrival:{article_id}:{publish_at.isoformat()}",
        type=EventType.ARTICLE_PUBLISHED,
        at=publish_at,
        actor=SCHEDULER.name,
        subject=str(article_id),
        slug=slug,
        data={"scheduled": True, "status": ArticleStatus.PUBLISHED.value},
    )


async def next_arrival() -> datetime | None:
    """When the next scheduled article becomes public, if any is waiting."""
    found = await Arrival.get_pymongo_collection().find_one(
        {}, {"publish_at": 1}, sort=[("publish_at", ASCENDING)]
    )
    return found["publish_at"] if found else None


async def announce_due(now: datetime | None = None) -> int:
    """Announce every article whose time has come; how many were due."""
    from cms.articles import Article

    now = now or utcnow()
    collection = Arrival.get_pymongo_collection()
    due = await (
        collection.find({"publish_at": {"$lte": now}}).sort("publish_at", ASCENDING).limit(200)
    ).to_list()
    for entry in due:
        article = await Article.get_pymongo_collection().find_one(
            {"_id": entry["_id"]}, {"version": 1, "pending_arrival_at": 1}
        )
        # A later write of the article replaced or removed this entry (and announced it itself
        # if it had arrived): an entry for an older version is only left to tidy up.
        if article is not None and article.get("version") == entry["version"]:
            await events.append(
                [
                    arrival_event(
                        article_id=entry["_id"], slug=entry["slug"], publish_at=entry["publish_at"]
                    )
                ]
            )
        await collection.delete_one({"_id": entry["_id"], "version": entry["version"]})
    if due:
        log.info("Announced %d scheduled article(s)", len(due))
    return len(due)
