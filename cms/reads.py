"""Reads for an audience, answered from the catalog plus a fetch of the articles on the page.

The catalog (`cms.catalog`) knows which articles exist, in what status, order, tag and section;
the store is asked only for the articles a page shows, by `_id`. An article whose stored version
is newer than the catalog's (a load applied but not yet revealed) is shown as the catalog's
version, from its revision, so a reader never sees half a load. A search's matches come from the
search index (`cms.search`), then are filtered and ordered here like any list; related items come
from each article's stored list (`cms.related.lists`).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from cms.articles import Article
from cms.catalog import Catalog, Entry
from cms.clock import utcnow
from cms.listing import ArticleOrder, ArticlePage, PageRequest
from cms.pagination import Cursor
from cms.related import lists as related_lists
from cms.related.lists import RelatedItem
from cms.revisions import Revision, revision_id
from cms.search.query import matches
from cms.store.batches import find_each, find_in
from cms.visibility import Audience


async def documents(entries: Iterable[Entry], *, each: bool = False) -> dict[ObjectId, Article]:
    """The articles for these catalog entries, each at the entry's version (`each`: looked up one
    by one, which costs the same however large the archive, on the embedded store too)."""
    wanted = {entry.id: entry for entry in entries}
    if not wanted:
        return {}
    articles = Article.get_pymongo_collection()
    found = await (find_each(articles, wanted) if each else find_in(articles, "_id", wanted))
    by_id = {document["_id"]: document for document in found}
    result: dict[ObjectId, Article] = {}
    behind: list[Entry] = []
    for article_id, entry in wanted.items():
        document = by_id.get(article_id)
        if document is None:
            continue  # deleted since: the catalog hears of it shortly
        if int(document.get("version", 0)) > entry.version:
            behind.append(entry)
        else:
            result[article_id] = Article.model_validate(document)
    if behind:
        revisions = await find_in(
            Revision.get_pymongo_collection(),
            "_id",
            [revision_id(entry.id, entry.version) for entry in behind],
        )
        for document in revisions:
            revision = Revision.model_validate(document)
            result[revision.article_id] = _from_revision(revision, by_id[revision.article_id])
    return result


def _from_revision(revision: Revision, current: dict[str, object]) -> Article:
    return Article.model_validate(
        {
            **current,
            **revision.content,
            "status": revision.status,
            "version": revision.version,
            "updated_at": revision.updated_at or revision.at,
        }
    )


def readable_entries(
    catalog: Catalog, ids: Iterable[ObjectId], audience: Audience, now: datetime
) -> list[Entry]:
    found = (catalog.get(article_id) for article_id in ids)
    return [entry for entry in found if entry is not None and entry.readable(audience, now)]


async def by_ids(
    catalog: Catalog, ids: Iterable[ObjectId], audience: Audience
) -> dict[ObjectId, Article]:
    return await documents(readable_entries(catalog, ids, audience, utcnow()))


async def by_slugs(
    catalog: Catalog, slugs: Sequence[str], audience: Audience
) -> dict[str, Article]:
    now = utcnow()
    entries = [catalog.by_slug(slug) for slug in slugs]
    found = await documents(e for e in entries if e is not None and e.readable(audience, now))
    return {article.slug: article for article in found.values()}


@dataclass(frozen=True, slots=True)
class _Matcher:
    request: PageRequest
    now: datetime

    def __call__(self, entry: Entry) -> bool:
        wanted = self.request.filter
        return (
            entry.readable(self.request.audience, self.now)
            and (wanted.tag is None or wanted.tag in entry.tags)
            and (wanted.section is None or wanted.section == entry.section)
            and (wanted.status is None or wanted.status is entry.status)
            and (wanted.published_after is None or entry.published_at > wanted.published_after)
            and (wanted.published_before is None or entry.published_at < wanted.published_before)
        )


def _walk(catalog: Catalog, request: PageRequest, after: Cursor | None) -> Iterable[Entry]:
    wanted = request.filter
    if request.order is ArticleOrder.HEADLINE:
        key = (after.value, after.id) if after else None
        return catalog.ordered(catalog.by_headline, descending=False, after=key)
    if wanted.tag is not None:
        keys = catalog.by_tag.get(wanted.tag)
    elif wanted.section is not None:
        keys = catalog.by_section.get(wanted.section)
    else:
        keys = catalog.by_date
    if keys is None:
        return ()
    key = (after.value, after.id) if after else None
    return catalog.ordered(keys, descending=request.order is ArticleOrder.NEWEST, after=key)


def _page(catalog: Catalog, request: PageRequest, now: datetime) -> tuple[list[Entry], bool, int]:
    match = _Matcher(request, now)
    found: list[Entry] = []
    for entry in _walk(catalog, request, request.after):
        if match(entry):
            found.append(entry)
            if len(found) > request.first:
                break
    total = sum(1 for entry in _walk(catalog, request, None) if match(entry))
    return found[: request.first], len(found) > request.first, total


async def pages(catalog: Catalog, requests: Sequence[PageRequest]) -> list[ArticlePage]:
    """Every requested page and its total; a search is answered by the search index."""
    now = utcnow()
    searched = [request for request in requests if request.filter.searching]
    found = await _search_pages(catalog, searched, now) if searched else {}
    listed = {
        request: _page(catalog, request, now)
        for request in requests
        if not request.filter.searching
    }
    articles = await documents(entry for entries, _, _ in listed.values() for entry in entries)
    result = []
    for request in requests:
        if request in found:
            result.append(found[request])
            continue
        entries, has_next, total = listed[request]
        items = [articles[entry.id] for entry in entries if entry.id in articles]
        result.append(
            ArticlePage(items=items, has_next_page=has_next, total_count=total, request=request)
        )
    return result


def _search_key(
    request: PageRequest, scores: Mapping[ObjectId, float]
) -> tuple[Callable[[Entry], tuple[Any, ObjectId]], bool]:
    """How a search's matches sort for the requested order, and whether in reverse."""
    if request.order is ArticleOrder.RELEVANCE:
        return (lambda entry: (scores[entry.id], entry.id)), True
    if request.order is ArticleOrder.HEADLINE:
        return (lambda entry: (entry.headline, entry.id)), False
    return (lambda entry: (entry.published_at, entry.id)), request.order is ArticleOrder.NEWEST


