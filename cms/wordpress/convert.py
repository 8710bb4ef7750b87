"""A WordPress post's markup as Newsroom's Markdown, with its directives for images, galleries,
pull quotes and embeds (`docs/editors/blocks.md`).

Classic-editor HTML and block-editor markup alike: paragraphs, headings, lists, quotes, pull
quotes, images, galleries, embeds (`core/embed`, the older `core-embed/*`, bare provider links,
`[embed]`), tables, code, separators; `[caption]`, `[gallery]`, `[video]` and `[audio]`
shortcodes; wrappers (columns, group, cover...) unwrapped to their content. What it does not know
is kept as text (escaped: never markup) and named in `Conversion.unknown`. Never raw HTML.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from cms.text.blocks import directive
from cms.text.embeds import provider_embed
from cms.text.parse import LINK_SCHEMES, MAX_GALLERY
from cms.wordpress.markup import Node, parse
from cms.wordpress.text import escape_inline, guard_line_start, literal_markdown

_HEADINGS = {f"h{level}": level for level in range(1, 7)}
# Blocks that only hold other blocks: their content is kept, the wrapper goes.
_WRAPPERS = frozenset(
    {
        *("core/columns", "core/column", "core/group", "core/cover", "core/media-text"),
        *("core/row", "core/stack", "core/details", "core/freeform", "core/post-content"),
        *("core/buttons", "core/list-item"),
    }
)
# Blocks whose HTML says all they are.
_HTML_BLOCKS = frozenset(
    {"core/paragraph", "core/heading", "core/list", "core/quote", "core/table", "core/button"}
)
# Blocks of a file the site served itself: a link to it (the file is not brought over).
_FILES = frozenset({"core/audio", "core/video", "core/file"})
# Blocks with nothing a reader of the text needs.
_DROPPED = frozenset({"core/spacer", "core/more", "core/nextpage", "core/page-break"})
# Elements whose content is not text a reader sees.
_HIDDEN = frozenset({"script", "style", "template", "noscript", "object", "svg", "iframe"})
_BLOCK_TAGS = frozenset(
    {
        *("p", "div", "section", "article", "header", "footer", "aside", "main", "figure"),
        *("ul", "ol", "blockquote", "pre", "table", "hr", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("dl", "address", "details", "center"),
    }
)
# Where the classic editor's blank lines stood in a run of inline content.
_BREAK = "__paragraph_break__"
_SIZED_COPY = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")
# An upload's place in an address without `wp-content/uploads` (WordPress.com's file hosts).
_DATED = re.compile(r"(?:^|/)(\d{4}/\d{2}/[^/]+)$")
# What plain-text fields (captions, alt text) may not hold (`cms.text.plaintext`): markup's
# opening `<` and control characters.
_NOT_PLAIN = re.compile(r"<(?=\s*[A-Za-z!/?])|[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The attachment id WordPress writes on an image it inserted (`class="wp-image-12"`).
_IMAGE_CLASS = re.compile(r"\bwp-image-(\d+)\b")


@dataclass(frozen=True, slots=True)
class LibraryImage:
    """An image of the media library an attachment became, with the attachment's own text."""

    id: str
    caption: str = ""
    alt: str = ""


@dataclass(slots=True)
class Media:
    """How the post's images are found in the media library: by attachment id, or by address
    (a WordPress sized copy, `name-300x200.jpg`, is its original)."""

    by_attachment: Callable[[int], LibraryImage | None] = lambda _id: None
    by_address: Callable[[str], LibraryImage | None] = lambda _url: None
    # The images attached to the post, in their order: what `[gallery]` without ids shows.
    attached: list[LibraryImage] = field(default_factory=list)

    def attachment(self, value: object) -> LibraryImage | None:
        text = str(value)
        return self.by_attachment(int(text)) if text.isdigit() else None

    def address(self, url: str) -> LibraryImage | None:
        """The image at an address of the site's uploads (any host: sites move, and CDNs serve
        them): the file itself, else the original of a sized copy (`name-300x200.jpg`)."""
        path = upload_path(url)
        if not path:
            return None
        return self.by_address(path) or self.by_address(_SIZED_COPY.sub("", path))


