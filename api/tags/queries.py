"""Tag reads."""

from typing import Annotated, Self

import strawberry
from strawberry import relay

from api.auth import audience_for
from api.cache import TAG_LIST
from api.context import Info
from api.errors import user_input
from api.pagination import After, First, Preview, edges_and_info, page_size
from api.tags.types import Tag
from cms import tags
from cms.arguments import slug_argument
from cms.pagination import Cursor
from cms.visibility import Audience

# All tags, in slug order.
CURSOR_KEY = "tags:slug"


def _cursor(tag: tags.Tag) -> str:
    assert tag.id is not None
    return Cursor(CURSOR_KEY, tag.slug, tag.id).encode()


@strawberry.type(description="A page of tags, with cursors to continue and the list's size.")
class TagConnection:
    edges: list[relay.Edge[Tag]] = strawberry.field(description="The tags on this page.")
    page_info: relay.PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int = strawberry.field(description="How many tags there are in all.")

    @strawberry.field(description="The tags on this page, without cursors.")
    def nodes(self) -> list[Tag]:
        return [edge.node for edge in self.edges]

    @classmethod
    async def resolve(
        cls, info: Info, *, first: int, after: str | None, audience: Audience
    ) -> Self:
        with user_input():
            cursor = Cursor.decode(after, key=CURSOR_KEY, datetime_value=False) if after else None
        found, has_next_page, total = await tags.page_of_tags(first=page_size(first), after=cursor)
        info.context.tags.add(TAG_LIST)
        edges, page_info = edges_and_info(
            found,
            node=lambda document: Tag.from_document(document, audience),
            cursor=_cursor,
            has_next_page=has_next_page,
            after=after,
        )
        return cls(edges=edges, page_info=page_info, total_count=total)


@strawberry.type
class TagQuery:
    @strawberry.field(description="The tag with this slug, or null.")
    async def tag(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="Its slug.")],
        preview: Preview = False,
    ) -> Tag | None:
        with user_input():
            slug_argument(slug)
        audience = await audience_for(info, preview=preview)
        found = await info.context.loaders_for(audience).tag_by_slug.load(slug)
        return Tag.from_document(found, audience) if found else None

    @strawberry.field(description="All tags in slug order, a page at a time.")
    async def tags(
        self,
        info: Info,
        first: First = 10,
        after: After = None,
        preview: Preview = False,
    ) -> TagConnection:
        audience = await audience_for(info, preview=preview)
        return await TagConnection.resolve(info, first=first, after=after, audience=audience)
