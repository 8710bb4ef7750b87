"""Filtered, ordered pages of visible articles, many pages in one round trip."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from cms.articles import Article
from cms.clock import utcnow
from cms.pagination import Cursor, keyset_filter
from cms.visibility import visible


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

    def to_query(self, now: datetime) -> dict[str, Any]:
        clauses: list[dict[str, Any]] = [visible(now)]
        if self.tag is not None:
            clauses.append({"tags": self.tag})
        if self.section is not None:
            clauses.append({"section": self.section})
        if self.published_after is not None:
            clauses.append({"published_at": {"$gt": self.published_after}})
        if self.published_before is not None:
            clauses.append({"published_at": {"$lt": self.published_before}})
        if self.search:
            # Not `$text`: it is broken on the embedded store (see cms/store/embedded.py), and a
            # case-insensitive substring match is what readers expect from a news search box.
            pattern = {"$regex": re.escape(self.search.strip()), "$options": "i"}
            fields = ("headline", "excerpt", "body")
            clauses.append({"$or": [{field: pattern} for field in fields]})
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass(frozen=True, slots=True)
class PageRequest:
    filter: ArticleFilter
    order: ArticleOrder
    first: int
    after: Cursor | None = None


@dataclass(frozen=True, slots=True)
class ArticlePage:
    items: list[Article]
    has_next_page: bool
    total_count: int
    order: ArticleOrder

    def cursor_for(self, article: Article) -> Cursor:
        field, _ = SORT_KEYS[self.order]
        assert article.id is not None
        return Cursor(self.order, getattr(article, field), article.id)


def decode_cursor(cursor: str, order: ArticleOrder) -> Cursor:
    datetime_value = SORT_KEYS[order][0] == "published_at"
    return Cursor.decode(cursor, order=order, datetime_value=datetime_value)


async def fetch_pages(requests: Sequence[PageRequest]) -> list[ArticlePage]:
    """Every requested page and its total count, from one aggregation.

    One `$facet` branch per request keeps `Tag.articles` on a page of tags at one command. The
    first `$match` is the union of the requests' filters, so MongoDB can use the indexes before
    the branches split.
    """
    now = utcnow()
    queries = [request.filter.to_query(now) for request in requests]
    facets: dict[str, list[dict[str, Any]]] = {}
    for index, (request, query) in enumerate(zip(requests, queries, strict=True)):
        branch = [] if len(requests) == 1 else [{"$match": query}]
        field, direction = SORT_KEYS[request.order]
        window = (
            [{"$match": keyset_filter((field, direction), request.after)}] if request.after else []
        )
        facets[f"items{index}"] = [
            *branch,
            *window,
            {"$sort": {field: direction, "_id": direction}},
            {"$limit": request.first + 1},
        ]
        facets[f"total{index}"] = [*branch, {"$count": "n"}]
    union = queries[0] if len(queries) == 1 else {"$or": queries}
    cursor = await Article.get_pymongo_collection().aggregate(
        [{"$match": union}, {"$facet": facets}]
    )
    (result,) = await cursor.to_list()
    pages = []
    for index, request in enumerate(requests):
        found = [Article.model_validate(doc) for doc in result[f"items{index}"]]
        totals = result[f"total{index}"]
        pages.append(
            ArticlePage(
                items=found[: request.first],
                has_next_page=len(found) > request.first,
                total_count=totals[0]["n"] if totals else 0,
                order=request.order,
            )
        )
    return pages
