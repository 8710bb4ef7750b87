"""Reads for an audience, answered from the catalog plus a fetch of the articles on the page.

The catalog (`cms.reading.catalog`) knows which articles exist, in what status, order, tag and
section; the store is asked only for the articles a page shows, by `_id`. An article whose stored
version is newer than the catalog's (a load applied but not yet revealed) is shown as the catalog's
version, from its revision, so a reader never sees half a load. A search's matches come from the
search index (`cms.search`), then are filtered and ordered here like any list; related items come
from each article's stored list (`cms.related.lists`), and are read as any article is.
"""

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId

from cms.articles import Article
from cms.clock import utcnow
from cms.engagement import ratings as ratings_store
from cms.engagement.ratings import RatingSummary
from cms.reading.catalog import Catalog, Entry
from cms.reading.listing import ArticleOrder, ArticlePage, PageRequest
from cms.reading.pagination import Cursor
from cms.related import lists as related_lists
from cms.revisions import Revision, revision_id
from cms.search.index import read_stats
from cms.search.query import Leading, leading, matches
from cms.store.batches import find_in
from cms.tags import Tag
from cms.visibility import Audience


async def documents(catalog: Catalog, entries: Iterable[Entry]) -> dict[ObjectId, Article]:
    """The articles for these catalog entries, each at the entry's version (from memory when
    this process read that version before)."""
    result: dict[ObjectId, Article] = {}
    wanted: dict[ObjectId, Entry] = {}
    for entry in entries:
        held = catalog.articles.get((entry.id, entry.version))
        if held is not None:
            result[entry.id] = held
        else:
            wanted[entry.id] = entry
    if wanted:
        fetched = await _fetch(wanted)
        for article_id, article in fetched.items():
            catalog.articles.put((article_id, article.version), article)
        result |= fetched
    return result


async def _fetch(wanted: dict[ObjectId, Entry]) -> dict[ObjectId, Article]:
    found = await find_in(Article.get_pymongo_collection(), "_id", wanted)
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
    return await documents(catalog, readable_entries(catalog, ids, audience, utcnow()))


async def by_slugs(
    catalog: Catalog, slugs: Sequence[str], audience: Audience
) -> dict[str, Article]:
    now = utcnow()
    entries = [catalog.by_slug(slug) for slug in slugs]
    found = await documents(
        catalog, (e for e in entries if e is not None and e.readable(audience, now))
    )
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
            and (wanted.author is None or wanted.author in entry.authors)
            and (wanted.section is None or wanted.section == entry.section)
            and (wanted.status is None or wanted.status is entry.status)
            and (wanted.published_after is None or entry.published_at > wanted.published_after)
            and (wanted.published_before is None or entry.published_at < wanted.published_before)
        )


def _walk(
    catalog: Catalog,
    request: PageRequest,
    start: Cursor | None,
    *,
    backward: bool = False,
    inclusive: bool = False,
) -> Iterable[Entry]:
    """The list's entries from `start` on (back towards its beginning, `backward`)."""
    wanted = request.filter
    key = (start.value, start.id) if start else None
    if request.order is ArticleOrder.HEADLINE:
        keys = catalog.by_headline
    elif wanted.author is not None:
        keys = catalog.by_byline.get(wanted.author)
    elif wanted.tag is not None:
        keys = catalog.by_tag.get(wanted.tag)
    elif wanted.section is not None:
        keys = catalog.by_section.get(wanted.section)
    else:
        keys = catalog.by_date
    if keys is None:
        return ()
    # Headlines are kept A to Z and dates oldest first: newest first walks the dates back.
    descending = (request.order is ArticleOrder.NEWEST) != backward
    return catalog.ordered(keys, descending=descending, after=key, inclusive=inclusive)


# How many of a common word's leaders a page checks at least, to estimate its `totalCount`.
SAMPLE = 100


@dataclass(frozen=True, slots=True)
class _Listed:
    entries: list[Entry]
    has_next: bool
    has_previous: bool
    total: int
    estimate: bool = False
    # A page from a search's leaders: its entries' relevance.
    scores: Mapping[ObjectId, float] = field(default_factory=dict)


def _total(catalog: Catalog, request: PageRequest, now: datetime) -> int:
    """A list's `totalCount`: counted by bisection in the catalog, walked only for a status
    filter or more than one of a tag, a section and an author."""
    wanted = request.filter
    lists = (wanted.tag, wanted.section, wanted.author)
    if wanted.status is None and sum(name is not None for name in lists) <= 1:
        return catalog.count(
            public=request.audience is Audience.PUBLIC,
            now=now,
            tag=wanted.tag,
            section=wanted.section,
            author=wanted.author,
            after=wanted.published_after,
            before=wanted.published_before,
        )
    match = _Matcher(request, now)
    return sum(1 for entry in _walk(catalog, request, None) if match(entry))


