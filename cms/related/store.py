"""Related items in the store: each article's profile with its list, and the statistics.

- `related_profiles` (`_id` the article's id): what ranking knows of the article (signature,
  weighted tags, section, time, pins, excludes, the version it was made from) and its list: the
  members, pins first, and the cut. `related(first:)` reads the members of one; the items are
  the articles themselves, at the version the catalog has (most from the process's memory,
  `cms.reading.lookups.documents`). A process that ranks reads every profile once
  (`cms.related.state`).
- `related_stats` (`_id` "stats"): the statistics rarity is measured with, from the last rebuild.

Lists hold ids, not what each item shows: a copy of every member's fields in every list made a
list ten times the size of an article, and a load wrote them all (23 MB for 2,000 articles, six
times the articles themselves). A profile's weights are kept as JSON text: the embedded store
writes and reads one string about ten times faster than the nested fields it stands for.
"""

import json
import sys
import uuid
from collections.abc import Mapping
from typing import Any

from bson import ObjectId

from cms.articles import Article
from cms.clock import as_utc
from cms.related.model import Listing
from cms.related.score import Profile, Statistics, Weights
from cms.status import ArticleStatus
from cms.store.overlay import Writes, read_one

PROFILES = "related_profiles"
STATS = "related_stats"
STATS_ID = "stats"
# What an update reads of an article: what ranking and pins need.
FIELDS = dict.fromkeys(
    ("slug", "status", "published_at", "section", "tags", "related", "not_related", "version"),
    1,
)


def collection(name: str) -> Any:
    return Article.get_pymongo_collection().database[name]


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def profile_document(profile: Profile, version: int, listing: Listing | None) -> dict[str, Any]:
    return {
        "_id": profile.id,
        "slug": profile.slug,
        "status": profile.status.value,
        "at": profile.published_at,
        "section": profile.section,
        "terms": _text(dict(profile.terms)),
        "tags": _text(dict(profile.tags)),
        "pins": list(profile.pins),
        "excludes": list(profile.excludes),
        "version": version,
        "members": " ".join(map(str, listing.members)) if listing else None,
        "cut": _text(listing.cut) if listing and listing.cut else None,
    }


def _interned(text: str) -> Weights:
    # Every writing process holds every profile: one copy of each word and tag among them all,
    # not one per profile (docs/operations/scale.md).
    return Weights((sys.intern(key), weight) for key, weight in json.loads(text).items())


def profile_of(document: Mapping[str, Any]) -> Profile:
    return Profile(
        id=document["_id"],
        slug=document["slug"],
        status=ArticleStatus(document["status"]),
        published_at=as_utc(document["at"]),
        section=sys.intern(document["section"]),
        terms=_interned(document["terms"]),
        tags=_interned(document["tags"]),
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
