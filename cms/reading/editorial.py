"""The editors' list of articles: every status they may see, filtered, searched, in pages, with
counts per status; all from the catalog (`cms.reading.catalog`), never a scan of the store.

Who reads decides what is listed: whoever may preview sees every article; a contributor sees the
articles they created, in any status, and those the public can read. A page is found by walking
the smallest list of the catalog that the filters allow (a status, an author, a creator, a tag, a
section, or every article) in the order asked for, checking the other filters on the way; when that
list is kept in the other order, its matches are collected and only the page's own are put in
order. A search takes its matches from the search index and orders them the same way. Either way a
page costs about its own size on an unfiltered list, and at most one pass over the smallest list
its filters name.
"""

import hashlib
import heapq
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from bson import ObjectId
from sortedcontainers import SortedList

from cms.access import Actor, Permission
from cms.articles import Article
from cms.authors import slug_for
from cms.errors import CallerError, InvalidCursorError
from cms.reading.catalog import Catalog, Entry, author_key, byline_keys
from cms.reading.lookups import documents
from cms.reading.pagination import Cursor
from cms.search.query import matches
from cms.status import PUBLIC_STATUSES, ArticleStatus
from cms.visibility import Audience

PAGE_SIZE = 25


class ListOrder(StrEnum):
    CHANGED = "changed"  # the newest change first
    PUBLISHED = "published"  # the newest publication first
    RELEVANCE = "relevance"  # the best match first: only with a search


class RelevanceWithoutSearchError(CallerError):
    field = "sort"

    def __init__(self) -> None:
        super().__init__("Sorting by relevance needs a search.")


@dataclass(frozen=True, slots=True)
class ListFilter:
    status: ArticleStatus | None = None
    section: str | None = None
    tag: str | None = None
    author: str | None = None
    mine: bool = False
    search: str | None = None

    @property
    def searching(self) -> bool:
        return bool((self.search or "").strip())

    def digest(self) -> str:
        return hashlib.blake2s(repr(self).encode(), digest_size=6).hexdigest()


def order_for(wanted: ListFilter, order: ListOrder | None) -> ListOrder:
    """The order asked for; by default the best match for a search, else the newest change."""
    if order is None:
        return ListOrder.RELEVANCE if wanted.searching else ListOrder.CHANGED
    if order is ListOrder.RELEVANCE and not wanted.searching:
        raise RelevanceWithoutSearchError()
    return order


@dataclass(frozen=True, slots=True)
class ListRequest:
    """A page of the list: its filters, its order (None: the default), and where it starts (after
    the cursor `after` for the next page, before `before` for the previous one)."""

    wanted: ListFilter = field(default_factory=ListFilter)
    order: ListOrder | None = None
    after: str | None = None
    before: str | None = None
    size: int = PAGE_SIZE


@dataclass(frozen=True, slots=True)
class ListPage:
    articles: list[Article]
    counts: dict[ArticleStatus, int]
    mine: int
    # How many articles the filters match, when that is known without walking a list.
    total: int | None
    next_cursor: str | None = None
    previous_cursor: str | None = None
    order: ListOrder = ListOrder.CHANGED
    scores: Mapping[ObjectId, float] = field(default_factory=dict)


def sees_everything(reader: Actor) -> bool:
    return reader.can(Permission.PREVIEW)


def counts(catalog: Catalog, reader: Actor, now: datetime) -> tuple[dict[ArticleStatus, int], int]:
    """How many articles the reader sees in each status, and how many of them they created."""
    own = catalog.status_counts(creator=reader.id)
    if sees_everything(reader):
        return catalog.status_counts(), sum(own.values())
    shown = dict(own)
    for status in PUBLIC_STATUSES:
        # Everyone's public articles, and theirs that are not public yet.
        public = catalog.public_count(status, now)
        shown[status] = public + own[status] - catalog.public_count(status, now, creator=reader.id)
    return shown, sum(own.values())


# A list of the catalog, and whether it is kept by last change (else by publication time).
Candidate = tuple[SortedList | None, bool]


@dataclass(frozen=True, slots=True)
class _Plan:
    """Which filters apply to an entry, and the lists that each narrows the search to."""

    checks: list[Callable[[Entry], bool]]
    candidates: list[Candidate]

    def matches(self, entry: Entry) -> bool:
        return all(check(entry) for check in self.checks)


