"""What editors read about an article's ratings: its counters and its votes per day; and the
site's lowest- and highest-rated recent articles.

Everything here is read from the counters (`cms.engagement.ratings`, `cms.engagement.vote_days`)
by `_id`: an article with 10,000 votes costs the same reads as one with 10, and the ledger is
never scanned for a page.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from beanie import PydanticObjectId
from bson import ObjectId

from cms.engagement.ratings import SUMMARY_FIELDS, ArticleRating, RatingSummary, ratings_for
from cms.engagement.vote_days import votes_per_day
from cms.reading.catalog import Catalog, Entry
from cms.visibility import Audience

# The window of the chart and of the site's lists, in days.
WINDOW = 30
# Fewer votes than this say little about an article: it is left out of the site's lists.
MIN_VOTES = 3
_LAST_ID = ObjectId("f" * 24)


@dataclass(frozen=True, slots=True)
class Standing:
    """One article's rating: its summary, and votes cast per day over the window."""

    summary: RatingSummary
    days: list[tuple[date, int]]


async def standing(article_id: PydanticObjectId, *, today: date, days: int = WINDOW) -> Standing:
    counters = await ArticleRating.get_pymongo_collection().find_one(
        {"_id": article_id}, SUMMARY_FIELDS
    )
    per_day = await votes_per_day(article_id, last=today, days=days)
    return Standing(RatingSummary.of(counters), per_day)


@dataclass(frozen=True, slots=True)
class Ranked:
    entry: Entry
    summary: RatingSummary


def recent(catalog: Catalog, now: datetime, *, days: int = WINDOW) -> list[Entry]:
    """Public articles published in the last `days` days, newest first (from memory)."""
    since = now - timedelta(days=days)
    found = []
    for entry in catalog.ordered(catalog.public_by_date, descending=True, after=(now, _LAST_ID)):
        if entry.published_at < since:
            break
        if entry.readable(Audience.PUBLIC, now):
            found.append(entry)
    return found


async def extremes(
    catalog: Catalog, now: datetime, *, limit: int, min_votes: int = MIN_VOTES
) -> tuple[list[Ranked], list[Ranked]]:
    """The lowest- and the highest-rated public articles published in the window, each with at
    least `min_votes` votes: their counters read by `_id` (one per article of the window)."""
    entries = recent(catalog, now)
    summaries = await ratings_for([PydanticObjectId(entry.id) for entry in entries])
    rated = [
        Ranked(entry, summaries[PydanticObjectId(entry.id)])
        for entry in entries
        if summaries[PydanticObjectId(entry.id)].count >= min_votes
    ]
    # Ties: more votes first (a firmer average), then the newer article.
    lowest = sorted(rated, key=lambda r: (r.summary.average, -r.summary.count))
    highest = sorted(rated, key=lambda r: (-r.summary.average, -r.summary.count))
    return lowest[:limit], highest[:limit]
