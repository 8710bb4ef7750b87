"""The GraphQL face of articles."""

import base64
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Self

import strawberry
from strawberry import relay

from api.articles.blocks import Block, typed
from api.coded_errors import BadUserInput
from api.context import Info
from api.loaders import Loaders, RelatedKey
from api.media.renditions import ImageFit, ImageFormat, checked_aspect, encodable
from api.media.types import FocalPoint, library_image_id
from api.nodes import Finders, StoredNode
from api.pagination import page_size
from api.scalars import JsonLd
from cms import articles, presentation
from cms.authors import Author as StoredAuthor
from cms.authors import byline_text
from cms.content import ImageFields
from cms.media import addresses, sizes
from cms.media.model import LibraryImage as StoredImage
from cms.related import MAX_RELATED
from cms.search.snippets import snippet
from cms.status import ArticleStatus as Status
from cms.text.body import BodyFormat, body_blocks, rendered
from cms.visibility import Audience
from web.media import Media

if TYPE_CHECKING:
    from api.articles.revisions import RevisionConnection
    from api.authors.types import Author
    from api.ratings.types import Rating
    from api.tags.types import Tag


@strawberry.enum(name="BodyFormat", description="How an article's body is rendered.")
class BodyFormatEnum(Enum):
    HTML = strawberry.enum_value(BodyFormat.HTML, description="HTML rendered from Markdown.")
    MARKDOWN = strawberry.enum_value(BodyFormat.MARKDOWN, description="The Markdown source.")
    TEXT = strawberry.enum_value(
        BodyFormat.TEXT, description="Plain text, one paragraph per block, blank-line separated."
    )


@strawberry.enum(description="Where an article is in the editorial workflow.")
class ArticleStatus(Enum):
    DRAFT = strawberry.enum_value(Status.DRAFT, description="Being written; not public.")
    REVIEW = strawberry.enum_value(Status.REVIEW, description="Waiting for review; not public.")
    SCHEDULED = strawberry.enum_value(
        Status.SCHEDULED, description="Public from its `publishedAt` time on, with no further step."
    )
    PUBLISHED = strawberry.enum_value(Status.PUBLISHED, description="Public.")
    ARCHIVED = strawberry.enum_value(Status.ARCHIVED, description="Taken down; kept, not public.")

    @classmethod
    def of(cls, status: Status) -> "ArticleStatus":
        return cls[status.name]

    def to_cms(self) -> Status:
        return Status[self.name]


# Most renditions one srcset lists.
MAX_SRCSET = 16
# An argument naming an article.
ArticleId = Annotated[strawberry.ID, strawberry.argument(description="The article's global `id`.")]