def _plan(catalog: Catalog, wanted: ListFilter, reader: Actor, now: datetime) -> _Plan:
    checks: list[Callable[[Entry], bool]] = []
    candidates: list[Candidate] = []
    me = reader.id
    # Whoever may not preview every article sees their own, and anyone's public ones; a status
    # that is never public leaves only their own.
    own_only = wanted.mine or (
        not sees_everything(reader)
        and wanted.status is not None
        and wanted.status not in PUBLIC_STATUSES
    )
    if own_only:
        checks.append(lambda entry: entry.creator == me)
        candidates.append((catalog.by_creator.get(me), True))
    elif not sees_everything(reader):
        checks.append(lambda entry: entry.creator == me or entry.readable(Audience.PUBLIC, now))
    if wanted.status is not None:
        status = wanted.status
        checks.append(lambda entry: entry.status is status)
        candidates.append((catalog.by_status.get(status), True))
    if wanted.author:
        # The bylines of the author whose slug the name makes ("Hana Seo": `hana-seo`) if any
        # article has one, else a credit or old byline text.
        slug = slug_for(wanted.author)
        if catalog.by_author.get(slug):
            checks.append(lambda entry: slug in byline_keys(entry))
            candidates.append((catalog.by_author.get(slug), True))
        else:
            author = author_key(wanted.author)
            checks.append(lambda entry: author in byline_keys(entry))
            candidates.append((catalog.by_author.get(author), True))
    if wanted.tag:
        tag = wanted.tag
        checks.append(lambda entry: tag in entry.tags)
        candidates.append((catalog.by_tag.get(tag), False))
    if wanted.section:
        section = wanted.section
        checks.append(lambda entry: entry.section == section)
        candidates.append((catalog.by_section.get(section), False))
    return _Plan(checks, candidates)


def _sort_key(
    order: ListOrder, scores: Mapping[ObjectId, float]
) -> Callable[[Entry], tuple[Any, ObjectId]]:
    if order is ListOrder.RELEVANCE:
        return lambda entry: (scores[entry.id], entry.id)
    if order is ListOrder.PUBLISHED:
        return lambda entry: (entry.published_at, entry.id)
    return lambda entry: (entry.changed_at, entry.id)


def _cursor_key(wanted: ListFilter, order: ListOrder, reader: Actor) -> str:
    # A cursor is a position in one reader's list: another's, or another order, is refused.
    return f"desk:{order}:{wanted.digest()}:{reader.id}"


def decode_cursor(text: str, *, wanted: ListFilter, order: ListOrder, reader: Actor) -> Cursor:
    key = _cursor_key(wanted, order, reader)
    found = Cursor.decode(text, key=key, datetime_value=order is not ListOrder.RELEVANCE)
    if order is ListOrder.RELEVANCE:
        try:
            float(found.value)
        except ValueError:
            raise InvalidCursorError(text) from None
    return found


def _mark(cursor: Cursor, order: ListOrder) -> tuple[Any, ObjectId]:
    value = float(cursor.value) if order is ListOrder.RELEVANCE else cursor.value
    return value, cursor.id


@dataclass(frozen=True, slots=True)
class _Found:
    entries: list[Entry]
    more_after: bool  # in reading order, after the page
    more_before: bool
    total: int | None


def _walked(
    catalog: Catalog,
    keys: SortedList,
    plan: _Plan,
    *,
    size: int,
    mark: tuple[Any, ObjectId] | None,
    backward: bool,
    exact: bool,
) -> _Found:
    """A page by walking `keys` (kept in the order asked for, oldest first) from `mark`."""
    found: list[Entry] = []
    for entry in catalog.ordered(keys, descending=not backward, after=mark):
        if plan.matches(entry):
            found.append(entry)
            if len(found) > size:
                break
    behind = mark is not None and any(
        plan.matches(entry)
        for entry in catalog.ordered(keys, descending=backward, after=mark, inclusive=True)
    )
    more = len(found) > size
    page = found[:size]
    total = len(keys) if exact else None
    if backward:
        return _Found(page[::-1], behind, more, total)
    return _Found(page, more, behind, total)


def _collected(
    entries: Iterable[Entry],
    plan: _Plan,
    key: Callable[[Entry], tuple[Any, ObjectId]],
    *,
    size: int,
    mark: tuple[Any, ObjectId] | None,
    backward: bool,
) -> _Found:
    """A page of matches collected from a list in another order: only the page is sorted."""
    matching = [entry for entry in entries if plan.matches(entry)]
    if backward:
        # The `size` nearest before the mark (newer than it), in reading order.
        newer = [entry for entry in matching if mark is None or key(entry) > mark]
        page = heapq.nsmallest(size, newer, key=key)[::-1]
        return _Found(page, len(newer) < len(matching), len(newer) > size, len(matching))
    older = [entry for entry in matching if mark is None or key(entry) < mark]
    page = heapq.nlargest(size, older, key=key)
    return _Found(page, len(older) > size, len(older) < len(matching), len(matching))


