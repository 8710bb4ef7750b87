"""Blocks as safe HTML: what `body(format: HTML)` gives, and the desk's preview shows.

Markdown blocks keep markdown-it's own HTML (raw HTML escaped). Directives are written here from
their fields, every value escaped: frames with `sandbox`, `loading="lazy"` and a title (YouTube
through youtube-nocookie.com), posts as a blockquote with their link for the provider's own
script to enhance, and never a `<script>`. A library image and a related card depend on the
store and on the reader, so they are written as placeholders (`IMAGE_PLACEHOLDER`,
`RELATED_PLACEHOLDER`) that `cms.text.resolve` fills in for each reader; the HTML here depends on
the Markdown alone, so it is cached by it. `tests/test_blocks_logic.py` parses the output and
checks every tag and attribute against `ALLOWED`.
"""

import re
from html import escape

from cms.text.blocks import (
    Block,
    EmbedBlock,
    FactBox,
    Gallery,
    ImageBlock,
    Native,
    PullQuote,
    RelatedCard,
)
from cms.text.embeds import EmbedKind

# What a frame may do: run its own script in its own origin, open the provider's page in a new
# window, go full screen. Never navigate the article's page (no allow-top-navigation).
SANDBOX = "allow-scripts allow-same-origin allow-popups allow-presentation"
ALLOW = "encrypted-media; fullscreen; picture-in-picture"
FRAME_WIDTH = 640
# Every tag and attribute the body's HTML may hold (Markdown's own, and the directives').
ALLOWED: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "li", "pre", "em", "strong", "s"),
        frozenset[str](),
    ),
    **dict.fromkeys(("hr", "br", "thead", "tbody", "tr", "figcaption"), frozenset[str]()),
    "a": frozenset({"href", "title"}),
    # `data-library-image`: the placeholder `cms.presentation.filled_body` replaces.
    "img": frozenset(
        {
            "src",
            "alt",
            "title",
            "srcset",
            "sizes",
            "width",
            "height",
            "loading",
            "data-library-image",
        }
    ),
    "ol": frozenset({"start"}),
    "code": frozenset({"class"}),
    "table": frozenset(),
    "th": frozenset({"style"}),
    "td": frozenset({"style"}),
    "figure": frozenset({"class", "data-provider", "data-id"}),
    "aside": frozenset({"class", "data-slug"}),
    "header": frozenset(),
    "span": frozenset({"class"}),
    "iframe": frozenset(
        {
            "src",
            "title",
            "width",
            "height",
            "loading",
            "sandbox",
            "allow",
            "allowfullscreen",
            "referrerpolicy",
        }
    ),
    "blockquote": frozenset({"class", "cite", "data-provider", "data-id"}),
}
# A library image, until `cms.text.resolve` gives it its renditions (or drops it if deleted).
IMAGE_PLACEHOLDER = re.compile(
    r'<img data-library-image="(?P<id>[0-9a-f]{64})" alt="(?P<alt>[^"]*)">'
)
# A related card, until `cms.text.resolve` writes it for a reader who may see its article.
RELATED_PLACEHOLDER = re.compile(
    r'<aside class="related" data-slug="(?P<slug>[a-z0-9-]+)"></aside>'
)


def _attribute(value: str) -> str:
    return escape(value, quote=True)


def _caption(caption: str, credit: str = "") -> str:
    if not caption and not credit:
        return ""
    shown = escape(caption)
    if credit:
        shown += f' <span class="credit">{escape(credit)}</span>'
    return f"<figcaption>{shown}</figcaption>"


def _image(block: ImageBlock) -> str:
    placeholder = f'<img data-library-image="{block.image_id}" alt="{_attribute(block.alt)}">'
    return f'<figure class="image">{placeholder}{_caption(block.caption, block.credit)}</figure>\n'


def _embed(block: EmbedBlock) -> str:
    embed = block.embed
    data = f' data-provider="{_attribute(embed.provider)}"'
    if embed.id:
        data += f' data-id="{_attribute(embed.id)}"'
    link = f'<a href="{_attribute(embed.url)}">{escape(block.title)}</a>'
    if embed.kind is EmbedKind.POST or embed.frame is None:
        quote_class = _attribute(embed.quote or "embed")
        return (
            f'<blockquote class="{quote_class}" cite="{_attribute(embed.url)}"{data}>'
            f"<p>{link}</p></blockquote>\n"
        )
    if embed.height is not None:
        size = f'width="{FRAME_WIDTH}" height="{embed.height}"'
    else:
        size = f'width="{FRAME_WIDTH}" height="{round(FRAME_WIDTH / (embed.ratio or 16 / 9))}"'
    frame = (
        f'<iframe src="{_attribute(embed.frame)}" title="{_attribute(block.title)}" {size} '
        f'loading="lazy" sandbox="{SANDBOX}" allow="{ALLOW}" allowfullscreen '
        'referrerpolicy="strict-origin-when-cross-origin"></iframe>'
    )
    return f'<figure class="embed embed-{embed.kind.value}"{data}>{frame}</figure>\n'


def block_html(block: Block) -> str:
    match block:
        case Native(markup=markup):
            return markup
        case EmbedBlock():
            return _embed(block)
        case ImageBlock():
            return _image(block)
        case Gallery(images=images, caption=caption):
            inner = "".join(_image(image) for image in images)
            return f'<figure class="gallery">\n{inner}{_caption(caption)}</figure>\n'
        case PullQuote(content=content, cite=cite):
            return (
                f'<figure class="pullquote"><blockquote>\n{content.html}</blockquote>'
                f"{_caption(cite)}</figure>\n"
            )
        case FactBox(content=content, title=title):
            heading = f"<header>{escape(title)}</header>\n" if title else ""
            return f'<aside class="factbox">\n{heading}{content.html}</aside>\n'
        case RelatedCard(slug=slug):
            return f'<aside class="related" data-slug="{slug}"></aside>\n'
    raise AssertionError(block)


def render_html(blocks: list[Block]) -> str:
    return "".join(block_html(block) for block in blocks)
