"""Pages of articles: the `articles` list and every other list of articles."""

from datetime import datetime
from enum import Enum
from typing import Self

import strawberry
from strawberry import relay

from api.articles.types import Article, ArticleStatus
from api.coded_errors import user_input
from api.context import Info
from api.pagination import Window, edges_and_info
from cms.arguments import search_argument, slug_argument
from cms.reading import listing
from cms.reading.pagination import Cursor
from cms.visibility import Audience


@strawberry.enum(description="Orders for lists of articles.")
class ArticleOrderBy(Enum):
    NEWEST = strawberry.enum_value(listing.ArticleOrder.NEWEST, description="Newest first.")
    OLDEST = strawberry.enum_value(listing.ArticleOrder.OLDEST, description="Oldest first.")
    HEADLINE = strawberry.enum_value(listing.ArticleOrder.HEADLINE, description="A to Z.")
    RELEVANCE = strawberry.enum_value(
        listing.ArticleOrder.RELEVANCE,
        description="Best match first (BM25F: headline, then tag names, excerpt and body). "
        "The default with a search; refused without one.",
    )


@strawberry.input(description="Narrows a list of articles; every given condition must hold.")
class ArticleFilter:
    tag: str | None = strawberry.field(
        default=None, description="Only articles with this tag slug."
    )
    section: str | None = strawberry.field(
        default=None, description="Only articles in this section slug."
    )
    author: str | None = strawberry.field(
        default=None, description="Only articles whose byline names the author with this slug."
    )
    published_after: datetime | None = strawberry.field(
        default=None, description="Only articles published strictly after this time."
    )
    published_before: datetime | None = strawberry.field(
        default=None, description="Only articles published strictly before this time."
    )
    search: str | None = strawberry.field(
        default=None,
        description="Only articles containing every word of this text, in their headline, "
        'excerpt, tag names or body; "quoted phrases" must occur as written. Words match '
        "whatever their case, accents or English ending (`quakes` finds `quake`). Orders by "
        "relevance unless `orderBy` says otherwise; each article's `searchSnippet` shows where "
        "it matched.",
    )
    status: ArticleStatus | None = strawberry.field(
        default=None,
        description="Only articles in this workflow status (with `preview: true` for any but "
        "PUBLISHED and SCHEDULED).",
    )

    def to_cms(self) -> listing.ArticleFilter:
        """The filter for cms; CallerError if a value cannot name anything."""
        return listing.ArticleFilter(
            tag=slug_argument(self.tag, argument="filter.tag") if self.tag is not None else None,
            section=(
                slug_argument(self.section, argument="filter.section")
                if self.section is not None
                else None
            ),
            author=(
                slug_argument(self.author, argument="filter.author")
                if self.author is not None
                else None
            ),
            published_after=self.published_after,
            published_before=self.published_before,
            search=search_argument(self.search) if self.search is not None else None,
            status=self.status.to_cms() if self.status else None,
        )


@strawberry.type(description="A page of articles, with cursors to continue and the list's size.")
class ArticleConnection:
    edges: list[relay.Edge[Article]] = strawberry.field(description="The articles on this page.")
    page_info: relay.PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int = strawberry.field(
        description="How many articles the whole list holds, across all pages. Estimated, not "
        "counted, when `totalCountIsEstimate` says so."
    )
    total_count_is_estimate: bool = strawberry.field(
        description="Whether `totalCount` is an estimate: only for a search by relevance for one "
        "word that more than 2,000 articles hold, whose count would mean reading every one of "
        "them. The pages themselves are exact."
    )

    @strawberry.field(description="The articles on this page, without cursors.")
    def nodes(self) -> list[Article]:
        return [edge.node for edge in self.edges]

    @classmethod
    async def resolve(
        cls,
        info: Info,
        *,
        window: Window,
        filter: listing.ArticleFilter,
        order_by: ArticleOrderBy | None,
        audience: Audience,
    ) -> Self:
        with user_input():
            order = listing.order_for(
                filter, listing.ArticleOrder[order_by.name] if order_by else None
            )

            def decoded(cursor: str | None) -> Cursor | None:
                if cursor is None:
                    return None
                return listing.decode_cursor(cursor, filter=filter, order=order, audience=audience)

            after, before = decoded(window.after), decoded(window.before)
        request = listing.PageRequest(
            filter=filter,
            order=order,
            first=window.first,
            after=after,
            last=window.last,
            before=before,
            audience=audience,
        )
        page = await info.context.loaders_for(audience).article_page.load(request)
        edges, page_info = edges_and_info(
            page.items,
            node=lambda document: Article.from_document(
                document, audience, search=filter.search if filter.searching else None
            ),
            cursor=lambda article: page.cursor_for(article).encode(),
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
        )
        return cls(
            edges=edges,
            page_info=page_info,
            total_count=page.total_count,
            total_count_is_estimate=page.total_is_estimate,
        )