def _page(catalog: Catalog, request: PageRequest, now: datetime) -> _Listed:
    match = _Matcher(request, now)
    found: list[Entry] = []
    for entry in _walk(catalog, request, request.cursor, backward=request.backward):
        if match(entry):
            found.append(entry)
            if len(found) > request.size:
                break
    # Whether anything lies behind the cursor, the cursor's own article included.
    behind = request.cursor is not None and any(
        match(entry)
        for entry in _walk(
            catalog, request, request.cursor, backward=not request.backward, inclusive=True
        )
    )
    more = len(found) > request.size
    total = _total(catalog, request, now)
    if request.backward:
        return _Listed(found[: request.size][::-1], behind, more, total)
    return _Listed(found[: request.size], more, behind, total)


async def pages(catalog: Catalog, requests: Sequence[PageRequest]) -> list[ArticlePage]:
    """Every requested page and its total; a search's matches come from the search index."""
    now = utcnow()
    led: dict[str, Leading | None] = {}
    scored: dict[str, Mapping[ObjectId, float]] = {}
    listed: dict[PageRequest, _Listed] = {}
    searching = any(request.filter.searching for request in requests)
    stats = await read_stats(overlay=catalog.overlay) if searching else None
    for request in requests:
        if not request.filter.searching:
            listed[request] = _page(catalog, request, now)
            continue
        text = request.filter.search or ""
        if request.order is ArticleOrder.RELEVANCE and not request.backward:
            if text not in led:
                assert stats is not None
                led[text] = await leading(text, stats, overlay=catalog.overlay)
            found = led[text]
            page = None if found is None else _leading_page(catalog, request, found, now)
            if page is not None:
                listed[request] = page
                continue
        if text not in scored:
            scored[text] = await matches(text, overlay=catalog.overlay, stats=stats)
        listed[request] = _search_page(catalog, request, scored[text], now)
    articles = await documents(
        catalog, (entry for page in listed.values() for entry in page.entries)
    )
    result = []
    for request in requests:
        page = listed[request]
        scores = page.scores or scored.get(request.filter.search or "", {})
        result.append(
            ArticlePage(
                items=[articles[entry.id] for entry in page.entries if entry.id in articles],
                has_next_page=page.has_next,
                has_previous_page=page.has_previous,
                total_count=page.total,
                total_is_estimate=page.estimate,
                request=request,
                scores={entry.id: scores[entry.id] for entry in page.entries if entry.id in scores},
            )
        )
    return result


def _leading_page(
    catalog: Catalog, request: PageRequest, found: Leading, now: datetime
) -> _Listed | None:
    """A page of a one-word search by relevance from the word's leaders alone, or None where
    they run out before the page does. Unless they are every match, `totalCount` is estimated:
    the articles holding the word, times the share of the leaders this request may see (of the
    first `SAMPLE` at least, and as far as the page reaches)."""
    match = _Matcher(request, now)
    mark = None if request.cursor is None else _mark(request, request.cursor)
    chosen: list[Entry] = []
    scores: dict[ObjectId, float] = {}
    seen = visible = behind = 0
    for score, article in found.scores:
        if len(chosen) > request.size and seen >= SAMPLE and not found.complete:
            break
        seen += 1
        article_id = ObjectId(article)
        entry = catalog.get(article_id)
        if entry is None or not match(entry):
            continue
        visible += 1
        if mark is not None and (score, article_id) >= mark:
            behind += 1
        elif len(chosen) <= request.size:
            chosen.append(entry)
            scores[article_id] = score
    if len(chosen) <= request.size and not found.complete:
        return None
    more = len(chosen) > request.size
    if found.complete:
        return _Listed(chosen[: request.size], more, behind > 0, visible, scores=scores)
    estimate = max(visible, round(found.articles * visible / seen))
    return _Listed(chosen[: request.size], more, behind > 0, estimate, True, scores)


def _search_key(
    request: PageRequest, scores: Mapping[ObjectId, float]
) -> tuple[Callable[[Entry], tuple[Any, ObjectId]], bool]:
    """How a search's matches sort for the requested order, and whether descending."""
    if request.order is ArticleOrder.RELEVANCE:
        return (lambda entry: (scores[entry.id], entry.id)), True
    if request.order is ArticleOrder.HEADLINE:
        return (lambda entry: (entry.headline, entry.id)), False
    return (lambda entry: (entry.published_at, entry.id)), request.order is ArticleOrder.NEWEST


