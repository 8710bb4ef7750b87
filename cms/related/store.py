"""Related items in the store: each article's profile with its list, and the statistics.

- `related_profiles` (`_id` the article's id): what ranking knows of the article (signature,
  weighted tags, section, time, pins, excludes, the version it was made from) and its list's cut,
  packed in `p`, and the list's members, pins first. `related(first:)` reads the members of one;
  the items are the articles themselves, at the version the catalog has (most from the process's
  memory, `cms.reading.lookups.documents`). A process that ranks reads every profile once
  (`cms.related.state`).
- `related_stats` (`_id` "stats"): the statistics rarity is measured with, from the last rebuild.

Lists hold ids, not what each item shows: a copy of every member's fields in every list made a
list ten times the size of an article, and a load wrote them all (23 MB for 2,000 articles, six
times the articles themselves). A profile is one JSON text (`p`) beside its members: the
embedded store's cost grows with a document's fields far more than with its bytes (its writes of
a 10,000-article load's profiles took 3.4 s with a field each, 2.3 s packed).
"""

import json
import sys
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cms.articles import Article
from cms.clock import as_utc
from cms.related.model import Listing, OrderKey
from cms.related.score import Profile, Statistics, Weights
from cms.status import ArticleStatus
from cms.store.overlay import Writes, read_one

PROFILES = "related_profiles"
STATS = "related_stats"
STATS_ID = "stats"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLISECOND = timedelta(milliseconds=1)
# What an update reads of an article: what ranking and pins need.
FIELDS = dict.fromkeys(
    ("slug", "status", "published_at", "section", "tags", "related", "not_related", "version"),
    1,
)


# A writing process reads the profiles of a span of time (`cms.related.state`).
PROFILE_INDEXES = [IndexModel([("at", ASCENDING)])]


async def ensure_indexes(database: AsyncDatabase[dict[str, Any]]) -> None:
    await database[PROFILES].create_indexes(PROFILE_INDEXES)


def collection(name: str) -> Any:
    return Article.get_pymongo_collection().database[name]


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def millis(value: datetime) -> int:
    # As BSON keeps a date: whole milliseconds, rounded down.
    return (as_utc(value) - EPOCH) // MILLISECOND


def profile_document(profile: Profile, version: int, listing: Listing | None) -> dict[str, Any]:
    cut = list(listing.cut) if listing and listing.cut else None
    at = millis(profile.published_at)
    held = [
        profile.slug,
        profile.status.value,
        at,
        profile.section,
        dict(profile.terms),
        dict(profile.tags),
        list(profile.pins),
        list(profile.excludes),
        version,
        cut,
    ]
    document = {
        "_id": profile.id,
        "p": _text(held),
        "members": " ".join(map(str, listing.members)) if listing else None,
        # Outside `p`, to be found by: the time (`PROFILE_INDEXES`), and whether it pins.
        "at": at,
    }
    if profile.pins:
        document["pinning"] = True
    return document


def _held(document: Mapping[str, Any]) -> list[Any]:
    """What `profile_document` packed into `p`; of a profile written before profiles were packed
    (one field each), the same values (the next rebuild packs it)."""
    if "p" in document:
        return json.loads(document["p"])  # type: ignore[no-any-return]
    cut = json.loads(document["cut"]) if document.get("cut") else None
    return [
        document["slug"],
        document["status"],
        millis(document["at"]),
        document["section"],
        json.loads(document["terms"]),
        json.loads(document["tags"]),
        document["pins"],
        document["excludes"],
        document.get("version", 0),
        cut,
    ]


def stored_profile(document: Mapping[str, Any]) -> tuple[Profile, int, OrderKey | None]:
    """A stored profile: what ranking knows, the version of the article it was made from, and
    its list's cut (`p` parsed once: a process that ranks reads every profile); its members are
    `members`, read by `Model.set_stored_listing`."""
    slug, status, at, section, terms, tags, pins, excludes, version, cut = _held(document)
    profile = Profile(
        id=document["_id"],
        slug=slug,
        status=ArticleStatus(status),
        published_at=EPOCH + at * MILLISECOND,
        section=sys.intern(section),
        terms=Weights(terms.items()),
        tags=Weights(tags.items()),
        pins=tuple(pins),
        excludes=tuple(excludes),
    )
    return profile, int(version), _cut(cut)


def listing_of(document: Mapping[str, Any]) -> Listing | None:
    """A profile's list (without its cut if `p` was not read: `members` is all a reader needs)."""
    cut = _held(document)[9] if "p" in document or "slug" in document else None
    return _listing(document, cut)


def _listing(document: Mapping[str, Any], cut: list[Any] | None) -> Listing | None:
    if document.get("members") is None:
        return None
    members = tuple(ObjectId(member) for member in document["members"].split())
    return Listing(members, _cut(cut))


def _cut(cut: list[Any] | None) -> OrderKey | None:
    return (cut[0], cut[1], cut[2]) if cut else None


def statistics_of(document: Mapping[str, Any] | None) -> Statistics:
    if not document:
        return Statistics()
    return Statistics(
        document["articles"], document["terms"], document["tags"], document.get("window")
    )


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
        "window": statistics.window,
        "epoch": epoch,
    }
    writes.put(STATS, document)
    return epoch