def upload_path(url: str) -> str:
    """Where an address of WordPress's uploads lies under the uploads folder: `2013/03/a.jpg`."""
    path = unquote(urlsplit(url).path)
    marker = "/wp-content/uploads/"
    if marker in path:
        return path.split(marker, 1)[1]
    dated = _DATED.search(path)
    return dated[1] if dated else ""


@dataclass(slots=True)
class Conversion:
    markdown: str
    # What was kept as text: block names (`core/html`, `acme/widget`) and shortcodes (`[video]`).
    unknown: list[str] = field(default_factory=list)
    # Images it names that the media library does not hold (their addresses or attachment ids).
    missing: list[str] = field(default_factory=list)
    # Files (audio, video, downloads) shown as a link to where the old site served them.
    linked: list[str] = field(default_factory=list)
    # What was repaired or changed to fit: unclosed markup, galleries split, reversed lists.
    repairs: list[str] = field(default_factory=list)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _plain(text: str) -> str:
    """Text for a caption or alt text: one line, without what a plain-text field refuses."""
    return _one_line(_NOT_PLAIN.sub("", text))


class _Converter:
    def __init__(self, media: Media, *, classic: bool) -> None:
        self.media = media
        # The classic editor's line ends are line breaks (WordPress's `wpautop`).
        self.classic = classic
        self.unknown: list[str] = []
        self.missing: list[str] = []
        self.linked: list[str] = []
        self.repairs: list[str] = []
        # Inside a "quote" or a "pull quote", which hold no directives (`docs/editors/blocks.md`):
        # images, galleries and pull quotes inside one become text, and code inside a pull
        # quote too (a line of its code could end the pull quote's directive).
        self.boxed = ""

    # Inline content: text, emphasis, links, code, line breaks.

    def inline(self, nodes: list[Node]) -> str:
        return "".join(self._inline(node) for node in nodes)

    def one_line(self, nodes: list[Node]) -> str:
        """Inline content that must stay on one line (a heading, a list item, a table cell):
        its line ends are spaces, even in the classic editor's text."""
        classic, self.classic = self.classic, False
        try:
            return _one_line(self.inline(nodes))
        finally:
            self.classic = classic

    def _inline(self, node: Node) -> str:
        if node.is_text:
            if self.classic:
                lines = [re.sub(r"[ \t]+", " ", line) for line in node.text.split("\n")]
                return "\\\n".join(escape_inline(line) for line in lines)
            return escape_inline(re.sub(r"\s+", " ", node.text))
        if node.shortcode or node.block:
            return self.inline(node.children)
        tag = node.tag
        if tag == _BREAK:
            return "\n\n"
        if tag in _HIDDEN:
            return ""
        if tag == "br":
            return "\\\n"
        inner = self.inline(node.children)
        if not inner.strip():
            return inner
        lead, core, trail = _split_space(inner)
        if tag in {"strong", "b"}:
            return f"{lead}**{core}**{trail}"
        if tag in {"em", "i", "cite"}:
            return f"{lead}*{core}*{trail}"
        if tag in {"del", "s", "strike"}:
            return f"{lead}~~{core}~~{trail}"
        if tag == "code":
            return f"{lead}`{node.all_text().strip().replace('`', '')}`{trail}"
        if tag == "a":
            href = node.attrs.get("href", "").strip()
            # The addresses a body's links may have (`LINK_SCHEMES`), and this site's paths;
            # not fragments or relative links, which pointed into the old site's pages.
            kept = href.lower().startswith((*LINK_SCHEMES, "/"))
            if kept and not re.search(r"[\s<>()]", href):
                return f"{lead}[{core}]({href}){trail}"
        return inner

    # Blocks: each a list of Markdown blocks.

    def blocks(self, nodes: list[Node]) -> Iterator[str]:
        """Blocks of a run of nodes: inline runs between block elements become paragraphs (the
        classic editor's blank lines too, as WordPress's `wpautop` reads them)."""
        run: list[Node] = []
        for node in nodes:
            if node.is_text or (node.tag and node.tag not in _BLOCK_TAGS and node.tag != "img"):
                run.append(node)
                continue
            yield from self._paragraphs(run)
            run = []
            yield from self.block(node)
        yield from self._paragraphs(run)

    def _paragraphs(self, run: list[Node]) -> Iterator[str]:
        if not run:
            return
        text = self.inline(_with_paragraph_breaks(run))
        for paragraph in re.split(r"\n[ \t]*\n", text):
            lines = [line.strip() for line in paragraph.strip().split("\n")]
            # Line breaks at a paragraph's edges, or alone on a line, break nothing.
            lines = [line for line in lines if line not in {"", "\\"}]
            if lines:
                lines[-1] = (
                    lines[-1].removesuffix("\\") if not lines[-1].endswith("\\\\") else lines[-1]
                )
            cleaned = "\n".join(lines)
            if cleaned:
                yield "\n".join(guard_line_start(line) for line in cleaned.split("\n"))

    def block(self, node: Node) -> Iterator[str]:
        if node.block:
            yield from self._wordpress_block(node)
        elif node.shortcode:
            yield from self._shortcode(node)
        elif node.tag in _HIDDEN:
            return
        elif node.tag in _HEADINGS:
            text = self.one_line(node.children)
            if text:
                yield f"{'#' * _HEADINGS[node.tag]} {text}"
        elif node.tag == "p":
            yield from self.blocks(node.children)
        elif node.tag in {"ul", "ol"}:
            listed = self._list(node, 0)
            if listed:
                yield listed
        elif node.tag == "blockquote":
            inner = list(self._boxed(node.children, "quote"))
            if inner:
                yield _quoted("\n\n".join(inner))
        elif node.tag == "pre":
            yield self._code(node.all_text())
        elif node.tag == "hr":
            yield "---"
        elif node.tag == "dl":
            for item in node.children:
                if item.tag == "dt":
                    term = self.one_line(item.children)
                    if term:
                        yield f"**{term}**"
                elif item.tag == "dd":
                    yield from self.blocks(item.children)
        elif node.tag == "table":
            table = self._table(node)
            if table:
                yield table
        elif node.tag == "img":
            yield from self._image(node, caption="")
        elif node.tag == "figure":
            yield from self._figure(node)
        else:
            yield from self.blocks(node.children)

    def _wordpress_block(self, node: Node) -> Iterator[str]:
        name = node.block
        if name in _DROPPED:
            return
        if name in _WRAPPERS or name in _HTML_BLOCKS:
            yield from self.blocks(node.children)
        elif name == "core/pullquote":
            yield from self._pullquote(node)
        elif name == "core/image":
            image = self.media.attachment(node.attrs.get("id", ""))
            yield from self._figure(node, known=image)
        elif name == "core/gallery":
            yield from self._gallery(node)
        elif name == "core/embed" or name.startswith("core-embed/"):
            url = str(node.attrs.get("url") or _first_link(node))
            yield from self._embed(url, name)
            caption_node = node.find("figcaption")
            if caption_node is not None:
                yield from self.blocks(caption_node.children)
        elif name in {"core/code", "core/preformatted"}:
            yield self._code(node.all_text())
        elif name == "core/verse":
            yield from self._verse(node)
        elif name == "core/separator":
            yield "---"
        elif name in _FILES:
            yield from self._file(node, name)
        elif name == "core/shortcode" and any(child.shortcode for child in node.children):
            yield from self.blocks(node.children)
        else:
            self.unknown.append(name)
            yield from _as_text(node)

    def _verse(self, node: Node) -> Iterator[str]:
        """A poem's lines stay lines: its line ends are line breaks, as the classic editor's."""
        classic, self.classic = self.classic, True
        try:
            yield from self.blocks((node.find("pre") or node).children)
        finally:
            self.classic = classic

    def _file(self, node: Node, name: str) -> Iterator[str]:
        """A link to the file where the old site served it, its caption or name as the words."""
        source = str(node.attrs.get("src") or node.attrs.get("href") or "") or _file_address(node)
        if not source:
            return
        self.linked.append(name)
        # A file block's first link is the file's name; audio and video have a caption.
        label_node = node.find("a") if name == "core/file" else node.find("figcaption")
        label = _one_line(label_node.all_text()) if label_node else ""
        yield guard_line_start(
            _link(label or unquote(urlsplit(source).path).split("/")[-1], source)
        )

    def _shortcode(self, node: Node) -> Iterator[str]:
        name = node.shortcode
        if name in {"caption", "wp_caption"}:
            image_node = node.find("img")
            caption = _one_line(
                "".join(child.all_text() for child in node.children if child.tag != "a")
            )
            caption = caption or node.attrs.get("caption", "")
            if image_node is not None:
                yield from self._image(image_node, caption=caption)
            else:
                yield from self.blocks(node.children)  # a caption of nothing: its words
            return
        if name == "gallery":
            ids = [part.strip() for part in node.attrs.get("ids", "").split(",") if part.strip()]
            if not ids:
                yield from self._gallery_of(list(self.media.attached))
                return
            yield from self._gallery_of([self._attachment_image(part) for part in ids])
            return
        if name == "embed":
            yield from self._embed(node.all_text().strip() or node.attrs.get("", ""), "[embed]")
            return
        # [video], [audio], [playlist]: files the site served itself, shown as their link.
        source = node.attrs.get("src") or node.attrs.get("mp4") or node.attrs.get("mp3") or ""
        if source:
            self.linked.append(f"[{name}]")
            yield guard_line_start(_link(source, source))
        else:
            self.unknown.append(f"[{name}]")

    def _attachment_image(self, attachment: str) -> LibraryImage | None:
        image = self.media.attachment(attachment)
        if image is None:
            self.missing.append(f"attachment {attachment}")
        return image

    def _figure(self, node: Node, known: LibraryImage | None = None) -> Iterator[str]:
        image_node = node.find("img")
        if image_node is None:
            # A figure of a table, a quote or text: its content, its caption a paragraph.
            yield from self.blocks(node.children)
            return
        caption_node = node.find("figcaption")
        caption = _one_line(caption_node.all_text()) if caption_node else ""
        yield from self._image(image_node, caption=caption, known=known)

    def _image(
        self, node: Node, *, caption: str, known: LibraryImage | None = None
    ) -> Iterator[str]:
        source = node.attrs.get("src", "")
        image = known or self.media.address(source)
        alt = _plain(node.attrs.get("alt", ""))
        caption = _plain(caption)
        if image is None:
            self.missing.append(source or "(an image without an address)")
        elif self.boxed:
            self.repairs.append(f"an image inside a {self.boxed}: its caption or alt text")
        if image is None or self.boxed:
            text = caption or alt
            if text:
                yield guard_line_start(escape_inline(text))
            return
        yield directive(
            "image", {"id": image.id, "caption": caption or image.caption, "alt": alt or image.alt}
        )

    def _gallery(self, node: Node) -> Iterator[str]:
        """`core/gallery`: images as inner `core/image` blocks (WordPress 5.9 on), else as
        `<img>` elements its `ids` attribute lists; each with the caption written there."""
        images: list[LibraryImage | None] = []
        outer = next((child for child in node.children if child.tag == "figure"), node)
        inner = [child for child in outer.children if child.block == "core/image"]
        if inner:
            for child in inner:
                known = self.media.attachment(child.attrs.get("id", ""))
                images.append(self._shown(child, known, f"attachment {child.attrs.get('id')}"))
        else:
            ids = [str(part) for part in node.attrs.get("ids") or [] if part is not None]
            elements = list(_held_images(outer, None))
            for number, (holder, element) in enumerate(elements):
                attachment = element.attrs.get("data-id", "") or _image_class(element)
                if not attachment and number < len(ids):
                    attachment = ids[number]
                known = self.media.attachment(attachment) or self.media.address(
                    element.attrs.get("src", "")
                )
                wanted = f"attachment {attachment}" if attachment else element.attrs.get("src", "")
                images.append(self._shown(holder, known, wanted))
            images += [self._attachment_image(part) for part in ids[len(elements) :]]
        caption_node = next((child for child in outer.children if child.tag == "figcaption"), None)
        caption = _plain(caption_node.all_text()) if caption_node else ""
        yield from self._gallery_of(images, caption)

    def _shown(self, node: Node, image: LibraryImage | None, wanted: str) -> LibraryImage | None:
        """A gallery's image with the caption and alt text written in the gallery."""
        if image is None:
            self.missing.append(wanted or "(an image without an address)")
            return None
        caption_node = node.find("figcaption")
        caption = _plain(caption_node.all_text()) if caption_node else ""
        image_node = node if node.tag == "img" else node.find("img")
        alt = _plain(image_node.attrs.get("alt", "")) if image_node else ""
        return LibraryImage(image.id, caption or image.caption, alt or image.alt)

    def _gallery_of(self, images: list[LibraryImage | None], caption: str = "") -> Iterator[str]:
        found = [image for image in images if image is not None]
        if not found:
            return
        if self.boxed:
            self.repairs.append(f"a gallery inside a {self.boxed}: left out")
            return
        parts = [found[start : start + MAX_GALLERY] for start in range(0, len(found), MAX_GALLERY)]
        if len(parts) > 1:
            self.repairs.append(
                f"a gallery of {len(found)} images split in {len(parts)} "
                f"(a gallery holds at most {MAX_GALLERY})"
            )
        for part in parts:
            lines = [
                directive("image", {"id": image.id, "caption": image.caption, "alt": image.alt})
                for image in part
            ]
            yield "\n".join([directive("gallery", {"caption": caption}, 3), *lines, ":::"])

    def _pullquote(self, node: Node) -> Iterator[str]:
        cite_node = node.find("cite")
        cite = _plain(cite_node.all_text()) if cite_node else ""
        quote = node.find("blockquote") or node
        if self.boxed:
            self.repairs.append(f"a pull quote inside a {self.boxed}: its text")
            yield from self.blocks(quote.children)
            return
        inner = "\n\n".join(self._boxed(_strip(quote, "cite"), "pull quote"))
        if inner:
            yield "\n".join([directive("pullquote", {"cite": cite}, 3), inner, ":::"])

    def _boxed(self, nodes: list[Node], box: str) -> Iterator[str]:
        """The blocks of a quote's content, without directives."""
        boxed, self.boxed = self.boxed, self.boxed or box
        try:
            yield from self.blocks(nodes)
        finally:
            self.boxed = boxed

    def _code(self, code: str) -> str:
        if self.boxed == "pull quote":
            self.repairs.append("code inside a pull quote: its text")
            return literal_markdown(code.strip("\n"))
        return _fenced(code)

    def _embed(self, url: str, source: str) -> Iterator[str]:
        url = url.strip()
        if _safe_link(url) and provider_embed(url) is not None:
            yield url  # a known provider's link alone on its line is its embed
        elif url:
            # Another site's page: a link to it, as a reader of the old page could follow.
            self.unknown.append(source)
            yield guard_line_start(_link(url, url))

    def _list(self, node: Node, depth: int) -> str:
        lines = []
        items = [
            item for item in _unblocked(node.children) if not item.is_text or item.text.strip()
        ]
        ordered = node.tag == "ol"
        # Markdown lists count upwards: a list counting down keeps its numbers in its items.
        downwards = ordered and "reversed" in node.attrs
        if downwards:
            self.repairs.append("a list numbered downwards: its numbers written in its items")
        start = node.attrs.get("start", "").strip()
        number = int(start) if start.isdigit() else len(items) if downwards else 1
        for item in items:
            children = _unblocked(item.children) if item.tag == "li" else [item]
            nested = [child for child in children if child.tag in {"ul", "ol"}]
            # The item's text must not open a block of its own (a heading, a directive...).
            text = guard_line_start(
                self.one_line([c for c in children if c.tag not in {"ul", "ol"}])
            )
            if downwards:
                text = f"{number}\\. {text}"
            marker = f"{number}." if ordered and not downwards else "-"
            number += -1 if downwards else 1
            indent = "    " * depth
            lines.append(f"{indent}{marker} {text}".rstrip())
            lines += [self._list(child, depth + 1) for child in nested]
        return "\n".join(line for line in lines if line)

    def _table(self, node: Node) -> str:
        rows = [[self.one_line(cell.children) for cell in _cells(row)] for row in _rows(node)]
        rows = [row for row in rows if row]
        if not rows:
            return ""
        width = max(len(row) for row in rows)
        rows = [row + [""] * (width - len(row)) for row in rows]
        header, *body = rows
        lines = [_row(header), _row(["---"] * width), *(_row(row) for row in body)]
        return "\n".join(lines)


