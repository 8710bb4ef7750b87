"""The GraphQL face of tags."""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from api.context import Info
from cms import articles, listing, tags
from cms.pagination import MAX_PAGE_SIZE

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
        ids = [articles.parse_object_id(node_id) for node_id in node_ids]
        found = await info.context.loaders.tag_by_id.load_many(
            [object_id for object_id in ids if object_id is not None]
        )
        by_id = {str(doc.id): doc for doc in found if doc is not None}
        return [
            cls.from_document(by_id[node_id]) if node_id in by_id else None for node_id in node_ids
        ]

    @strawberry.field(description="How many published articles carry this tag.")
    async def article_count(self, info: Info) -> int:
        return await info.context.loaders.article_count_by_tag.load(self.slug)

    @strawberry.field(description="Published articles with this tag, a page at a time.")
    async def articles(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description=f"Page size, 0 to {MAX_PAGE_SIZE}.")
        ] = 10,
        after: Annotated[
            str | None, strawberry.argument(description="Start after this cursor.")
        ] = None,
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
