"""Author reads."""

from typing import Annotated, Self

import strawberry
from strawberry import relay

from api.auth import audience_for
from api.authors.types import Author
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
from cms import authors
from cms.cache_tags import AUTHOR_LIST
from cms.reading.pagination import Cursor
from cms.visibility import Audience

# All authors, in slug order.
CURSOR_KEY = "authors:slug"


def _cursor(author: authors.Author) -> Cursor:
    assert author.id is not None
    return Cursor(CURSOR_KEY, author.slug, author.id)


@strawberry.type(description="A page of authors, with cursors to continue and the list's size.")
class AuthorConnection:
    edges: list[relay.Edge[Author]] = strawberry.field(description="The authors on this page.")
    page_info: relay.PageInfo = strawberry.field(description="Where this page sits in the list.")
    total_count: int = strawberry.field(description="How many authors there are in all.")

    @strawberry.field(description="The authors on this page, without cursors.")
    def nodes(self) -> list[Author]:
        return [edge.node for edge in self.edges]

    @classmethod
    async def resolve(cls, info: Info, *, window: Window, audience: Audience) -> Self:
        edges, page_info, total = await slug_ordered(
            window,
            key=CURSOR_KEY,
            pages=authors.page_of_authors,
            node=lambda document: Author.from_document(document, audience),
            cursor=_cursor,
        )
        info.context.tags.add(AUTHOR_LIST)
        return cls(edges=edges, page_info=page_info, total_count=total)


@strawberry.type
class AuthorQuery:
    @strawberry.field(description="The author with this slug, or null.")
    async def author(
        self,
        info: Info,
        slug: Annotated[str, strawberry.argument(description="Their slug.")],
        preview: Preview = False,
    ) -> Author | None:
        return await Author.with_slug(info, slug, preview=preview)

    @strawberry.field(description="All authors in slug order, a page at a time.")
    async def authors(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
        preview: Preview = False,
    ) -> AuthorConnection:
        window = Window.of(first=first, after=after, last=last, before=before)
        audience = await audience_for(info, preview=preview)
        return await AuthorConnection.resolve(info, window=window, audience=audience)
