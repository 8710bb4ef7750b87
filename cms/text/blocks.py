"""A body as typed blocks: what `Article.blocks` gives frontends, and the body's HTML is made of.

Blocks are values: parsing a body (`cms.text.parse`) and writing blocks back as Markdown
(`to_markdown`) are inverse (`tests/test_blocks_logic.py` checks blocks -> Markdown -> blocks by
property). Blocks written in plain Markdown keep their source, so they come back as written;
directives are written from their fields in one canonical form. `line` (where a block starts in
the body, for problems) and `markup` (its HTML, derived from the source) take no part in
equality.
"""

from dataclasses import dataclass, field

from cms.text.embeds import Embed


@dataclass(frozen=True, slots=True)
class Inline:
    """Inline text as safe HTML (links, emphasis, code; raw HTML escaped) and as plain text."""

    html: str
    text: str


@dataclass(frozen=True, slots=True)
class Native:
    """A block written in plain Markdown: its source, and its HTML."""

    source: str
    markup: str = field(compare=False, repr=False)
    line: int = field(compare=False)


@dataclass(frozen=True, slots=True)
class Paragraph(Native):
    content: Inline = Inline("", "")


@dataclass(frozen=True, slots=True)
class Heading(Native):
    level: int = 2
    content: Inline = Inline("", "")


@dataclass(frozen=True, slots=True)
class ListBlock(Native):
    ordered: bool = False
    start: int = 1
    items: tuple[Inline, ...] = ()


@dataclass(frozen=True, slots=True)
class Quote(Native):
    content: Inline = Inline("", "")


@dataclass(frozen=True, slots=True)
class Code(Native):
    language: str = ""
    code: str = ""


@dataclass(frozen=True, slots=True)
class Table(Native):
    header: tuple[Inline, ...] = ()
    rows: tuple[tuple[Inline, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Rule(Native):
    pass


@dataclass(frozen=True, slots=True)
class EmbedBlock:
    """A provider's link alone on its line, `::embed` with a title, or an `::iframe`."""

    embed: Embed
    title: str
    # How it was written: the bare link (False) or a directive (True), so it is written back so.
    directive: bool = False
    line: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class ImageBlock:
    """An image of the media library, by id, with the text shown with it in this article."""

    image_id: str
    caption: str = ""
    alt: str = ""
    credit: str = ""
    line: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class Gallery:
    images: tuple[ImageBlock, ...]
    caption: str = ""
    line: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class PullQuote:
    """A quotation set apart, with who said it; its text is Markdown (a paragraph or two)."""

    markdown: str
    content: Inline
    cite: str = ""
    line: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class FactBox:
    """A box of facts beside the story: a title, and Markdown (paragraphs and lists)."""

    markdown: str
    content: Inline
    title: str = ""
    line: int = field(default=1, compare=False)


@dataclass(frozen=True, slots=True)
class RelatedCard:
    """A card for another article, by slug (left out for a reader who may not see it)."""

    slug: str
    line: int = field(default=1, compare=False)


type Block = (
    Paragraph
    | Heading
    | ListBlock
    | Quote
    | Code
    | Table
    | Rule
    | EmbedBlock
    | ImageBlock
    | Gallery
    | PullQuote
    | FactBox
    | RelatedCard
)


@dataclass(frozen=True, slots=True)
class BodyProblem:
    """Something wrong in a body: its line (1 for the body's first) and what."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _attribute(value: str) -> str:
    """A quoted attribute value, with `&` and `"` as character references (as the generic
    directive proposal reads them)."""
    return '"' + value.replace("&", "&amp;").replace('"', "&quot;") + '"'


def directive(name: str, attributes: dict[str, str], colons: int = 2) -> str:
    """`::name{key="value" ...}`, empty values left out."""
    written = " ".join(f"{key}={_attribute(value)}" for key, value in attributes.items() if value)
    return f"{':' * colons}{name}{{{written}}}" if written else f"{':' * colons}{name}"


def _image(block: ImageBlock) -> str:
    values = {"caption": block.caption, "alt": block.alt, "credit": block.credit}
    return directive("image", {"id": block.image_id, **values})


def block_markdown(block: Block) -> str:
    """One block as Markdown, as the parser reads it back."""
    match block:
        case Native(source=source):
            return source
        case EmbedBlock(embed=embed, title=title, directive=written):
            if embed.kind == "frame":
                ratio = "" if embed.ratio is None else _ratio_text(embed.ratio)
                return directive("iframe", {"url": embed.url, "title": title, "ratio": ratio})
            return directive("embed", {"url": embed.url, "title": title}) if written else embed.url
        case ImageBlock():
            return _image(block)
        case Gallery(images=images, caption=caption):
            inner = "\n".join(_image(image) for image in images)
            return f"{directive('gallery', {'caption': caption}, 3)}\n{inner}\n:::"
        case PullQuote(markdown=markdown, cite=cite):
            return f"{directive('pullquote', {'cite': cite}, 3)}\n{markdown}\n:::"
        case FactBox(markdown=markdown, title=title):
            return f"{directive('factbox', {'title': title}, 3)}\n{markdown}\n:::"
        case RelatedCard(slug=slug):
            return directive("related", {"slug": slug})
    raise AssertionError(block)


def _ratio_text(ratio: float) -> str:
    """A ratio as the `ratio` attribute writes it: `16:9`, or a decimal number."""
    for width, height in ((16, 9), (4, 3), (1, 1), (3, 2), (9, 16), (21, 9), (3, 4)):
        if abs(ratio - width / height) < 1e-9:
            return f"{width}:{height}"
    return repr(ratio)


def to_markdown(blocks: list[Block]) -> str:
    """The blocks as a body, one blank line between blocks."""
    return "\n\n".join(block_markdown(block) for block in blocks)


def image_ids(blocks: list[Block]) -> dict[str, int]:
    """The media library images the blocks show (images and galleries), each with the line it
    is first shown on, in order."""
    found: dict[str, int] = {}
    for block in blocks:
        images = block.images if isinstance(block, Gallery) else (block,)
        for image in images:
            if isinstance(image, ImageBlock):
                found.setdefault(image.image_id, image.line)
    return found
