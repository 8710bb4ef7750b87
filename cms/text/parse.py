"""A body's Markdown, read into blocks (`cms.text.blocks`) with every problem and its line.

CommonMark (tables and strikethrough too, raw HTML escaped) plus the generic-directive syntax
(`::leaf{key="value"}` on a line of its own; `:::container{...}` up to a line of `:::`), read by
one markdown-it rule, and a known provider's link alone in a paragraph, read as an embed. One
parse of the body, then a walk of its top-level tokens: as cheap as rendering it was
(`bench/blocks.py`).
"""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from cms.text.blocks import (
    Block,
    BodyProblem,
    Code,
    EmbedBlock,
    FactBox,
    Gallery,
    Heading,
    ImageBlock,
    Inline,
    ListBlock,
    Paragraph,
    PullQuote,
    Quote,
    RelatedCard,
    Rule,
    Table,
)
from cms.text.embeds import Embed, frame_embed, provider_embed
from cms.text.plaintext import plain_text
from cms.text.urls import UnsafeAddress

DIRECTIVE = "directive"
_OPENING = re.compile(r"(?P<colons>:{2,})(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:\{(?P<attrs>.*)\})?\s*")
_CLOSING = re.compile(r"(?P<colons>:{3,})\s*")
_ATTRIBUTE = re.compile(
    r'\s*(?P<key>[A-Za-z][A-Za-z0-9-]*)=(?:"(?P<q>[^"]*)"|(?P<bare>[^\s"\'=<>`{}]+))'
)
_IMAGE_ID = re.compile(r"[0-9a-f]{64}")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_RATIO = re.compile(r"(?P<w>[1-9][0-9]{0,3}):(?P<h>[1-9][0-9]{0,3})")
MAX_GALLERY = 50


