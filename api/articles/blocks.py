"""`Article.blocks`: the body as typed blocks, for frontends that render each with a component.

The blocks are `cms.text`'s (parsed once per body and kept); here each becomes its GraphQL type.
A library image resolves through the request's image loader, a related card through the
reader's article loader, which leaves out what the reader may not see.
"""

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.dataloader import DataLoader

from api.loaders import Loaders
from cms.media.model import LibraryImage
from cms.text import blocks as cms

type ImageLoader = DataLoader[str, LibraryImage | None]

if TYPE_CHECKING:
    from api.articles.types import Article, Image


@strawberry.type(description="Inline text: as safe HTML (raw HTML escaped) and as plain text.")
class InlineText:
    html: str = strawberry.field(description="Safe HTML: links, emphasis, code; no raw HTML.")
    text: str = strawberry.field(description="The same text without markup.")

    @classmethod
    def of(cls, inline: cms.Inline) -> "InlineText":
        return cls(html=inline.html, text=inline.text)


@strawberry.type(description="A paragraph.")
class ParagraphBlock:
    content: InlineText = strawberry.field(description="Its text.")


@strawberry.type(description="A heading of the body (level 1 to 6).")
class HeadingBlock:
    level: int = strawberry.field(description="1 to 6, as `<h1>` to `<h6>`.")
    content: InlineText = strawberry.field(description="Its text.")


@strawberry.type(description="A bulleted or numbered list.")
class ListBlock:
    ordered: bool = strawberry.field(description="Numbered (true) or bulleted.")
    start: int = strawberry.field(description="The first number of a numbered list.")
    items: list[InlineText] = strawberry.field(
        description="Each item's content (its paragraphs and nested lists, as HTML)."
    )


@strawberry.type(description="A quotation in the text (Markdown's `>`).")
class QuoteBlock:
    content: InlineText = strawberry.field(description="What is quoted (paragraphs, as HTML).")


@strawberry.type(description="A quotation set apart from the text, with who said it.")
class PullQuoteBlock:
    content: InlineText = strawberry.field(description="What is quoted (paragraphs, as HTML).")
    attribution: str = strawberry.field(description="Who said it (plain text); may be empty.")


@strawberry.type(description="An image of the media library, with this article's text for it.")
class ImageBlock:
    image: Annotated["Image", strawberry.lazy("api.articles.types")] | None = strawberry.field(
        description="The library's image, with its renditions (`url`, `srcset`) and the "
        "caption, credit and alt text shown here (the library's where the article gives none); "
        "null if it has been deleted since."
    )

    @classmethod
    async def of(cls, block: cms.ImageBlock, images: ImageLoader) -> "ImageBlock":
        # Here, not above: `api.articles.types` imports this module for `Article.blocks`.
        from api.articles.types import Image

        library = await images.load(block.image_id)
        if library is None:
            return cls(image=None)
        fields = {
            "id": block.image_id,
            "caption": block.caption or library.caption,
            "alt": block.alt or library.alt,
            "credit": block.credit or library.credit,
        }
        return cls(image=Image.of(fields))


@strawberry.type(description="Images of the media library shown together.")
class GalleryBlock:
    images: list[ImageBlock] = strawberry.field(description="The images, in order.")
    caption: str = strawberry.field(description="The gallery's caption; may be empty.")


@strawberry.enum(description="What an embed shows, and so how it is rendered.")
class EmbedKind(Enum):
    VIDEO = strawberry.enum_value("video", description="A video player, in a frame.")
    AUDIO = strawberry.enum_value("audio", description="An audio player of fixed height.")
    POST = strawberry.enum_value(
        "post", description="A post of a social network: a link its provider's script enhances."
    )
    CHART = strawberry.enum_value("chart", description="A chart, in a frame.")
    MAP = strawberry.enum_value("map", description="A map, in a frame.")
    FRAME = strawberry.enum_value("frame", description="A page of an allowed host, in a frame.")


@strawberry.type(
    description="Something shown from another site: a known provider's link (a video, a post, "
    "a chart...) or a frame from a host on the server's allow-list. Nothing is fetched from it."
)
class EmbedBlock:
    provider: str = strawberry.field(
        description="The provider's key (`youtube`, `vimeo`, `x`, `instagram`, `tiktok`, "
        "`bluesky`, `mastodon`, `soundcloud`, `spotify`, `datawrapper`, `flourish`, "
        "`google-maps`), or `iframe` for an allowed frame."
    )
    provider_name: str = strawberry.field(
        description="The provider's name as shown (for a frame, its host)."
    )
    kind: EmbedKind = strawberry.field(description="Video, audio, post, chart, map or frame.")
    url: str = strawberry.field(description="The link as the editor gave it.")
    provider_id: str | None = strawberry.field(
        description="The provider's id of the item (a YouTube video's, a post's), where it has one."
    )
    frame_url: str | None = strawberry.field(
        description="The address to show in an iframe (YouTube's on youtube-nocookie.com); null "
        "for a post, which is a link the provider's own script may enhance."
    )
    aspect_ratio: float | None = strawberry.field(
        description="Width divided by height of the frame, for one that scales with the page."
    )
    height: int | None = strawberry.field(
        description="The frame's fixed height in pixels, for a player that does not scale."
    )
    title: str = strawberry.field(description="The frame's title, for screen readers.")