async def _search_pages(
    catalog: Catalog, requests: Sequence[PageRequest], now: datetime
) -> dict[PageRequest, ArticlePage]:
    """The pages of searches: matches from the index, visibility and filters from the catalog."""
    searches = {request.filter.search or "" for request in requests}
    scored = {text: await matches(text) for text in sorted(searches)}
    chosen: dict[PageRequest, tuple[list[Entry], bool, int]] = {}
    for request in requests:
        scores = scored[request.filter.search or ""]
        match = _Matcher(request, now)
        entries = [entry for entry in map(catalog.get, scores) if entry and match(entry)]
        key, descending = _search_key(request, scores)
        entries.sort(key=key, reverse=descending)
        total = len(entries)
        after = request.after
        if after is not None:
            value = float(after.value) if request.order is ArticleOrder.RELEVANCE else after.value
            mark = (value, after.id)
            entries = [e for e in entries if (key(e) < mark if descending else key(e) > mark)]
        chosen[request] = (entries[: request.first], len(entries) > request.first, total)
    articles = await documents(
        (entry for entries, _, _ in chosen.values() for entry in entries), each=True
    )
    result = {}
    for request, (entries, has_next, total) in chosen.items():
        scores = scored[request.filter.search or ""]
        result[request] = ArticlePage(
            items=[articles[entry.id] for entry in entries if entry.id in articles],
            has_next_page=has_next,
            total_count=total,
            request=request,
            scores={entry.id: scores[entry.id] for entry in entries},
        )
    return result


def tag_counts(catalog: Catalog, slugs: Sequence[str], audience: Audience) -> dict[str, int]:
    now = utcnow()
    counts = {}
    for slug in slugs:
        keys = catalog.by_tag.get(slug, ())
        counts[slug] = sum(
            1 for _, article_id in keys if catalog.entries[article_id].readable(audience, now)
        )
    return counts


async def related(
    catalog: Catalog, sources: Sequence[Article], *, first: int, audience: Audience
) -> dict[ObjectId, list[RelatedItem]]:
    """For each source, up to `first` related articles `audience` may read (`cms.related`)."""
    now = utcnow()
    ids = [source.id for source in sources if source.id is not None]
    lists = await related_lists.stored(ids) if audience is Audience.PUBLIC and first else {}
    chosen: dict[ObjectId, list[tuple[Entry, Mapping[str, Any] | None]]] = {
        source_id: list(related_lists.readable_items(catalog, items, audience, now, first))
        for source_id, items in lists.items()
    }
    unlisted = [source_id for source_id in ids if source_id not in lists]
    if unlisted and first:
        ranked = await related_lists.ranked_now(
            catalog, unlisted, first=first, audience=audience, now=now
        )
        chosen |= {
            source_id: [(entry, None) for entry in found] for source_id, found in ranked.items()
        }
    # Read in full the items the list does not show at the version the catalog has.
    found = await documents(
        entry
        for picked in chosen.values()
        for entry, item in picked
        if item is None or item["version"] != entry.version
    )
    result: dict[ObjectId, list[RelatedItem]] = {source_id: [] for source_id in ids}
    for source_id, picked in chosen.items():
        for entry, item in picked:
            if item is not None and item["version"] == entry.version:
                result[source_id].append(RelatedItem(related_lists.shown_article(item), False))
            elif entry.id in found:
                result[source_id].append(RelatedItem(found[entry.id], True))
    return result