def _directive_rule(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """`::name{...}` (a leaf: this line) or `:::name{...}` (a container, to its `:::`)."""
    if state.is_code_block(start):
        return False
    begin = state.bMarks[start] + state.tShift[start]
    line = state.src[begin : state.eMarks[start]]
    if not line.startswith("::"):
        return False
    opened = _OPENING.fullmatch(line)
    if silent:
        return opened is not None
    colons = len(opened["colons"]) if opened else 2
    inner: list[str] = []
    next_line = start + 1
    closed = colons == 2
    if colons > 2:
        while next_line < end:
            text = state.src[state.bMarks[next_line] : state.eMarks[next_line]]
            closing = _CLOSING.fullmatch(text)
            next_line += 1
            if closing and len(closing["colons"]) >= colons:
                closed = True
                break
            inner.append(text)
    token = state.push(DIRECTIVE, "", 0)
    token.map = [start, next_line]
    token.info = opened["name"] if opened else ""
    token.meta = {
        "line": line,
        "attrs": (opened["attrs"] or "") if opened else None,
        "container": colons > 2,
        "inner": "\n".join(inner),
        "closed": closed,
    }
    state.line = next_line
    return True


LINK_SCHEMES = ("http://", "https://", "mailto:")


def _link_allowed(url: str) -> bool:
    """A web or mail address, or a path, fragment or relative link of this site."""
    url = url.strip().lower()
    return url.startswith((*LINK_SCHEMES, "#", "/")) or ":" not in url.split("/", 1)[0]


def _markdown() -> MarkdownIt:
    # Raw HTML in a body is escaped, not passed through: a body must not be able to inject
    # script into every page that renders it.
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    # Links go to the web, mail or this site only: `<a1:>` or `[x](a1:y)` keep their words as
    # text (markdown-it's own check refuses only a few schemes, such as javascript:).
    parser.validateLink = _link_allowed  # type: ignore[method-assign]
    parser.block.ruler.before(
        "fence", DIRECTIVE, _directive_rule, {"alt": ["paragraph", "reference", "blockquote"]}
    )
    return parser


MARKDOWN = _markdown()
_RENDERER = RendererHTML(MARKDOWN)


@dataclass(slots=True)
class Parsed:
    """A body's blocks and what is wrong in it (a block with a problem is left out)."""

    blocks: list[Block] = field(default_factory=list)
    problems: list[BodyProblem] = field(default_factory=list)


def inline_text(token: Token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in {"text", "code_inline"}:
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
        elif child.type == "image":
            parts.append(child.content)
    return "".join(parts)


_TEXT_TYPES = {"inline", "fence", "code_block"}


def _block_text(token: Token) -> str:
    return (inline_text(token) if token.type == "inline" else token.content).strip()


def _top_level(tokens: list[Token]) -> list[list[Token]]:
    """The tokens of each top-level block (an opening tag to its closing one)."""
    groups: list[list[Token]] = []
    depth = 0
    for token in tokens:
        if depth == 0:
            groups.append([])
        groups[-1].append(token)
        depth += token.nesting
    return groups


@dataclass(slots=True)
class _Reader:
    """One body's parse: its lines (for sources), where it starts, and its problems."""

    lines: list[str]
    offset: int
    problems: list[BodyProblem]
    # False where only text is wanted (TEXT, search, reading time, checks): no HTML is made.
    html: bool = True

    def render(self, tokens: list[Token]) -> str:
        return str(MARKDOWN.renderer.render(tokens, MARKDOWN.options, {})) if self.html else ""

    def inline(self, token: Token) -> Inline:
        children = token.children or []
        rendered = _RENDERER.renderInline(children, MARKDOWN.options, {}) if self.html else ""
        return Inline(html=rendered, text=inline_text(token))

    def joined(self, tokens: list[Token]) -> Inline:
        """The HTML of these tokens, and their text one block a paragraph."""
        texts = [_block_text(token) for token in tokens if token.type in _TEXT_TYPES]
        return Inline(html=self.render(tokens), text="\n\n".join(text for text in texts if text))

    def problem(self, line: int, message: str) -> None:
        self.problems.append(BodyProblem(self.offset + line, message))

    def source(self, token: Token) -> tuple[str, int]:
        start, end = token.map or (0, 0)
        return "\n".join(self.lines[start:end]).strip("\n"), start + 1

    def native(self, group: list[Token]) -> Block | None:
        first = group[0]
        source, line = self.source(first)
        line += self.offset
        kind = first.type
        if kind in {"paragraph_open", "heading_open"}:
            # markdown-it's own HTML for these, without rendering their text twice.
            content = self.inline(group[1])
            markup = f"<{first.tag}>{content.html}</{first.tag}>\n" if self.html else ""
            if kind == "heading_open":
                return Heading(source, markup, line, level=int(first.tag[1]), content=content)
            embed = _bare_embed(group[1])
            if embed is not None:
                return EmbedBlock(embed=embed, title=_title(embed), line=line)
            return Paragraph(source, markup, line, content=content)
        markup = self.render(group)
        if kind in {"bullet_list_open", "ordered_list_open"}:
            return ListBlock(
                source,
                markup,
                line,
                ordered=kind == "ordered_list_open",
                start=int(first.attrGet("start") or 1),
                items=tuple(self.joined(item[1:-1]) for item in _top_level(group[1:-1])),
            )
        if kind == "blockquote_open":
            return Quote(source, markup, line, content=self.joined(group[1:-1]))
        if kind in {"fence", "code_block"}:
            language = first.info.strip().split(" ", 1)[0] if kind == "fence" else ""
            return Code(source, markup, line, language=language, code=first.content)
        if kind == "table_open":
            rows = [tuple(self.inline(cell) for cell in row) for row in _rows(group)]
            return Table(source, markup, line, header=rows[0], rows=tuple(rows[1:]))
        if kind == "hr":
            return Rule(source, markup, line)
        raise AssertionError(kind)


def _rows(group: list[Token]) -> list[list[Token]]:
    rows: list[list[Token]] = []
    for token in group:
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows:
            rows[-1].append(token)
    return rows


def _bare_embed(token: Token) -> Embed | None:
    """A known provider's link alone in a paragraph (written bare, or as `<link>`)."""
    text = token.content.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    return provider_embed(text) if text.startswith("http") else None


def _title(embed: Embed) -> str:
    return f"{embed.kind.value.capitalize()} on {embed.provider_name}"


def _attributes(raw: str) -> dict[str, str]:
    """`key="value" key=value`, character references decoded; ValueError for anything else."""
    found: dict[str, str] = {}
    position = 0
    while position < len(raw):
        if raw[position:].strip() == "":
            break
        matched = _ATTRIBUTE.match(raw, position)
        if matched is None:
            raise ValueError(
                f"cannot read the attributes from {raw[position : position + 20].strip()!r} "
                '(write key="value", separated by spaces)'
            )
        key = matched["key"]
        if key in found:
            raise ValueError(f"the attribute `{key}` is given twice")
        value = matched["q"] if matched["q"] is not None else matched["bare"]
        found[key] = html.unescape(value)
        position = matched.end()
    return found


def _text(attributes: dict[str, str], name: str) -> str:
    value = attributes.pop(name, "").strip()
    try:
        return plain_text(value)
    except ValueError as error:
        raise ValueError(f"`{name}` {error}") from None


def _required(attributes: dict[str, str], name: str, directive: str) -> str:
    value = attributes.pop(name, "").strip()
    if not value:
        raise ValueError(f"`::{directive}` needs `{name}`")
    return value


def _image(attributes: dict[str, str], line: int) -> ImageBlock:
    image_id = _required(attributes, "id", "image")
    if not _IMAGE_ID.fullmatch(image_id):
        raise ValueError(f"`id` is a media library image's ID (64 hex digits), not {image_id!r}")
    return ImageBlock(
        image_id=image_id,
        caption=_text(attributes, "caption"),
        alt=_text(attributes, "alt"),
        credit=_text(attributes, "credit"),
        line=line,
    )


def _embed_title(attributes: dict[str, str], name: str) -> str:
    title = _text(attributes, "title")
    if not title:
        raise ValueError(f"`::{name}` needs a `title` (what a screen reader announces)")
    return title


def _iframe(attributes: dict[str, str], line: int) -> EmbedBlock:
    url = _required(attributes, "url", "iframe")
    title = _embed_title(attributes, "iframe")
    ratio_text = attributes.pop("ratio", "")
    ratio = None
    if ratio_text:
        matched = _RATIO.fullmatch(ratio_text)
        if matched is None:
            raise ValueError(f"`ratio` is width:height, like 16:9 (got {ratio_text!r})")
        ratio = int(matched["w"]) / int(matched["h"])
    return EmbedBlock(embed=frame_embed(url, ratio), title=title, directive=True, line=line)


def _provider_directive(attributes: dict[str, str], line: int) -> EmbedBlock:
    url = _required(attributes, "url", "embed")
    title = _embed_title(attributes, "embed")
    embed = provider_embed(url)
    if embed is None:
        raise ValueError(
            "`::embed` takes a link of a known provider (docs/editors/blocks.md); for another "
            "page, `::iframe` if its host is allowed"
        )
    return EmbedBlock(embed=embed, title=title, directive=True, line=line)


def _related(attributes: dict[str, str], line: int) -> RelatedCard:
    slug = _required(attributes, "slug", "related")
    if not _SLUG.fullmatch(slug):
        raise ValueError(f"`slug` is an article's slug (like my-story), not {slug!r}")
    return RelatedCard(slug=slug, line=line)


_LEAVES: dict[str, Callable[[dict[str, str], int], Block]] = {
    "image": _image,
    "iframe": _iframe,
    "embed": _provider_directive,
    "related": _related,
}
_CONTAINERS = ("gallery", "pullquote", "factbox")


def _parse(
    markdown: str, offset: int, problems: list[BodyProblem], *, nested: bool, html: bool
) -> list[Block]:
    lines = markdown.split("\n")
    reader = _Reader(lines, offset, problems, html)
    blocks: list[Block] = []
    for group in _top_level(MARKDOWN.parse(markdown)):
        first = group[0]
        if first.type == DIRECTIVE:
            line = (first.map or (0, 0))[0] + 1
            if nested:
                reader.problem(line, "a directive cannot be inside a pull quote or a fact box")
                continue
            try:
                blocks.append(_directive(first, offset + line, reader))
            except (ValueError, UnsafeAddress) as error:
                reader.problem(line, str(error))
            except _Reported:
                pass
            continue
        nested_directive = next((t for t in group if t.type == DIRECTIVE), None)
        if nested_directive is not None:
            line = (nested_directive.map or (0, 0))[0] + 1
            reader.problem(line, "a directive goes on a line of its own, outside lists and quotes")
            continue
        found = reader.native(group)
        if found is not None:
            blocks.append(found)
    return blocks


def _directive(token: Token, line: int, reader: _Reader) -> Block:
    meta: dict[str, Any] = token.meta
    name = token.info
    if meta["attrs"] is None:
        raise ValueError(
            f'cannot read the directive {meta["line"][:40]!r} (write ::name{{key="value"}})'
        )
    if not meta["closed"]:
        raise ValueError(f"`:::{name}` is not closed (a line of ::: ends it)")
    attributes = _attributes(meta["attrs"])
    known = name in _LEAVES if not meta["container"] else name in _CONTAINERS
    if not known:
        leaves = ", ".join(f"::{leaf}" for leaf in _LEAVES)
        containers = ", ".join(f":::{box}" for box in _CONTAINERS)
        raise ValueError(f"unknown directive `{name}` (known: {leaves}, {containers})")
    if meta["container"]:
        block = _container(name, attributes, meta["inner"], line, reader)
    else:
        block = _LEAVES[name](attributes, line)
    if attributes:
        raise ValueError(f"`{name}` has no attribute {', '.join(map(repr, sorted(attributes)))}")
    return block


class _Reported(Exception):
    """A block left out for problems already noted (inside a pull quote or a fact box)."""


def _container(
    name: str, attributes: dict[str, str], inner: str, line: int, reader: _Reader
) -> Block:
    if name == "gallery":
        return _gallery(attributes, inner, line)
    markdown = inner.strip("\n")
    if not markdown.strip():
        raise ValueError(f"`:::{name}` is empty")
    first = len(inner) - len(inner.lstrip("\n"))
    # Inner blocks are checked for the problems they hold; the box keeps their Markdown.
    found: list[BodyProblem] = []
    inside = _parse(markdown, line + first, found, nested=True, html=reader.html)
    if found:
        reader.problems.extend(found)
        raise _Reported
    html_parts = [getattr(block, "markup", "") for block in inside]
    texts = [plain(block) for block in inside]
    content = Inline(html="".join(html_parts), text="\n\n".join(t for t in texts if t))
    if name == "pullquote":
        return PullQuote(
            markdown=markdown, content=content, cite=_text(attributes, "cite"), line=line
        )
    return FactBox(markdown=markdown, content=content, title=_text(attributes, "title"), line=line)


def _gallery(attributes: dict[str, str], inner: str, line: int) -> Gallery:
    caption = _text(attributes, "caption")
    images: list[ImageBlock] = []
    for number, text in enumerate(inner.split("\n"), start=1):
        if not text.strip():
            continue
        matched = _OPENING.fullmatch(text.strip())
        if matched is None or matched["name"] != "image" or len(matched["colons"]) != 2:
            raise ValueError(f"a gallery holds only ::image lines (line {line + number})")
        found = _attributes(matched["attrs"] or "")
        images.append(_image(found, line + number))
        if found:
            raise ValueError(f"`image` has no attribute {', '.join(map(repr, sorted(found)))}")
    if not 1 <= len(images) <= MAX_GALLERY:
        raise ValueError(f"a gallery holds 1 to {MAX_GALLERY} images")
    return Gallery(images=tuple(images), caption=caption, line=line)


def plain(block: Block) -> str:
    """A native block's text, as TEXT, search and reading time count it."""
    match block:
        case Paragraph(content=content) | Heading(content=content) | Quote(content=content):
            return content.text.strip()
        case ListBlock(items=items):
            return "\n\n".join(item.text.strip() for item in items if item.text.strip())
        case PullQuote(content=content) | FactBox(content=content):
            return content.text
        case Code(code=code):
            return code.strip()
        case Table(header=header, rows=rows):
            cells = [*header, *(cell for row in rows for cell in row)]
            return "\n\n".join(cell.text.strip() for cell in cells if cell.text.strip())
    return ""


def parse(markdown: str, *, html: bool = True) -> Parsed:
    """The body's blocks and problems (each problem's block left out); without their HTML
    (`markup` and each `Inline.html` empty) unless `html`, for a third less work."""
    problems: list[BodyProblem] = []
    blocks = _parse(markdown, 0, problems, nested=False, html=html)
    return Parsed(blocks=blocks, problems=sorted(problems, key=lambda p: p.line))
