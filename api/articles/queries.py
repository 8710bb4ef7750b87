"""Article reads."""

from typing import Annotated

import strawberry

from api.articles.connection import ArticleConnection, ArticleFilter, ArticleOrderBy
from api.articles.preview_links import shared_preview
from api.articles.types import Article
from api.auth import audience_for
from api.coded_errors import user_input
from api.context import Info
from api.pagination import DEFAULT_PAGE_SIZE, After, Before, First, Last, Preview, Window
from cms.arguments import slug_argument
from cms.reading import listing


@strawberry.type
class ArticleQuery:
    @strawberry.field(description="The published article with this slug, or null.")
    async def article(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="Its slug.")],
        preview: Preview = False,
    ) -> Article | None:
        if preview and info.context.viewer.holds_preview_link:
            with user_input():
                slug_argument(slug)
            return await shared_preview(info, slug)
        return await Article.with_slug(info, slug, preview=preview)

    @strawberry.field(description="Published articles, filtered and ordered, a page at a time.")
    async def articles(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Annotated[
            ArticleFilter | None, strawberry.argument(description="Conditions to narrow by.")
        ] = None,
        order_by: Annotated[
            ArticleOrderBy | None,
            strawberry.argument(
                description="Order; null means the default: best match first with a search, "
                "else newest."
            ),
        ] = None,
        preview: Preview = False,
    ) -> ArticleConnection:
        window = Window.of(first=first, after=after, last=last, before=before)
        with user_input():
            conditions = filter.to_cms() if filter else listing.ArticleFilter()
        audience = await audience_for(info, preview=preview)
        return await ArticleConnection.resolve(
            info,
            window=window,
            filter=conditions,
            order_by=order_by,
            audience=audience,
        )
