""" "You may also like": the articles most related to one, ranked from the catalog."""

from datetime import datetime, timedelta
from itertools import chain
from typing import Protocol

from bson import ObjectId
from sortedcontainers import SortedList

from cms.catalog import Catalog, Entry
from cms.visibility import Audience

MAX_RELATED = 20
# Articles further than this in time from the source only relate through a tag or section.
DATE_WINDOW = timedelta(days=30)
# Nor do tag or section reach further back or ahead than this: "you may also like" is news.
HORIZON = timedelta(days=365)
# At most this many candidates (newest first) are ranked per article, so a large archive costs
# no more than a small one.
POOL_LIMIT = 500


class Source(Protocol):
    @property
    def id(self) -> ObjectId | None: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def section(self) -> str: ...
    @property
    def published_at(self) -> datetime: ...


def rank(source: Source, candidate: Entry) -> tuple[int, int, float, str]:
    """Shared tags first, then the same section, then closeness in time; ties by slug."""
    shared_tags = len(set(candidate.tags).intersection(source.tags))
    same_section = int(candidate.section == source.section)
    distance = abs((candidate.published_at - source.published_at).total_seconds())
    return (-shared_tags, -same_section, distance, candidate.slug)


def _window(keys: SortedList, start: datetime, end: datetime) -> list[ObjectId]:
    low = keys.bisect_left((start, ObjectId("0" * 24)))
    high = keys.bisect_right((end, ObjectId("f" * 24)))
    return [article_id for _, article_id in keys[low:high]]


def candidates(catalog: Catalog, source: Source, audience: Audience, now: datetime) -> list[Entry]:
    """Articles `audience` may read sharing a tag or the section within `HORIZON`, or any within
    `DATE_WINDOW`; the newest `POOL_LIMIT` of them."""
    moment = source.published_at
    near = _window(catalog.by_date, moment - DATE_WINDOW, moment + DATE_WINDOW)
    lists = [catalog.by_tag.get(tag) for tag in source.tags]
    lists.append(catalog.by_section.get(source.section))
    labelled = (
        _window(keys, moment - HORIZON, moment + HORIZON) for keys in lists if keys is not None
    )
    ids = set(chain(near, *labelled))
    ids.discard(source.id)
    readable = (catalog.entries[article_id] for article_id in ids)
    pool = sorted(
        (entry for entry in readable if entry.readable(audience, now)),
        key=lambda entry: (entry.published_at, entry.id),
        reverse=True,
    )
    return pool[:POOL_LIMIT]


def rank_related(
    catalog: Catalog, source: Source, *, first: int, audience: Audience, now: datetime
) -> list[Entry]:
    if first == 0:
        return []
    pool = candidates(catalog, source, audience, now)
    pool.sort(key=lambda entry: rank(source, entry))
    return pool[:first]