def _entries_of(catalog: Catalog, keys: Iterable[tuple[Any, ObjectId]]) -> Iterable[Entry]:
    return (catalog.entries[article_id] for _, article_id in keys)


@dataclass(frozen=True, slots=True)
class EntryPage:
    """A page of the list as catalog entries, before the articles are read."""

    entries: list[Entry]
    counts: dict[ArticleStatus, int]
    mine: int
    total: int | None
    next_cursor: str | None
    previous_cursor: str | None
    order: ListOrder


def find_page(
    catalog: Catalog,
    *,
    reader: Actor,
    request: ListRequest,
    now: datetime,
    scores: Mapping[ObjectId, float] | None = None,
) -> EntryPage:
    """A page of the reader's list, in the order asked for (the newest or best first). A search's
    matches and their relevance are `scores` (from the search index)."""
    wanted, size, after, before = request.wanted, request.size, request.after, request.before
    order = order_for(wanted, request.order)
    cursor_text = before or after
    cursor = (
        decode_cursor(cursor_text, wanted=wanted, order=order, reader=reader)
        if cursor_text
        else None
    )
    mark = _mark(cursor, order) if cursor else None
    backward = before is not None
    plan = _plan(catalog, wanted, reader, now)
    scores = scores or {}
    key = _sort_key(order, scores)
    if wanted.searching:
        found = _collected(
            (entry for entry in map(catalog.get, scores) if entry is not None),
            plan,
            key,
            size=size,
            mark=mark,
            backward=backward,
        )
    else:
        found = _listed(catalog, plan, key, order=order, size=size, mark=mark, backward=backward)
    shown_counts, mine = counts(catalog, reader, now)
    total = found.total
    if total is None and not wanted.searching and _only_status(wanted):
        # What the counts say, by the same rule of who sees what.
        total = (
            mine
            if wanted.mine
            else (shown_counts[wanted.status] if wanted.status else sum(shown_counts.values()))
        )
    cursor_key = _cursor_key(wanted, order, reader)

    def cursor_at(entry: Entry) -> str:
        value, article_id = key(entry)
        shown = repr(value) if order is ListOrder.RELEVANCE else value
        return Cursor(cursor_key, shown, article_id).encode()

    entries = found.entries
    return EntryPage(
        entries=entries,
        counts=shown_counts,
        mine=mine,
        total=total,
        next_cursor=cursor_at(entries[-1]) if entries and found.more_after else None,
        previous_cursor=cursor_at(entries[0]) if entries and found.more_before else None,
        order=order,
    )


def _only_status(wanted: ListFilter) -> bool:
    """Whether the filter is a status at most, or "mine" alone: what the counts count."""
    narrowed = (wanted.section, wanted.tag, wanted.author)
    if wanted.mine:
        return wanted.status is None and not any(narrowed)
    return not any(narrowed)


def _listed(
    catalog: Catalog,
    plan: _Plan,
    key: Callable[[Entry], tuple[Any, ObjectId]],
    *,
    order: ListOrder,
    size: int,
    mark: tuple[Any, ObjectId] | None,
    backward: bool,
) -> _Found:
    by_change = order is ListOrder.CHANGED
    base: Candidate = (catalog.by_change if by_change else catalog.by_date, by_change)
    everything = [*plan.candidates, base]
    if any(keys is None for keys, _ in everything):
        return _Found([], False, False, 0)  # a filter no article meets
    # The smallest list; of equal ones, one kept in the order asked for.
    keys, changed = min(everything, key=lambda pair: (len(pair[0] or ()), pair[1] != by_change))
    assert keys is not None
    if changed != by_change:
        return _collected(
            _entries_of(catalog, keys), plan, key, size=size, mark=mark, backward=backward
        )
    # Counted by the list's length when it is exactly what the filters ask for.
    exact = len(plan.checks) == len(plan.candidates) <= 1 and (
        not plan.candidates or keys is plan.candidates[0][0]
    )
    return _walked(catalog, keys, plan, size=size, mark=mark, backward=backward, exact=exact)


async def list_page(
    catalog: Catalog, *, reader: Actor, request: ListRequest, now: datetime
) -> ListPage:
    """`find_page`, with a search's matches from the index and the page's articles read."""
    search = request.wanted.search or ""
    scores = await matches(search) if request.wanted.searching else {}
    found = find_page(catalog, reader=reader, request=request, now=now, scores=scores)
    held = await documents(catalog, found.entries)
    return ListPage(
        articles=[held[entry.id] for entry in found.entries if entry.id in held],
        counts=found.counts,
        mine=found.mine,
        total=found.total,
        next_cursor=found.next_cursor,
        previous_cursor=found.previous_cursor,
        order=found.order,
        scores={entry.id: scores[entry.id] for entry in found.entries if entry.id in scores},
    )
