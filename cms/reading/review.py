"""The review queue: articles in review, the longest waiting first, with who submitted each and
when.

The catalog lists the articles in review (by last change); the submission is the revision that
moved each one into review: the one after the last revision in another status, two lookups by
the revisions' index per article. The queue shows at most `QUEUE_LIMIT` articles, those changed
longest ago, so a page never reads more than that many articles' revisions.
"""

import asyncio
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId
from pymongo import DESCENDING

from cms.clock import as_utc
from cms.reading.catalog import Catalog, Entry
from cms.revisions import Revision, get_revision, revision_id
from cms.status import ArticleStatus

QUEUE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Submission:
    entry: Entry
    # Who moved it into review, and when; None where no revision recorded it.
    by: str | None
    at: datetime


def waiting(catalog: Catalog) -> int:
    """How many articles are in review."""
    return len(catalog.by_status.get(ArticleStatus.REVIEW, ()))


async def submission(entry: Entry) -> Submission:
    """Who moved `entry` into review this time, and when."""
    revisions = Revision.get_pymongo_collection()
    before = await revisions.find_one(
        {"article_id": entry.id, "status": {"$ne": ArticleStatus.REVIEW.value}},
        {"version": 1},
        sort=[("version", DESCENDING)],
    )
    first = before["version"] + 1 if before is not None else 1
    found = await get_revision(revision_id(ObjectId(entry.id), first))
    if found is None:
        return Submission(entry, None, entry.changed_at)
    return Submission(entry, found.actor, as_utc(found.at))


async def review_queue(catalog: Catalog) -> list[Submission]:
    """The articles in review (at most `QUEUE_LIMIT`), the earliest submitted first."""
    keys = catalog.by_status.get(ArticleStatus.REVIEW)
    entries = [catalog.entries[article_id] for _, article_id in (keys or ())[:QUEUE_LIMIT]]
    found = await asyncio.gather(*(submission(entry) for entry in entries))
    return sorted(found, key=lambda submitted: (submitted.at, submitted.entry.id))
