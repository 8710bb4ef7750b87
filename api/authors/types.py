"""The GraphQL face of authors: the people credited in bylines. An author's desk account is
never shown."""

from typing import TYPE_CHECKING, Annotated, Self

import strawberry
from strawberry import relay

from api.articles.types import BodyFormatEnum, Image
from api.context import Info
from api.loaders import Loaders
from api.nodes import Finders, StoredNode
from api.pagination import DEFAULT_PAGE_SIZE, After, Before, First, Last, Window
from cms import authors
from cms.content import ImageFields
from cms.reading import listing
from cms.text.body import BodyFormat, rendered
from cms.visibility import Audience

if TYPE_CHECKING:
    from api.articles.connection import ArticleConnection

TYPE_NAME = "Author"


@strawberry.type(description="Where else an author is found; each an http(s) URL or null.")
class AuthorLinks:
    website: str | None = strawberry.field(description="Their own site.")
    x: str | None = strawberry.field(description="Their X (Twitter) profile.")
    mastodon: str | None = strawberry.field(description="Their Mastodon profile.")
    bluesky: str | None = strawberry.field(description="Their Bluesky profile.")
    linkedin: str | None = strawberry.field(description="Their LinkedIn profile.")


@strawberry.type(name=TYPE_NAME, description="A person credited in articles' bylines.")
class Author(StoredNode[authors.Author], relay.Node):  # type: ignore[misc]  # see StoredNode
    id: relay.NodeID[str]
    slug: str = strawberry.field(description="Unique, URL-safe name of the author.")
    name: str = strawberry.field(description="Their name as bylines show it.")
    title: str = strawberry.field(
        description='Their role, e.g. "Seoul correspondent"; may be empty.'
    )
    links: AuthorLinks = strawberry.field(description="Their pages elsewhere.")
    source: strawberry.Private[authors.Author]
    audience: strawberry.Private[Audience]

    @classmethod
    def from_document(cls, document: authors.Author, audience: Audience) -> Self:
        links = {name: value or None for name, value in document.links.model_dump().items()}
        return cls(
            id=str(document.id),
            slug=document.slug,
            name=document.name,
            title=document.title,
            links=AuthorLinks(**links),
            source=document,
            audience=audience,
        )

    @classmethod
    def finders(cls, loaders: Loaders) -> Finders[authors.Author]:
        return loaders.author_by_id, loaders.author_by_slug

    @strawberry.field(description="A short biography in the requested format; may be empty.")
    async def bio(
        self,
        format: Annotated[
            BodyFormatEnum, strawberry.argument(description="Output format; HTML by default.")
        ] = BodyFormatEnum.HTML,
    ) -> str:
        return await rendered(self.source.bio, BodyFormat[format.name])

    @strawberry.field(description="Their picture, an image of the media library; null if none.")
    def avatar(self) -> Image | None:
        avatar = self.source.avatar
        return Image.of(ImageFields(id=avatar, alt=self.name)) if avatar else None

    @strawberry.field(
        description="Their page on the site: `NEWSROOM_SITE_URL` followed by "
        "`NEWSROOM_AUTHOR_PATH` filled in (`/authors/{slug}` by default)."
    )
    def url(self, info: Info) -> str:
        return authors.author_url(self.slug, info.context.settings)

    @strawberry.field(
        description="Published articles they are credited in (in a preview: any status), "
        "newest first, a page at a time."
    )
    async def articles(
        self,
        info: Info,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> Annotated["ArticleConnection", strawberry.lazy("api.articles.connection")]:
        from api.articles.connection import ArticleConnection

        return await ArticleConnection.resolve(
            info,
            window=Window.of(first=first, after=after, last=last, before=before),
            filter=listing.ArticleFilter(author=self.slug),
            order_by=None,
            audience=self.audience,
        )
