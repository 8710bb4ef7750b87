"""Filtered, ordered pages of visible articles, many pages in one round trip."""

import asyncio
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from cms.articles import Article
from cms.clock import utcnow
from cms.pagination import Cursor, keyset_filter
from cms.status import ArticleStatus
from cms.store.batches import find_in
from cms.visibility import Audience, readable


class ArticleOrder(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    HEADLINE = "headline"


SORT_KEYS: dict[ArticleOrder, tuple[str, int]] = {
    ArticleOrder.NEWEST: ("published_at", -1),
    ArticleOrder.OLDEST: ("published_at", 1),
    ArticleOrder.HEADLINE: ("headline", 1),
}


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    tag: str | None = None
    section: str | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None
    search: str | None = None
    status: ArticleStatus | None = None

    def digest(self) -> str:
        """A short name for this filter, the same in every process."""
        return hashlib.blake2s(repr(self).encode(), digest_size=6).hexdigest()

    def to_query(self, now: datetime, audience: Audience) -> dict[str, Any]:
        clauses: list[dict[str, Any]] = [readable(audience, now)]
        if self.status is not None:
            clauses.append({"status": self.status.value})
        if self.tag is not None:
            clauses.append({"tags": self.tag})
        if self.section is not None:
            clauses.append({"section": self.section})
        if self.published_after is not None:
            clauses.append({"published_at": {"$gt": self.published_after}})
        if self.published_before is not None:
            clauses.append({"published_at": {"$lt": self.published_before}})
        term = (self.search or "").strip()
        if term:
            # Not `$text`: it is broken on the embedded store (README: Known differences), and a
            # case-insensitive substring match is what readers expect from a news search box.
            pattern = {"$regex": re.escape(term), "$options": "i"}
            fields = ("headline", "excerpt", "body")
            clauses.append({"$or": [{field: pattern} for field in fields]})
        clauses = [clause for clause in clauses if clause]
        if not clauses:
            return {}
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass(frozen=True, slots=True)
class PageRequest:
    """`first` items after `after`; or, given `last`, the `last` items before `before`."""

    filter: ArticleFilter
    order: ArticleOrder
    first: int
    audience: Audience
    after: Cursor | None = None
    last: int | None = None
    before: Cursor | None = None

    @property
    def backward(self) -> bool:
        return self.last is not None

    @property
    def size(self) -> int:
        return self.last if self.last is not None else self.first

    @property
    def cursor(self) -> Cursor | None:
        """Where the page starts from, in the direction it is read."""
        return self.before if self.backward else self.after


def _cursor_key(filter: ArticleFilter, order: ArticleOrder, audience: Audience) -> str:
    # A preview list holds other articles than the public one: its cursors are its own.
    scope = "" if audience is Audience.PUBLIC else f":{audience}"
    return f"{order}:{filter.digest()}{scope}"


def decode_cursor(
    cursor: str, *, filter: ArticleFilter, order: ArticleOrder, audience: Audience
) -> Cursor:
    """`cursor` as a position in this list; refused if it comes from another list or order."""
    datetime_value = SORT_KEYS[order][0] == "published_at"
    key = _cursor_key(filter, order, audience)
    return Cursor.decode(cursor, key=key, datetime_value=datetime_value)


@dataclass(frozen=True, slots=True)
class ArticlePage:
    items: list[Article]
    has_next_page: bool
    total_count: int
    request: PageRequest
    has_previous_page: bool = False

    def cursor_for(self, article: Article) -> Cursor:
        field, _ = SORT_KEYS[self.request.order]
        assert article.id is not None
        key = _cursor_key(self.request.filter, self.request.order, self.request.audience)
        return Cursor(key, getattr(article, field), article.id)


def _sort_key(request: PageRequest, *, reverse: bool) -> tuple[str, int]:
    field, direction = SORT_KEYS[request.order]
    return field, -direction if reverse else direction


def _window(request: PageRequest, query: dict[str, Any]) -> dict[str, Any]:
    """The request's filter, narrowed to what comes after its cursor (before it, for `last`)."""
    if request.cursor is None:
        return query
    key = _sort_key(request, reverse=request.backward)
    return {"$and": [query, keyset_filter(key, request.cursor)]}


def _behind(request: PageRequest, query: dict[str, Any]) -> dict[str, Any] | None:
    """The other side of the cursor, its own item included: whether a page lies that way."""
    if request.cursor is None:
        return None
    key = _sort_key(request, reverse=not request.backward)
    return {"$and": [query, keyset_filter(key, request.cursor, inclusive=True)]}


def _sort(request: PageRequest) -> dict[str, int]:
    field, direction = _sort_key(request, reverse=request.backward)
    return {field: direction, "_id": direction}


def _page(request: PageRequest, found: list[Article], total: int, behind: bool) -> ArticlePage:
    """`found`: up to one more than the page, in reading order; `behind`: items lie behind."""
    items, more = found[: request.size], len(found) > request.size
    if request.backward:
        return ArticlePage(
            items=items[::-1],
            has_next_page=behind,
            has_previous_page=more,
            total_count=total,
            request=request,
        )
    return ArticlePage(
        items=items,
        has_next_page=more,
        has_previous_page=behind,
        total_count=total,
        request=request,
    )


async def fetch_pages(requests: Sequence[PageRequest]) -> list[ArticlePage]:
    """Every requested page and its total count, in two commands however many are asked for."""
    now = utcnow()
    if len(requests) == 1:
        return [await _fetch_page(requests[0], now)]
    return await _fetch_many_pages(requests, now)


async def _fetch_page(request: PageRequest, now: datetime) -> ArticlePage:
    """One page: an indexed, sorted, limited find and a count, side by side."""
    query = request.filter.to_query(now, request.audience)
    collection = Article.get_pymongo_collection()
    behind = _behind(request, query)
    found, total, beyond = await asyncio.gather(
        collection.find(_window(request, query))
        .sort(_sort(request))
        .limit(request.size + 1)
        .to_list(),
        collection.count_documents(query),
        collection.find_one(behind, {"_id": 1}) if behind else _nothing(),
    )
    articles = [Article.model_validate(doc) for doc in found]
    return _page(request, articles, total, beyond is not None)


async def _nothing() -> None:
    return None


async def _fetch_many_pages(requests: Sequence[PageRequest], now: datetime) -> list[ArticlePage]:
    """Many pages (`Tag.articles` across a page of tags): one `$facet` for the ids, one fetch.

    The facet sees only the fields the filters and orders use, so its single result document
    stays far below MongoDB's 16 MB limit; the articles themselves come by `_id` afterwards.
    """
    queries = [request.filter.to_query(now, request.audience) for request in requests]
    fields = ["status", "published_at", "tags", "section", "headline"]
    if any(request.filter.search for request in requests):
        fields += ["excerpt", "body"]
    facets: dict[str, list[dict[str, Any]]] = {}
    for index, (request, query) in enumerate(zip(requests, queries, strict=True)):
        facets[f"items{index}"] = [
            {"$match": _window(request, query)},
            {"$sort": _sort(request)},
            {"$limit": request.size + 1},
            {"$project": {"_id": 1}},
        ]
        facets[f"total{index}"] = [{"$match": query}, {"$count": "n"}]
        behind = _behind(request, query)
        if behind is not None:
            facets[f"behind{index}"] = [{"$match": behind}, {"$limit": 1}, {"$project": {"_id": 1}}]
    collection = Article.get_pymongo_collection()
    cursor = await collection.aggregate(
        [
            {"$match": {"$or": queries}},
            {"$project": dict.fromkeys(fields, 1)},
            {"$facet": facets},
        ]
    )
    (result,) = await cursor.to_list()
    ids = {row["_id"] for index in range(len(requests)) for row in result[f"items{index}"]}
    documents = await find_in(collection, "_id", ids)
    by_id = {doc["_id"]: Article.model_validate(doc) for doc in documents}
    pages = []
    for index, request in enumerate(requests):
        found = [by_id[row["_id"]] for row in result[f"items{index}"] if row["_id"] in by_id]
        totals = result[f"total{index}"]
        beyond = bool(result.get(f"behind{index}"))
        pages.append(_page(request, found, totals[0]["n"] if totals else 0, beyond))
    return pages
