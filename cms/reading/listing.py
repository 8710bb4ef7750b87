"""Pages of articles: which list, in what order, from where; and the cursors that continue them."""

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bson import ObjectId

from cms.articles import Article
from cms.errors import CallerError, InvalidCursorError
from cms.reading.pagination import Cursor
from cms.status import ArticleStatus
from cms.visibility import Audience


class ArticleOrder(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    HEADLINE = "headline"
    RELEVANCE = "relevance"  # best match first: only with a search


SORT_KEYS: dict[ArticleOrder, tuple[str, int]] = {
    ArticleOrder.NEWEST: ("published_at", -1),
    ArticleOrder.OLDEST: ("published_at", 1),
    ArticleOrder.HEADLINE: ("headline", 1),
    ArticleOrder.RELEVANCE: ("relevance", -1),
}


class RelevanceWithoutSearchError(CallerError):
    field = "orderBy"

    def __init__(self) -> None:
        super().__init__("`orderBy: RELEVANCE` needs a search (`filter: {search: ...}`).")


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    tag: str | None = None
    author: str | None = None  # an author's slug: their bylines
    section: str | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None
    search: str | None = None
    status: ArticleStatus | None = None

    def digest(self) -> str:
        """A short name for this filter, the same in every process."""
        return hashlib.blake2s(repr(self).encode(), digest_size=6).hexdigest()

    @property
    def searching(self) -> bool:
        return bool((self.search or "").strip())


def order_for(filter: ArticleFilter, order: ArticleOrder | None) -> ArticleOrder:
    """The order asked for; by default the best match first for a search, else the newest."""
    if order is None:
        return ArticleOrder.RELEVANCE if filter.searching else ArticleOrder.NEWEST
    if order is ArticleOrder.RELEVANCE and not filter.searching:
        raise RelevanceWithoutSearchError()
    return order


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
    found = Cursor.decode(cursor, key=key, datetime_value=datetime_value)
    if order is ArticleOrder.RELEVANCE:
        try:
            score = float(found.value)
        except ValueError:
            raise InvalidCursorError(cursor) from None
        # A score is a finite number; `nan` would compare false with every score.
        if not math.isfinite(score):
            raise InvalidCursorError(cursor)
    return found


@dataclass(frozen=True, slots=True)
class ArticlePage:
    items: list[Article]
    has_next_page: bool
    total_count: int
    request: PageRequest
    has_previous_page: bool = False
    # Estimated, not counted: a search for a word in thousands of articles.
    total_is_estimate: bool = False
    # For a search: each item's relevance (the key of a RELEVANCE cursor).
    scores: Mapping[ObjectId, float] = field(default_factory=dict)

    def cursor_for(self, article: Article) -> Cursor:
        field_name, _ = SORT_KEYS[self.request.order]
        assert article.id is not None
        key = _cursor_key(self.request.filter, self.request.order, self.request.audience)
        if self.request.order is ArticleOrder.RELEVANCE:
            # Kept as text: a float's `repr` reads back exactly.
            return Cursor(key, repr(self.scores[article.id]), article.id)
        return Cursor(key, getattr(article, field_name), article.id)
