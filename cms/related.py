""" "You may also like": articles related to each of many articles, from one query."""

from collections.abc import Sequence
from datetime import timedelta

from beanie import PydanticObjectId

from cms.articles import Article
from cms.visibility import visible

MAX_RELATED = 20
# Articles further than this in time from every source only relate through a tag or section.
DATE_WINDOW = timedelta(days=30)


def _rank(source: Article, candidate: Article) -> tuple[int, int, float, str]:
    shared_tags = len(set(source.tags) & set(candidate.tags))
    same_section = int(candidate.section == source.section)
    distance = abs((candidate.published_at - source.published_at).total_seconds())
    return (-shared_tags, -same_section, distance, candidate.slug)


async def related_articles(
    sources: Sequence[Article], *, first: int
) -> dict[PydanticObjectId, list[Article]]:
    """For each source, up to `first` visible articles, never itself.

    Ranked by shared tags, then same section, then closeness in publication date (ties by slug,
    so the list is stable). The candidate pool is every visible article sharing a tag or the
    section with any source, or published within `DATE_WINDOW` of one: each `$or` branch has its
    own index, and an untagged article still gets its neighbours in time.
    """
    if not sources:
        return {}
    tags = sorted({tag for source in sources for tag in source.tags})
    sections = sorted({source.section for source in sources})
    dates = [source.published_at for source in sources]
    pool_query = {
        **visible(),
        "$or": [
            {"tags": {"$in": tags}},
            {"section": {"$in": sections}},
            {"published_at": {"$gte": min(dates) - DATE_WINDOW, "$lte": max(dates) + DATE_WINDOW}},
        ],
    }
    pool = await Article.find(pool_query).to_list()
    related: dict[PydanticObjectId, list[Article]] = {}
    for source in sources:
        assert source.id is not None
        candidates = [candidate for candidate in pool if candidate.id != source.id]
        candidates.sort(key=lambda candidate: _rank(source, candidate))
        related[source.id] = candidates[:first]
    return related
