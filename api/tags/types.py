"""The GraphQL face of tags."""

from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from api.context import Info
from api.loaders import Loaders
from api.nodes import Finders, StoredNode
from api.pagination import DEFAULT_PAGE_SIZE, After, Before, First, Last, Window
from cms import tags
from cms.reading import listing
from cms.visibility import Audience

if TYPE_CHECKING:
    from api.articles.connection import ArticleConnection, ArticleOrderBy


@strawberry.type(name="Tag", description="An editorial label that groups articles.")
class Tag(StoredNode[tags.Tag], relay.Node):  # type: ignore[misc]  # see StoredNode
    id: relay.NodeID[str]
    slug: str = strawberry.field(description="Unique, URL-safe name of the tag.")
    name: str = strawberry.field(description="Display name.")
    description: str = strawberry.field(description="What the tag covers; may be empty.")
    audience: strawberry.Private[Audience]

    @classmethod
    def from_document(cls, document: tags.Tag, audience: Audience) -> Self:
        return cls(
            id=str(document.id),
            slug=document.slug,
            name=document.name,
            description=document.description,
            audience=audience,
        )

    @classmethod
    def finders(cls, loaders: Loaders) -> Finders[tags.Tag]:
        return loaders.tag_by_id, loaders.tag_by_slug

    @strawberry.field(
        description="How many published articles carry this tag (in a preview: any status)."
    )
    async def article_count(self, info: Info) -> int:
        return await info.context.loaders_for(self.audience).article_count_by_tag.load(self.slug)

    @strawberry.field(
        description="Published articles with this tag (in a preview: any status), a page at a time."
    )
    async def articles(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
        order_by: Annotated[
            Annotated["ArticleOrderBy", strawberry.lazy("api.articles.connection")] | None,
            strawberry.argument(description="Order; null means the default, newest first."),
        ] = None,
    ) -> Annotated["ArticleConnection", strawberry.lazy("api.articles.connection")]:
        from api.articles.connection import ArticleConnection

        return await ArticleConnection.resolve(
            info,
            window=Window.of(first=first, after=after, last=last, before=before),
            filter=listing.ArticleFilter(tag=self.slug),
            order_by=order_by,
            audience=self.audience,
        )
