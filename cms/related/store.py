"""Related items in the store: each list as readers get it, each article's profile, statistics.

- `related` (`_id` the article's id): `items`, what each related item shows (every field of the
  article but its body), pins first. `related(first:)` is one read of this document.
- `related_profiles` (`_id` the article's id): what ranking knows of the article (signature,
  weighted tags, section, time, pins, excludes), what it shows, and its list's members and cut.
  A process that ranks reads them all once (`cms.related.state`).
- `related_stats` (`_id` "stats"): the statistics rarity is measured with, from the last rebuild.

What an item shows, a profile's weights and its list's members are kept as JSON text: the
embedded store writes and reads one string about ten times faster than the nested fields it
stands for (measured: 21 lists of 25 items replaced in 0.14 s as strings, 1.4 s as fields).
"""

import json
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from bson import ObjectId

from cms.articles import Article
from cms.clock import as_utc
from cms.related.model import Listing
from cms.related.score import Profile, Statistics
from cms.status import ArticleStatus
from cms.store.overlay import Writes, read_one

LISTS = "related"
PROFILES = "related_profiles"
STATS = "related_stats"
STATS_ID = "stats"
# The fields a related item shows: all of an article's but its body (read on demand).
SHOWN = (
    "slug",
    "headline",
    "author",
    "section",
    "tags",
    "image",
    "excerpt",
    "published_at",
    "updated_at",
    "status",
    "version",
)
DATES = ("published_at", "updated_at")
# What an update reads of an article: what it shows, and what ranking and pins need.
FIELDS = dict.fromkeys((*SHOWN, "related", "not_related"), 1)


def collection(name: str) -> Any:
    return Article.get_pymongo_collection().database[name]


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def shown(article: Mapping[str, Any]) -> str:
    """What a related item shows of `article`, as stored (JSON)."""
    values = {name: article.get(name) for name in SHOWN}
    for name in DATES:
        values[name] = as_utc(article[name]).isoformat()
    return _text({"_id": str(article["_id"]), **values})


def shown_fields(text: str) -> dict[str, Any]:
    """A stored item as an article's fields (`_id` and times as the store has them)."""
    values: dict[str, Any] = json.loads(text)
    values["_id"] = ObjectId(values["_id"])
    for name in DATES:
        values[name] = datetime.fromisoformat(values[name])
    return values


def profile_document(profile: Profile, show: str, listing: Listing | None) -> dict[str, Any]:
    return {
        "_id": profile.id,
        "slug": profile.slug,
        "status": profile.status.value,
        "at": profile.published_at,
        "section": profile.section,
        "terms": _text(profile.terms),
        "tags": _text(profile.tags),
        "pins": list(profile.pins),
        "excludes": list(profile.excludes),
        "show": show,
        "members": " ".join(map(str, listing.members)) if listing else None,
        "cut": _text(listing.cut) if listing and listing.cut else None,
    }


def profile_of(document: Mapping[str, Any]) -> Profile:
    return Profile(
        id=document["_id"],
        slug=document["slug"],
        status=ArticleStatus(document["status"]),
        published_at=as_utc(document["at"]),
        section=document["section"],
        terms=json.loads(document["terms"]),
        tags=json.loads(document["tags"]),
        pins=tuple(document["pins"]),
        excludes=tuple(document["excludes"]),
    )


def listing_of(document: Mapping[str, Any]) -> Listing | None:
    if document.get("members") is None:
        return None
    members = tuple(ObjectId(member) for member in document["members"].split())
    cut = json.loads(document["cut"]) if document.get("cut") else None
    return Listing(members, (cut[0], cut[1], cut[2]) if cut else None)


def statistics_of(document: Mapping[str, Any] | None) -> Statistics:
    if not document:
        return Statistics()
    return Statistics(document["articles"], document["terms"], document["tags"])


async def read_statistics(*, overlay: str | None = None) -> Statistics:
    """The statistics in force (as load `overlay`, revealed and not merged yet, has them)."""
    database = collection(STATS).database
    return statistics_of(await read_one(database, STATS, STATS_ID, overlay=overlay))


async def read_epoch(*, overlay: str | None = None) -> str | None:
    """Which statistics are in force (a new value each time they are measured)."""
    database = collection(STATS).database
    found = await read_one(database, STATS, STATS_ID, overlay=overlay, projection={"epoch": 1})
    return found.get("epoch") if found else None


def statistics_document(statistics: Statistics, writes: Writes) -> str:
    """Plan writing `statistics` (a new epoch: every process reads its profiles again); the
    epoch."""
    epoch = uuid.uuid4().hex
    document = {
        "_id": STATS_ID,
        "articles": statistics.articles,
        "terms": dict(statistics.terms),
        "tags": dict(statistics.tags),
        "epoch": epoch,
    }
    writes.put(STATS, document)
    return epoch


def list_document(article_id: ObjectId, items: Iterable[str]) -> dict[str, Any]:
    return {"_id": article_id, "items": list(items)}
