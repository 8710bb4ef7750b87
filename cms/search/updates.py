"""Keeping the index current: an article's postings rewritten from the article as stored now.

Each article is compared with what the index holds for it (`search_docs`): postings that changed
are set, postings of terms it no longer has are removed, the statistics move by the difference,
and its `search_docs` entry is written last. Run again after a crash half way, the same
differences are found and applied again, and the statistics count them once; so this can run
from a journal hook, which may run more than once.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from bson import ObjectId

from cms import tags
from cms.articles import Article
from cms.search.analysis import lengths_of, postings
from cms.search.index import (
    DOCS,
    TermChanges,
    collection,
    count_once,
    entry_document,
    entry_postings,
    read_stats,
    write_terms,
)
from cms.spine.events import EventType
from cms.store.batches import find_in, put

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
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return 0
    stats = await read_stats()
    stored = await find_in(Article.get_pymongo_collection(), "_id", ids, projection=CONTENT)
    current = {document["_id"]: document for document in stored}
    names = await tag_names(slug for article in current.values() for slug in article["tags"])
    docs = collection(DOCS)
    indexed = {document["_id"]: document for document in await find_in(docs, "_id", ids)}
    changes = TermChanges()
    rewritten: list[tuple[ObjectId, dict[str, str]]] = []
    for article_id in ids:
        article, found = str(article_id), current.get(article_id)
        old = indexed.get(article_id)
        before = entry_postings(old)
        after = await postings_of(found, names)
        if old is not None and found is not None and before == after:
            if old.get("v") != found["version"]:
                await put(docs, entry_document(article_id, found["version"], after))
            continue
        for term, posting in after.items():
            if before.get(term) != posting:
                changes.set(stats.place(term, article), posting)
        for term in before.keys() - after.keys():
            changes.set(stats.place(term, article), None)
        rewritten.append((article_id, after))
    # Postings first, then the statistics, then each article's entry: until that last write, a
    # repeated run finds the same differences.
    await write_terms(changes)
    for article_id, after in rewritten:
        old, found = indexed.get(article_id), current.get(article_id)
        await _count(str(article_id), old, found, entry_postings(old), after)
        if found is not None:
            await put(docs, entry_document(article_id, found["version"], after))
        else:
            await docs.delete_one({"_id": article_id})
    return len(rewritten)


async def _count(
    article: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    before: Mapping[str, str],
    after: Mapping[str, str],
) -> None:
    """Move the statistics by what changed: one article more or less, and its lengths."""
    old_lengths, new_lengths = lengths_of(before.values()), lengths_of(after.values())
    articles = (new is not None) - (old is not None)
    delta = [
        new_length - old_length
        for old_length, new_length in zip(old_lengths, new_lengths, strict=True)
    ]
    if not articles and not any(delta):
        return
    key = f"{article}:{old and old.get('v')}:{old_lengths}>{new and new['version']}:{new_lengths}"
    await count_once(key, articles, delta)
