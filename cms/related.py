""" "You may also like": articles related to each of many articles, from one query."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from beanie import PydanticObjectId

from cms.articles import Article, by_ids
from cms.clock import as_utc
from cms.store.batches import CHUNK
from cms.visibility import Audience, readable

MAX_RELATED = 20
# Articles further than this in time from every source only relate through a tag or section.
DATE_WINDOW = timedelta(days=30)
# Nor do tag or section reach further back or ahead than this: "you may also like" is news.
HORIZON = timedelta(days=365)
# At most this many candidates are ranked per request (newest first within the horizon), so a
# large archive costs no more than a small one.
POOL_LIMIT = 500


# Only what ranking needs: the pool can be large, the full documents are fetched for the winners.
_RANKING_FIELDS = {"slug": 1, "tags": 1, "section": 1, "published_at": 1}


@dataclass(frozen=True, slots=True)
class _Candidate:
    id: PydanticObjectId
    slug: str
    tags: frozenset[str]
    section: str
    published_at: datetime


def _rank(source: Article, candidate: _Candidate) -> tuple[int, int, float, str]:
    shared_tags = len(candidate.tags.intersection(source.tags))
    same_section = int(candidate.section == source.section)
    distance = abs((candidate.published_at - source.published_at).total_seconds())
    return (-shared_tags, -same_section, distance, candidate.slug)


async def related_articles(
    sources: Sequence[Article], *, first: int, audience: Audience
) -> dict[PydanticObjectId, list[Article]]:
    """For each source, up to `first` articles `audience` may read, never itself.

    Ranked by shared tags, then same section, then closeness in publication date (ties by slug,
    so the list is stable). The candidate pool is every visible article sharing a tag or the
    section with any source, or published within `DATE_WINDOW` of one: each `$or` branch has its
    own index, and an untagged article still gets its neighbours in time. The pool is bounded
    (`HORIZON`, `POOL_LIMIT`). Two commands whatever the number of sources: the pool's ranking
    fields, then the winners in full.
    """
    if not sources or first == 0:
        return {source.id: [] for source in sources if source.id is not None}
    tags = sorted({tag for source in sources for tag in source.tags})
    sections = sorted({source.section for source in sources})
    dates = [source.published_at for source in sources]
    pool_query = {
        "$and": [
            readable(audience),
            {"published_at": {"$gte": min(dates) - HORIZON, "$lte": max(dates) + HORIZON}},
        ],
        "$or": [
            {"tags": {"$in": tags[:CHUNK]}},
            {"section": {"$in": sections[:CHUNK]}},
            {"published_at": {"$gte": min(dates) - DATE_WINDOW, "$lte": max(dates) + DATE_WINDOW}},
        ],
    }
    rows = (
        await Article.get_pymongo_collection()
        .find(pool_query, _RANKING_FIELDS)
        .sort([("published_at", -1), ("_id", -1)])
        .limit(POOL_LIMIT)
        .to_list()
    )
    pool = [
        _Candidate(
            id=PydanticObjectId(row["_id"]),
            slug=row["slug"],
            tags=frozenset(row.get("tags", ())),
            section=row["section"],
            published_at=as_utc(row["published_at"]),
        )
        for row in rows
    ]
    chosen: dict[PydanticObjectId, list[PydanticObjectId]] = {}
    for source in sources:
        assert source.id is not None
        candidates = [candidate for candidate in pool if candidate.id != source.id]
        candidates.sort(key=lambda candidate: _rank(source, candidate))
        chosen[source.id] = [candidate.id for candidate in candidates[:first]]
    wanted = {object_id for ids in chosen.values() for object_id in ids}
    by_id = await by_ids(wanted, audience)
    # An article unpublished between the two reads is simply left out.
    return {
        source_id: [by_id[object_id] for object_id in ids if object_id in by_id]
        for source_id, ids in chosen.items()
    }