@strawberry.type(
    description="The hero image shown above an article: an image of the media library (with "
    "`id`, `width`, `height` and `focalPoint`), or one elsewhere, given by its `url`. Caption, "
    "credit and alt text are the article's own (the library's are the defaults)."
)
class Image:
    given_url: strawberry.Private[str]
    caption: str = strawberry.field(description="What the image shows, as printed under it.")
    credit: str = strawberry.field(description="Who took or supplied the image, e.g. REUTERS.")
    alt: str = strawberry.field(description="Text alternative for readers who cannot see it.")
    library_id: strawberry.Private[str | None]

    @classmethod
    def of(cls, image: ImageFields | Mapping[str, Any]) -> Self:
        fields = image if isinstance(image, ImageFields) else ImageFields.model_validate(image)
        return cls(
            given_url=fields.url,
            caption=fields.caption,
            credit=fields.credit,
            alt=fields.alt,
            library_id=fields.library_id,
        )

    async def _library(self, info: Info) -> StoredImage | None:
        if self.library_id is None:
            return None
        return await info.context.loaders.image_by_id.load(self.library_id)

    @strawberry.field(
        description="The global ID of the media library's image (`LibraryImage.id`); null for "
        "an image elsewhere."
    )
    def id(self) -> strawberry.ID | None:
        return library_image_id(self.library_id) if self.library_id else None

    @strawberry.field(description="Width in pixels, as displayed; null for an image elsewhere.")
    async def width(self, info: Info) -> int | None:
        found = await self._library(info)
        return found.width if found else None

    @strawberry.field(description="Height in pixels, as displayed; null for an image elsewhere.")
    async def height(self, info: Info) -> int | None:
        found = await self._library(info)
        return found.height if found else None

    @strawberry.field(
        description="Where the image's subject is, for crops; null for an image elsewhere."
    )
    async def focal_point(self, info: Info) -> FocalPoint | None:
        found = await self._library(info)
        return FocalPoint.of(found.focal) if found else None

    @strawberry.field(
        description="Absolute URL of the image. For an image of the media library, a signed "
        "rendition (the original is never served): the `width` asked is rounded up to the next "
        "width the server makes, a `height` gives the nearest aspect it makes (16:9, 4:3, 1:1 or "
        "the original's), and nothing is larger than the original. For an image elsewhere, its "
        "URL as given, whatever the arguments. Empty for a deleted library image."
    )
    async def url(
        self,
        info: Info,
        width: Annotated[
            int | None,
            strawberry.argument(description="Width in pixels (default: the original's)."),
        ] = None,
        height: Annotated[
            int | None,
            strawberry.argument(
                description="Height in pixels: with `width`, picks the nearest aspect."
            ),
        ] = None,
        fit: Annotated[
            ImageFit, strawberry.argument(description="Crop to fill (COVER) or fit inside.")
        ] = ImageFit.COVER,
        format: Annotated[
            ImageFormat, strawberry.argument(description="The file format (AUTO: negotiated).")
        ] = ImageFormat.AUTO,
    ) -> str:
        if self.library_id is None:
            return self.given_url
        chosen = encodable(format)
        for name, value in (("width", width), ("height", height)):
            if value is not None and value < 1:
                raise BadUserInput(f"`{name}` is a number of pixels, at least 1.")
        found = await self._library(info)
        if found is None:
            return ""
        settings = info.context.settings
        fitted = sizes.Fit[fit.name]
        return addresses.url(found, settings, width=width, height=height, fit=fitted, format=chosen)

    @strawberry.field(
        description="An HTML `srcset` of signed renditions (`URL 640w, URL 1024w, ...`), for a "
        "library image; null for an image elsewhere or a deleted one."
    )
    async def srcset(
        self,
        info: Info,
        widths: Annotated[
            list[int] | None,
            strawberry.argument(
                description="Widths wanted (rounded up like `url`'s); default: every width the "
                "server makes up to the original's."
            ),
        ] = None,
        aspect: Annotated[
            str | None,
            strawberry.argument(
                description="An aspect the server makes, like `16:9` (cropped around the focal "
                "point); default: the original's."
            ),
        ] = None,
        format: Annotated[
            ImageFormat, strawberry.argument(description="The file format (AUTO: negotiated).")
        ] = ImageFormat.AUTO,
    ) -> str | None:
        if self.library_id is None:
            return None
        chosen = encodable(format)
        settings = info.context.settings
        if (widths is not None and not 1 <= len(widths) <= MAX_SRCSET) or any(
            width < 1 for width in widths or ()
        ):
            raise BadUserInput(f"`widths` lists 1 to {MAX_SRCSET} widths, each at least 1.")
        checked = checked_aspect(aspect, settings.media_aspects)
        found = await self._library(info)
        if found is None:
            return None
        return addresses.srcset(found, settings, widths=widths, aspect=checked, format=chosen)

    @strawberry.field(
        description="A tiny blurred version of the picture as a `data:` URI (a WebP under a "
        "kilobyte), to show while the rendition loads; null for an image elsewhere."
    )
    async def placeholder(self, info: Info) -> str | None:
        found = await self._library(info)
        if found is None:
            return None
        media: Media = info.context.request.app.state.media
        served = await media.renditions.placeholder(found)
        return f"data:{served.media_type};base64,{base64.b64encode(served.data).decode()}"

    @strawberry.field(
        description="True for an image since deleted from the media library (a revision keeps "
        "its `id`, caption, credit and alt text; width, height and focal point are null)."
    )
    async def deleted(self, info: Info) -> bool:
        return self.library_id is not None and await self._library(info) is None


