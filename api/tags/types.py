"""The GraphQL face of tags."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from api.context import Info
from api.nodes import nodes_by_id
from api.pagination import After, First
from cms import listing, tags

if TYPE_CHECKING:
    from api.articles.connection import ArticleConnection, ArticleOrderBy


@strawberry.type(name="Tag", description="An editorial label that groups articles.")
class Tag(relay.Node):
    id: relay.NodeID[str]
    slug: str = strawberry.field(description="Unique, URL-safe name of the tag.")
    name: str = strawberry.field(description="Display name.")
    description: str = strawberry.field(description="What the tag covers; may be empty.")

    @classmethod
    def from_document(cls, document: tags.Tag) -> Self:
        return cls(
            id=str(document.id),
            slug=document.slug,
            name=document.name,
            description=document.description,
        )

    @classmethod
    async def resolve_nodes(  # type: ignore[override]  # one body serves every `required`
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        return await nodes_by_id(node_ids, info.context.loaders.tag_by_id, cls.from_document)

    @strawberry.field(description="How many published articles carry this tag.")
    async def article_count(self, info: Info) -> int:
        return await info.context.loaders.article_count_by_tag.load(self.slug)

    @strawberry.field(description="Published articles with this tag, a page at a time.")
    async def articles(
        self,
        info: Info,
        first: First = 10,
        after: After = None,
        order_by: Annotated[
            Annotated["ArticleOrderBy", strawberry.lazy("api.articles.connection")] | None,
            strawberry.argument(description="Order; newest first by default."),
        ] = None,
    ) -> Annotated["ArticleConnection", strawberry.lazy("api.articles.connection")]:
        from api.articles.connection import ArticleConnection, ArticleOrderBy

        return await ArticleConnection.resolve(
            info,
            first=first,
            after=after,
            filter=listing.ArticleFilter(tag=self.slug),
            order_by=order_by or ArticleOrderBy.NEWEST,
        )