@strawberry.type(description="A box of facts beside the story: a title, then text and lists.")
class FactBoxBlock:
    title: str = strawberry.field(description="Its title; may be empty.")
    content: InlineText = strawberry.field(description="Its paragraphs and lists (as HTML).")


@strawberry.type(description="Program code or preformatted text, shown as it is.")
class CodeBlock:
    language: str = strawberry.field(description="The language named after ```; may be empty.")
    code: str = strawberry.field(description="The text, unescaped.")


@strawberry.type(description="A table: a header row and rows of cells.")
class TableBlock:
    header: list[InlineText] = strawberry.field(description="The header row's cells.")
    rows: list[list[InlineText]] = strawberry.field(description="The rows, each a list of cells.")


@strawberry.type(description="A card for another article (only where the reader may see it).")
class RelatedCardBlock:
    article: Annotated["Article", strawberry.lazy("api.articles.types")] = strawberry.field(
        description="The article the card shows."
    )


@strawberry.type(description="A thematic break (a horizontal rule).")
class RuleBlock:
    markdown: str = strawberry.field(description="How it was written (`---`, `***`...).")


Block = Annotated[
    ParagraphBlock
    | HeadingBlock
    | ListBlock
    | QuoteBlock
    | PullQuoteBlock
    | ImageBlock
    | GalleryBlock
    | EmbedBlock
    | FactBoxBlock
    | CodeBlock
    | TableBlock
    | RelatedCardBlock
    | RuleBlock,
    strawberry.union("Block", description="One block of an article's body."),
]


def _embed(block: cms.EmbedBlock) -> EmbedBlock:
    embed = block.embed
    return EmbedBlock(
        provider=embed.provider,
        provider_name=embed.provider_name,
        kind=EmbedKind(embed.kind.value),
        url=embed.url,
        provider_id=embed.id,
        frame_url=embed.frame,
        aspect_ratio=embed.ratio,
        height=embed.height,
        title=block.title,
    )


async def typed(found: list[cms.Block], loaders: Loaders, images: ImageLoader) -> list[Block]:
    """Each block as its GraphQL type; related cards the reader may not see left out (`images`:
    the request's image loader, the one `Image` reads its library entry from)."""
    image_ids = list(cms.image_ids(found))
    slugs = [block.slug for block in found if isinstance(block, cms.RelatedCard)]
    # One batch for the images and one for the related articles, whatever their number.
    if image_ids:
        await images.load_many(image_ids)
    related = await loaders.article_by_slug.load_many(slugs) if slugs else []
    readable = {document.slug: document for document in related if document is not None}
    result: list[Block] = []
    for block in found:
        match block:
            case cms.Paragraph(content=content):
                result.append(ParagraphBlock(content=InlineText.of(content)))
            case cms.Heading(level=level, content=content):
                result.append(HeadingBlock(level=level, content=InlineText.of(content)))
            case cms.ListBlock(ordered=ordered, start=start, items=items):
                listed = [InlineText.of(item) for item in items]
                result.append(ListBlock(ordered=ordered, start=start, items=listed))
            case cms.Quote(content=content):
                result.append(QuoteBlock(content=InlineText.of(content)))
            case cms.PullQuote(content=content, cite=cite):
                result.append(PullQuoteBlock(content=InlineText.of(content), attribution=cite))
            case cms.ImageBlock():
                result.append(await ImageBlock.of(block, images))
            case cms.Gallery(images=shown, caption=caption):
                gallery = [await ImageBlock.of(image, images) for image in shown]
                result.append(GalleryBlock(images=gallery, caption=caption))
            case cms.EmbedBlock():
                result.append(_embed(block))
            case cms.FactBox(title=title, content=content):
                result.append(FactBoxBlock(title=title, content=InlineText.of(content)))
            case cms.Code(language=language, code=code):
                result.append(CodeBlock(language=language, code=code))
            case cms.Table(header=header, rows=rows):
                cells = [[InlineText.of(cell) for cell in row] for row in rows]
                result.append(TableBlock(header=[InlineText.of(c) for c in header], rows=cells))
            case cms.RelatedCard(slug=slug):
                target = readable.get(slug)
                if target is not None:
                    from api.articles.types import Article

                    shown_article = Article.from_document(target, loaders.audience)
                    result.append(RelatedCardBlock(article=shown_article))
            case cms.Rule(source=source):
                result.append(RuleBlock(markdown=source))
    return result
