"""Keeping the index current: an article's postings rewritten from the article as stored now.

Each article is compared with what the index holds for it (`search_docs`): postings that changed
are set, postings of terms it no longer has are removed, the statistics move by the difference,
and its `search_docs` entry is written last. Run again after a crash half way, the same
differences are found and applied again, and the statistics count them once; so this can run
from a journal hook, which may run more than once.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from cms import tags
from cms.articles import Article
from cms.search.analysis import lengths_of, postings
from cms.search.index import (
    DOCS,
    Count,
    TermChanges,
    collection,
    database,
    entry_document,
    entry_postings,
    plan_counts,
    plan_terms,
    read_stats,
)
from cms.spine.events import EventType
from cms.store.batches import find_in
from cms.store.overlay import Writes, write

# The events that say an article changed (or went).
ARTICLE_EVENTS = frozenset(
    {
        EventType.ARTICLE_PUBLISHED,
        EventType.ARTICLE_UNPUBLISHED,
        EventType.ARTICLE_UPDATED,
        EventType.ARTICLE_SCHEDULED,
        EventType.ARTICLE_SAVED,
        EventType.ARTICLE_DELETED,
    }
)
# What analysis reads of an article.
CONTENT = {"headline": 1, "excerpt": 1, "tags": 1, "body": 1, "version": 1}


async def tag_names(slugs: Iterable[str]) -> dict[str, str]:
    found = await tags.by_slugs(list(dict.fromkeys(slugs)))
    return {slug: tag.name for slug, tag in found.items()}


async def postings_of(
    article: Mapping[str, Any] | None, names: Mapping[str, str]
) -> dict[str, str]:
    return await postings(article, names) if article is not None else {}


async def index_articles(article_ids: Iterable[ObjectId]) -> int:
    """Bring the index up to date with these articles; how many of them it had wrong."""
    writes = Writes()
    plan = await plan_index(article_ids, writes)
    await write(database(), writes)
    return plan.rewritten


@dataclass(frozen=True, slots=True)
class IndexPlan:
    """How many articles the index had wrong, and every article's postings as planned."""

    rewritten: int
    postings: dict[ObjectId, dict[str, str]]


async def plan_index(
    article_ids: Iterable[ObjectId],
    writes: Writes,
    *,
    count_key: str | None = None,
    known: Mapping[ObjectId, tuple[dict[str, Any], dict[str, str]]] | None = None,
) -> IndexPlan:
    """Plan into `writes` what brings the index up to date with these articles, as stored now.

    Staging a load (`writes.whole`), the statistics move once, under `count_key`. `known`: some
    of these articles as stored now, with their postings (a load's own: not read again).
    """
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return IndexPlan(0, {})
    known = known or {}
    stats = await read_stats()
    unknown = [article_id for article_id in ids if article_id not in known]
    stored = await find_in(Article.get_pymongo_collection(), "_id", unknown, projection=CONTENT)
    current = {document["_id"]: document for document in stored}
    names = await tag_names(slug for article in current.values() for slug in article["tags"])
    current |= {article_id: document for article_id, (document, _) in known.items()}
    indexed = {
        document["_id"]: document for document in await find_in(collection(DOCS), "_id", ids)
    }
    changes = TermChanges()
    rewritten: list[tuple[ObjectId, dict[str, str]]] = []
    entries: list[tuple[dict[str, Any], bool]] = []
    planned: dict[ObjectId, dict[str, str]] = {}
    for article_id in ids:
        article, found = str(article_id), current.get(article_id)
        old = indexed.get(article_id)
        before = entry_postings(old)
        after = known[article_id][1] if article_id in known else await postings_of(found, names)
        if found is not None:
            planned[article_id] = after
        if old is not None and found is not None and before == after:
            if old.get("v") != found["version"]:
                entries.append((entry_document(article_id, found["version"], after), False))
            continue
        for term, posting in after.items():
            if before.get(term) != posting:
                changes.set(stats.place(term, article), posting)
        for term in before.keys() - after.keys():
            changes.set(stats.place(term, article), None)
        rewritten.append((article_id, after))
    # Postings first, then the statistics, then each article's entry: until that last write, a
    # repeated run finds the same differences.
    await plan_terms(changes, writes)
    counts = [
        _count(str(article_id), indexed.get(article_id), current.get(article_id), after)
        for article_id, after in rewritten
    ]
    await plan_counts([count for count in counts if count is not None], writes, key=count_key)
    gone = []
    for article_id, after in rewritten:
        old, found = indexed.get(article_id), current.get(article_id)
        if found is not None:
            entries.append((entry_document(article_id, found["version"], after), old is None))
        else:
            gone.append(article_id)
    for entry, new in entries:
        writes.put(DOCS, entry, new=new)
    writes.delete(DOCS, gone)
    return IndexPlan(len(rewritten), planned)


def _count(
    article: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    after: Mapping[str, str],
) -> Count | None:
    """How the statistics move with one article: one article more or less, and its lengths."""
    before = entry_postings(old)
    old_lengths, new_lengths = lengths_of(before.values()), lengths_of(after.values())
    articles = (new is not None) - (old is not None)
    delta = tuple(
        new_length - old_length
        for old_length, new_length in zip(old_lengths, new_lengths, strict=True)
    )
    if not articles and not any(delta):
        return None
    key = f"{article}:{old and old.get('v')}:{old_lengths}>{new and new['version']}:{new_lengths}"
    return Count(key, articles, delta)