def _search_page(
    catalog: Catalog, request: PageRequest, scores: Mapping[ObjectId, float], now: datetime
) -> _Listed:
    """A page of a search: matches from the index, visibility and filters from the catalog.

    Every match is counted (for `totalCount`), but only the page's own are put in order: a
    common word matches thousands of articles and a page shows a few."""
    match = _Matcher(request, now)
    key, descending = _search_key(request, scores)
    entries = [entry for entry in map(catalog.get, scores) if entry is not None and match(entry)]
    total = len(entries)
    mark = None if request.cursor is None else _mark(request, request.cursor)
    if request.backward:
        # The `last` entries before `before` (those strictly before it in reading order), the
        # nearest to it, in reading order.
        before = [
            entry
            for entry in entries
            if mark is None or (key(entry) > mark if descending else key(entry) < mark)
        ]
        end = len(before)
        nearest = heapq.nsmallest if descending else heapq.nlargest
        chosen = nearest(request.size, before, key=key)[::-1]
        # Has a next page if anything lies at or after the cursor.
        return _Listed(chosen, end < total, end > request.size, total)
    after = [
        entry
        for entry in entries
        if mark is None or (key(entry) < mark if descending else key(entry) > mark)
    ]
    begin = total - len(after)
    first = heapq.nlargest if descending else heapq.nsmallest
    chosen = first(request.size, after, key=key)
    return _Listed(chosen, begin + request.size < total, begin > 0, total)


def _mark(request: PageRequest, cursor: Cursor) -> tuple[Any, ObjectId]:
    value = float(cursor.value) if request.order is ArticleOrder.RELEVANCE else cursor.value
    return value, cursor.id


def tag_counts(catalog: Catalog, slugs: Sequence[str], audience: Audience) -> dict[str, int]:
    now = utcnow()
    public = audience is Audience.PUBLIC
    return {slug: catalog.count(public=public, now=now, tag=slug) for slug in slugs}


async def related(
    catalog: Catalog, sources: Sequence[Article], *, first: int, audience: Audience
) -> dict[ObjectId, list[Article]]:
    """For each source, up to `first` related articles `audience` may read, at the catalog's
    version: from its stored list (`cms.related.lists`), or ranked now for a list not stored
    (yet, or for a previewer)."""
    now = utcnow()
    ids = [source.id for source in sources if source.id is not None]
    public = audience is Audience.PUBLIC and first
    lists = await related_lists.stored(ids, overlay=catalog.overlay) if public else {}
    chosen: dict[ObjectId, list[Entry]] = {
        source_id: related_lists.readable_members(catalog, members, audience, now, first)
        for source_id, members in lists.items()
    }
    unlisted = [source_id for source_id in ids if source_id not in lists]
    if unlisted and first:
        chosen |= await related_lists.ranked_now(
            catalog, unlisted, first=first, audience=audience, now=now
        )
    found = await documents(catalog, (entry for picked in chosen.values() for entry in picked))
    return {
        source_id: [found[entry.id] for entry in chosen.get(source_id, []) if entry.id in found]
        for source_id in ids
    }


async def ratings(catalog: Catalog, ids: Sequence[ObjectId]) -> dict[ObjectId, RatingSummary]:
    """Rating summaries, from memory where this process read them since the last vote."""
    result: dict[ObjectId, RatingSummary] = {}
    missing = []
    for article_id in ids:
        held = catalog.ratings.get(article_id)
        if held is None:
            missing.append(article_id)
        else:
            result[article_id] = held
    if missing:
        epoch = catalog.ratings_epoch
        fetched = await ratings_store.ratings_for(
            PydanticObjectId(article_id) for article_id in missing
        )
        for article_id, summary in fetched.items():
            if catalog.ratings_epoch == epoch:  # no vote came in while it was read
                catalog.ratings.put(article_id, summary)
            result[article_id] = summary
    return result


async def all_tags(catalog: Catalog) -> dict[str, Tag]:
    """Every tag by slug: read once, again after any tag changes."""
    if catalog.tags is not None:
        held: dict[str, Tag] = catalog.tags
        return held
    epoch = catalog.tags_epoch
    found = {tag.slug: tag for tag in await Tag.find_all().to_list()}
    if catalog.tags_epoch == epoch:  # no tag changed while they were read
        catalog.tags = found
    return found


async def tags_by_slugs(catalog: Catalog, slugs: Iterable[str]) -> dict[str, Tag]:
    """Tags by slug; the slug of a tag merged into another finds the survivor."""
    every = await all_tags(catalog)
    wanted = list(slugs)
    found = {slug: every[slug] for slug in wanted if slug in every}
    missing = [slug for slug in wanted if slug not in every]
    if missing:
        aliases = {alias: tag for tag in every.values() for alias in tag.aliases}
        found |= {slug: aliases[slug] for slug in missing if slug in aliases}
    return found


async def tags_by_ids(catalog: Catalog, ids: Iterable[ObjectId]) -> dict[ObjectId, Tag]:
    every = await all_tags(catalog)
    by_id: dict[ObjectId, Tag] = {tag.id: tag for tag in every.values() if tag.id is not None}
    return {tag_id: by_id[tag_id] for tag_id in ids if tag_id in by_id}