def _unblocked(nodes: list[Node]) -> list[Node]:
    """A list's items and nested lists, out of the `core/list-item` and `core/list` blocks the
    block editor wraps them in (WordPress 6.1 on)."""
    found: list[Node] = []
    for node in nodes:
        if node.block in {"core/list-item", "core/list"}:
            found += _unblocked(node.children)
        else:
            found.append(node)
    return found


def _image_class(node: Node) -> str:
    matched = _IMAGE_CLASS.search(node.attrs.get("class", ""))
    return matched[1] if matched else ""


def _held_images(node: Node, holder: Node | None) -> Iterator[tuple[Node, Node]]:
    """Each `<img>` under `node` with the figure around it (which holds its caption)."""
    for child in node.children:
        if child.tag == "img":
            yield holder or child, child
        else:
            yield from _held_images(child, child if child.tag == "figure" else holder)


def _file_address(node: Node) -> str:
    """The address of the file an audio, video or file block shows."""
    for child in node.children:
        if child.tag in {"audio", "video", "source", "a"}:
            found = child.attrs.get("src") or child.attrs.get("href") or ""
            if found.strip():
                return found.strip()
        found = _file_address(child)
        if found:
            return found
    return ""


def _link(label: str, url: str) -> str:
    """A Markdown link, or the label alone for an address a link may not take."""
    text = escape_inline(_one_line(label))
    return f"[{text}]({url})" if _safe_link(url) else text


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _rows(node: Node) -> Iterator[Node]:
    for child in node.children:
        if child.tag == "tr":
            yield child
        elif child.tag in {"thead", "tbody", "tfoot"}:
            yield from _rows(child)