@strawberry.type(
    name="Article",
    description="A news article. Anonymous readers only ever see published ones; a preview "
    "(with a token) sees every status.",
)
class Article(StoredNode[articles.Article], relay.Node):  # type: ignore[misc]  # see StoredNode
    id: relay.NodeID[str]
    slug: str = strawberry.field(description="Unique, URL-safe name of the article.")
    headline: str = strawberry.field(description="The article's headline.")
    section: str = strawberry.field(description="Slug of the section it runs in, e.g. `world`.")
    excerpt: str = strawberry.field(
        description="A one- or two-sentence summary in plain text (never markup), fit for a "
        "meta description."
    )
    published_at: datetime = strawberry.field(
        description="When it was (or, scheduled, will be) published (UTC)."
    )
    updated_at: datetime = strawberry.field(description="When it was last updated (UTC).")
    unpublish_at: datetime | None = strawberry.field(
        description="When it leaves public view by itself (UTC), if it is scheduled to."
    )
    image: Image | None = strawberry.field(description="Hero image, if the article has one.")
    status: ArticleStatus = strawberry.field(description="Where it is in the editorial workflow.")
    version: int = strawberry.field(
        description="Incremented by every save; `updateArticle` takes the version it edits."
    )
    source: strawberry.Private[articles.Article]
    audience: strawberry.Private[Audience]
    # The search this article was found by, for its snippet.
    search: strawberry.Private[str | None]

    @classmethod
    def from_document(
        cls,
        document: articles.Article,
        audience: Audience,
        *,
        search: str | None = None,
    ) -> Self:
        image = document.image
        return cls(
            id=str(document.id),
            slug=document.slug,
            headline=document.headline,
            section=document.section,
            excerpt=document.excerpt,
            published_at=document.published_at,
            updated_at=document.updated_at,
            unpublish_at=document.unpublish_at,
            image=Image.of(image) if image else None,
            status=ArticleStatus.of(document.status),
            version=document.version,
            source=document,
            audience=audience,
            search=search,
        )

    @classmethod
    def finders(cls, loaders: Loaders) -> Finders[articles.Article]:
        return loaders.article_by_id, loaders.article_by_slug

    def _loaders(self, info: Info) -> Loaders:
        return info.context.loaders_for(self.audience)

    @strawberry.field(description="The article's text in the requested format.")
    async def body(
        self,
        info: Info,
        format: Annotated[
            BodyFormatEnum, strawberry.argument(description="Output format; HTML by default.")
        ] = BodyFormatEnum.HTML,
    ) -> str:
        chosen = BodyFormat[format.name]
        found = await rendered(self.source.body, chosen)
        if chosen is not BodyFormat.HTML:
            return found
        # Library images and related cards, for this reader (`cms.presentation.filled_body`).
        image_ids, slugs = presentation.body_references(found)
        if not image_ids and not slugs:
            return found
        loaders = self._loaders(info)
        images = await loaders.image_by_id.load_many(image_ids)
        related = await loaders.article_by_slug.load_many(slugs)
        return presentation.filled_body(
            found,
            images={image.id: image for image in images if image is not None},
            articles={article.slug: article for article in related if article is not None},
            settings=info.context.settings,
        )

    @strawberry.field(
        description="The body as typed blocks, for a frontend to render each with its own "
        "component: paragraphs, headings, lists, quotes, pull quotes, images and galleries of "
        "the media library, embeds, fact boxes, code, tables, related-article cards (left out "
        "where the reader may not see the article) and rules. `body(format: HTML)` renders the "
        "same blocks."
    )
    async def blocks(self, info: Info) -> list[Block]:
        found = (await body_blocks(self.source.body)).blocks
        return await typed(found, self._loaders(info), info.context.loaders.image_by_id)

    @strawberry.field(
        description="In a list found by a search: the passage that best matches it, as HTML "
        "(the text escaped, each matching word in `<mark>`, a cut shown by `…`). Null elsewhere."
    )
    async def search_snippet(self) -> str | None:
        if self.search is None:
            return None
        source = self.source
        body = await rendered(source.body, BodyFormat.TEXT)
        return snippet(self.search, excerpt=source.excerpt, body=body)

    @strawberry.field(description="Tags on the article, in editorial order.")
    async def tags(self, info: Info) -> list[Annotated["Tag", strawberry.lazy("api.tags.types")]]:
        from api.tags.types import Tag

        found = await self._loaders(info).tag_by_slug.load_many(self.source.tags)
        return [Tag.from_document(tag, self.audience) for tag in found if tag is not None]

    async def _byline(self, info: Info) -> list[StoredAuthor]:
        found = await self._loaders(info).author_by_slug.load_many(self.source.authors)
        return [author for author in found if author is not None]

    @strawberry.field(description="The byline: the people credited, in order (may be empty).")
    async def authors(
        self, info: Info
    ) -> list[Annotated["Author", strawberry.lazy("api.authors.types")]]:
        from api.authors.types import Author

        return [Author.from_document(a, self.audience) for a in await self._byline(info)]

    @strawberry.field(
        description='Free-text credit for agency or staff copy ("Reuters", "Newsroom Staff"), '
        "shown with or instead of authors; null if none."
    )
    def credit(self) -> str | None:
        return self.source.credit or None

    @strawberry.field(
        description='The byline as one line: the authors\' names joined ("A and B", "A, B and '
        'C"), else the credit.',
        deprecation_reason="Use `authors` and `credit`.",
    )
    async def author(self, info: Info) -> str:
        names = {author.slug: author.name for author in await self._byline(info)}
        return byline_text(self.source, names)

    @strawberry.field(description="Readers' star rating of the article.")
    async def rating(self, info: Info) -> Annotated["Rating", strawberry.lazy("api.ratings.types")]:
        from api.ratings.types import Rating

        assert self.source.id is not None
        summary = await self._loaders(info).rating_by_article_id.load(self.source.id)
        return Rating.from_summary(summary, self.source.id)

    @strawberry.field(
        description="The article's page on the site: `NEWSROOM_SITE_URL` followed by "
        "`NEWSROOM_ARTICLE_PATH` filled in (`/{section}/{slug}` by default)."
    )
    def url(self, info: Info) -> str:
        return presentation.article_url(self.source, info.context.settings)

    @strawberry.field(
        description=f"Minutes to read the body at {presentation.WORDS_PER_MINUTE} words a "
        "minute, rounded up; at least 1."
    )
    async def reading_time(self) -> int:
        return await presentation.reading_time(self.source)

    @strawberry.field(
        description="The schema.org `NewsArticle` JSON-LD for the article's page (headline, "
        "image, dates, author, publisher, url, and an `AggregateRating` once readers have "
        'voted), as text to place as it is inside `<script type="application/ld+json">`.'
    )
    async def structured_data(self, info: Info) -> JsonLd:
        assert self.source.id is not None
        rating = await self._loaders(info).rating_by_article_id.load(self.source.id)
        library = await self.image._library(info) if self.image is not None else None
        settings = info.context.settings
        byline = await self._byline(info)
        data = await presentation.news_article(self.source, rating, settings, library, byline)
        return JsonLd(presentation.script_json(data))

    @strawberry.field(
        description=(
            '"You may also like": other published articles, most related first. Editors\' pins '
            "(`related`) come first, in their order; excluded articles (`notRelated`) never "
            "appear; the rest rank by what they say (shared distinctive words), shared tags "
            "(rarer tags count more), the same section, and closeness in publication time. Never "
            "the article itself. In a preview, articles in any status."
        )
    )
    async def related(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description=f"How many, 0 to {MAX_RELATED}.")
        ] = 6,
    ) -> list["Article"]:
        assert self.source.id is not None
        key = RelatedKey(self.source.id, page_size(first, maximum=MAX_RELATED))
        found = await self._loaders(info).related_by_article.load(key)
        return [Article.from_document(article, self.audience) for article in found]

    @strawberry.field(
        description="Every saved version, newest first, with who saved it and what changed. "
        "Needs a previewer, editor or admin token."
    )
    async def revisions(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="Page size, 0 to 100.")] = 10,
        after: Annotated[
            str | None, strawberry.argument(description="Start after this cursor.")
        ] = None,
    ) -> Annotated["RevisionConnection", strawberry.lazy("api.articles.revisions")]:
        from api.articles.revisions import RevisionConnection

        assert self.source.id is not None
        return await RevisionConnection.resolve(
            info, article_id=self.source.id, first=first, after=after
        )
