"""Search and related items follow every write, through one journal hook.

- A single write (an editor's save, a transition, a delete, a tag renamed, a sweep completing a
  dead process's write) updates the search index and the related lists it moves before its
  events are announced, so whoever reads after the write sees both.
- A load (many articles at once) only notes what it changed (`discovery_pending`); the loader
  takes it all in at once before the load is revealed (`take_pending`), or, if the loader died,
  the next upkeep round of any API process does.
- A scheduled article's arrival writes nothing: visibility is decided when a list is read.

Rarity statistics (IDF) for related items are refreshed, and every list recomputed, when the
archive has doubled or halved since they were measured (and on the first articles): at once if
the archive has at most `INLINE_LIMIT` articles or the change is a load, otherwise by the
upkeep loop. Between refreshes they stay fixed, so a stored list is exactly what ranking gives.
"""

import contextlib
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from cms.articles import Article
from cms.related import rebuild as related_rebuild
from cms.related import updates as related_updates
from cms.related.store import read_statistics
from cms.search import reindex as search_reindex
from cms.search.analysis import postings
from cms.search.index import read_stats
from cms.search.updates import index_articles, tag_names
from cms.spine.events import EventType
from cms.spine.journal import ChangeKind, Operation
from cms.store.batches import delete_in

PENDING = "discovery_pending"
INLINE_LIMIT = 1000
ARTICLES = Article.Settings.name
WRITES = {ChangeKind.INSERT, ChangeKind.UPDATE, ChangeKind.DELETE}
STATISTICS_DUE = "statistics"


def _pending() -> Any:
    return Article.get_pymongo_collection().database[PENDING]


def changed_by(operations: Sequence[Operation]) -> tuple[set[ObjectId], set[str]]:
    """The articles these operations wrote, and the tags they renamed."""
    articles = {
        change.target
        for operation in operations
        for change in operation.changes
        if change.collection == ARTICLES and change.kind in WRITES
    }
    renamed = {
        event.slug
        for operation in operations
        for event in operation.events
        if event.type is EventType.TAG_UPDATED
        and event.slug
        and "name" in event.data.get("changed", ())
    }
    return articles, renamed


async def follow(operations: Sequence[Operation]) -> None:
    """The journal hook (`cms.followers` installs it): these operations into search and related."""
    articles, renamed = changed_by(operations)
    if not articles and not renamed:
        return
    if any(event.load for operation in operations for event in operation.events):
        key = hashlib.blake2s(" ".join(sorted(op.id for op in operations)).encode()).hexdigest()
        note = {"_id": key, "articles": sorted(articles), "tags": sorted(renamed)}
        with contextlib.suppress(DuplicateKeyError):  # noted by an earlier run of this hook
            await _pending().insert_one(note)
        return
    await refresh(articles, renamed)


async def refresh(
    articles: Iterable[ObjectId], renamed: Iterable[str], *, batch: bool = False
) -> None:
    """Take these articles (and those carrying the renamed tags) into search and related lists."""
    ids = set(articles)
    tags = sorted(set(renamed))
    if tags:
        tagged = Article.get_pymongo_collection().find({"tags": {"$in": tags}}, {"_id": 1})
        ids |= {document["_id"] async for document in tagged}
    await index_articles(sorted(ids))
    await related_updates.update(sorted(ids))
    await _refresh_statistics_if_due(batch=batch)


def _due(articles: int, measured: int) -> bool:
    """Whether rarity should be measured again: the archive doubled or halved since it was."""
    if measured == 0:
        return articles > 0
    return articles >= 2 * measured or 2 * articles <= measured


async def _refresh_statistics_if_due(*, batch: bool) -> None:
    articles = (await read_stats()).articles
    if not _due(articles, (await read_statistics()).articles):
        return
    if batch or articles <= INLINE_LIMIT:
        await rebuild(refresh_statistics=True)
    else:
        with contextlib.suppress(DuplicateKeyError):  # already left for the upkeep loop
            await _pending().insert_one({"_id": STATISTICS_DUE, "articles": [], "tags": []})


async def take_pending() -> int:
    """Take in what loads noted (and a refresh of statistics left for later); how many notes."""
    notes = await _pending().find({}).to_list()
    if not notes:
        return 0
    articles = {article for note in notes for article in note["articles"]}
    renamed = {tag for note in notes for tag in note["tags"]}
    count = await Article.get_pymongo_collection().estimated_document_count()
    due = any(note["_id"] == STATISTICS_DUE for note in notes)
    if due or _due(count, (await read_statistics()).articles):
        await rebuild(refresh_statistics=True)
    else:
        await refresh(articles, renamed, batch=True)
    await delete_in(_pending(), "_id", [note["_id"] for note in notes])
    return len(notes)


async def schedule_if_missing() -> None:
    """An archive from before search and related lists were kept: build them in the upkeep loop."""
    articles = await Article.get_pymongo_collection().estimated_document_count()
    if articles and not (await read_statistics()).articles:
        with contextlib.suppress(DuplicateKeyError):  # already left for the upkeep loop
            await _pending().insert_one({"_id": STATISTICS_DUE, "articles": [], "tags": []})


@dataclass(frozen=True, slots=True)
class RebuildReport:
    search: search_reindex.ReindexReport
    related: related_rebuild.RebuildReport


async def read_archive() -> tuple[list[dict[str, Any]], dict[ObjectId, dict[str, str]]]:
    """Every article (all but its journal bookkeeping), and its postings, analysed now."""
    cursor = Article.get_pymongo_collection().find({}, {"recent_ops": 0})
    articles = await cursor.to_list()
    names = await tag_names(slug for article in articles for slug in article.get("tags", ()))
    analysed = {article["_id"]: await postings(article, names) for article in articles}
    return articles, analysed


async def rebuild(*, refresh_statistics: bool = False) -> RebuildReport:
    """The search index and every related list, rebuilt from the articles."""
    articles, postings = await read_archive()
    found: Mapping[ObjectId, dict[str, str]] = postings
    return RebuildReport(
        search=await search_reindex.reindex(articles, found),
        related=await related_rebuild.rebuild(
            articles, found, refresh_statistics=refresh_statistics
        ),
    )