def _cells(row: Node) -> list[Node]:
    return [cell for cell in row.children if cell.tag in {"td", "th"}]


def _strip(node: Node, tag: str) -> list[Node]:
    return [
        Node(
            tag=child.tag,
            attrs=child.attrs,
            children=_strip(child, tag),
            text=child.text,
            block=child.block,
            shortcode=child.shortcode,
        )
        for child in node.children
        if child.tag != tag
    ]


def _first_link(node: Node) -> str:
    for child in node.children:
        if child.is_text and re.match(r"\s*https?://\S+\s*$", child.text):
            return child.text.strip()
        found = _first_link(child)
        if found:
            return found
    return ""


def _safe_link(url: str) -> bool:
    return re.match(r"^https?://[^\s<>()\"']+$", url) is not None


def _as_text(node: Node) -> Iterator[str]:
    text = _visible_text(node).strip()
    if text:
        yield literal_markdown(text)


def _visible_text(node: Node) -> str:
    """The text a reader of the old page saw (not a script's or a style's)."""
    if node.is_text:
        return node.text
    if node.tag in _HIDDEN:
        return ""
    return "".join(_visible_text(child) for child in node.children)


def _fenced(code: str) -> str:
    code = code.strip("\n")
    fence = "```"
    while fence in code:
        fence += "`"
    return f"{fence}\n{code}\n{fence}"


