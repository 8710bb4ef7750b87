"""Tag reads."""

from typing import Annotated, Self

import strawberry
from strawberry import relay

from api.auth import audience_for
from api.context import Info
from api.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Before,
    First,
    Last,
    Preview,
    Window,
    slug_ordered,
)
from api.tags.types import Tag
from cms import tags
from cms.cache_tags import TAG_LIST
from cms.reading.pagination import Cursor
from cms.visibility import Audience

# All tags, in slug order.
CURSOR_KEY = "tags:slug"


def _cursor(tag: tags.Tag) -> Cursor:
    assert tag.id is not None
    return Cursor(CURSOR_KEY, tag.slug, tag.id)


@strawberry.type(description="A page of tags, with cursors to continue and the list's size.")
class TagConnection:
    edges: list[relay.Edge[Tag]] = strawberry.field(description="The tags on this page.")
    page_info: relay.PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int = strawberry.field(description="How many tags there are in all.")

    @strawberry.field(description="The tags on this page, without cursors.")
    def nodes(self) -> list[Tag]:
        return [edge.node for edge in self.edges]

    @classmethod
    async def resolve(cls, info: Info, *, window: Window, audience: Audience) -> Self:
        edges, page_info, total = await slug_ordered(
            window,
            key=CURSOR_KEY,
            pages=tags.page_of_tags,
            node=lambda document: Tag.from_document(document, audience),
            cursor=_cursor,
        )
        info.context.tags.add(TAG_LIST)
        return cls(edges=edges, page_info=page_info, total_count=total)


@strawberry.type
class TagQuery:
    @strawberry.field(
        description="The tag with this slug (or the tag it was merged into), or null."
    )
    async def tag(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="Its slug.")],
        preview: Preview = False,
    ) -> Tag | None:
        return await Tag.with_slug(info, slug, preview=preview)

    @strawberry.field(description="All tags in slug order, a page at a time.")
    async def tags(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
        preview: Preview = False,
    ) -> TagConnection:
        window = Window.of(first=first, after=after, last=last, before=before)
        audience = await audience_for(info, preview=preview)
        return await TagConnection.resolve(info, window=window, audience=audience)