def _quoted(markdown: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in markdown.split("\n"))


def _split_space(text: str) -> tuple[str, str, str]:
    core = text.strip()
    start = text.index(core[0]) if core else 0
    return text[:start], core, text[start + len(core) :]


def _with_paragraph_breaks(run: list[Node]) -> list[Node]:
    """Text whose blank lines stay paragraph breaks when inline content is joined."""
    marked = []
    for node in run:
        if node.is_text and "\n\n" in node.text:
            for index, part in enumerate(re.split(r"\n[ \t]*\n", node.text)):
                if index:
                    marked.append(Node(tag=_BREAK))
                marked.append(Node(text=part))
        else:
            marked.append(node)
    return marked


def _has_blocks(node: Node) -> bool:
    return any(child.block or _has_blocks(child) for child in node.children)


def convert(markup: str, media: Media | None = None) -> Conversion:
    """The post's markup as Markdown with directives, and what could not be converted."""
    tree, repairs = parse(markup)
    converter = _Converter(media or Media(), classic=not _has_blocks(tree))
    converter.repairs = repairs
    markdown = "\n\n".join(block for block in converter.blocks(tree.children) if block.strip())
    return Conversion(
        markdown=markdown,
        unknown=converter.unknown,
        missing=converter.missing,
        linked=converter.linked,
        repairs=converter.repairs,
    )
