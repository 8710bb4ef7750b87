"""WordPress's post markup read into a tree: block-editor comments (`<!-- wp:name {...} -->`),
shortcodes (`[caption]`, `[gallery]`, `[embed]`, `[video]`) and HTML elements.

Lenient, as browsers and WordPress are: an unclosed element or block comment ends where its
parent does, a stray closing one is ignored, and markup nested deeper than MAX_DEPTH is read as
if it were at that depth (the tree's readers recurse: no post may exhaust their stack). `parse`
lists each such repair for the import's report. Nothing here decides what the tree becomes
(`cms.wordpress.convert` does).
"""

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

# WordPress's own grammar for block delimiters (`wp-includes/class-wp-block-parser.php`).
_BLOCK = re.compile(
    r"<!--\s+(?P<closer>/)?wp:(?P<namespace>[a-z][a-z0-9_-]*/)?(?P<name>[a-z][a-z0-9_-]*)"
    r"\s+(?P<attrs>\{(?:(?!-->).)*?\}\s+)?(?P<void>/)?-->",
    re.DOTALL,
)
# Shortcodes the importer understands; `[name attrs]` ... `[/name]` or self-closing.
SHORTCODES = ("caption", "wp_caption", "gallery", "embed", "video", "audio", "playlist")
_SHORTCODE = re.compile(
    r"\[(?P<close>/)?(?P<name>[a-z_]+)(?P<attrs>(?:\s[^\[\]]*)?)(?P<self>/)?\]", re.IGNORECASE
)
_SHORTCODE_ATTR = re.compile(
    r'(?P<key>[\w-]+)\s*=\s*(?:"(?P<dq>[^"]*)"|\'(?P<sq>[^\']*)\'|(?P<bare>[^\s"\']+))'
)
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# Elements whose closing tag HTML lets authors leave out: not worth a repair line.
_OPTIONAL_CLOSE = frozenset(
    {
        *("p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "caption"),
        *("colgroup", "option", "optgroup", "rb", "rt", "rp", "html", "head", "body"),
    }
)
# Open elements, blocks and shortcodes at once. The theme test export nests 10 deep at most; the
# converter takes a few stack frames a level, well within Python's recursion limit at 64.
MAX_DEPTH = 64


@dataclass
class Node:
    """An element (`tag`), a block (`block`: its name, `attrs` from its comment), a shortcode
    (`shortcode`), or text (`text` only)."""

    tag: str = ""
    attrs: dict[str, Any] = field(default_factory=dict)
    children: list["Node"] = field(default_factory=list)
    text: str = ""
    block: str = ""
    shortcode: str = ""

    @property
    def is_text(self) -> bool:
        return not (self.tag or self.block or self.shortcode)

    def all_text(self) -> str:
        if self.is_text:
            return self.text
        return "".join(child.all_text() for child in self.children)

    def find(self, tag: str) -> "Node | None":
        for child in self.children:
            if child.tag == tag:
                return child
            found = child.find(tag)
            if found is not None:
                return found
        return None


def _named(node: Node) -> str:
    if node.block:
        return f"<!-- wp:{node.block.removeprefix('core/')} -->"
    return f"<{node.tag}>"


class _TreeBuilder(HTMLParser):
    def __init__(self, root: Node) -> None:
        super().__init__(convert_charrefs=True)
        self.stack = [root]
        self.repairs: list[str] = []

    def _open(self, node: Node) -> None:
        self.stack[-1].children.append(node)
        if len(self.stack) <= MAX_DEPTH:
            self.stack.append(node)
        elif not any(repair.startswith("nested more than") for repair in self.repairs):
            self.repairs.append(f"nested more than {MAX_DEPTH} deep: the deeper markup flattened")

    def unwind(self, depth: int) -> None:
        """Close the node at `depth` in the stack, and those open inside it, noting those (but
        elements HTML lets authors leave open) as never closed."""
        for node in self.stack[depth + 1 :]:
            if node.block or (node.tag and node.tag not in _OPTIONAL_CLOSE):
                self.repairs.append(f"{_named(node)} never closed")
        del self.stack[depth:]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag=tag, attrs={key: value or "" for key, value in attrs})
        if tag in _VOID:
            self.stack[-1].children.append(node)
        else:
            self._open(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag=tag, attrs={k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                self.unwind(depth)
                return
            if self.stack[depth].block or self.stack[depth].shortcode:
                break  # an element never closes past the block it opened in
        if tag not in _VOID and tag not in _OPTIONAL_CLOSE:
            self.repairs.append(f"</{tag}> closes nothing")

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(Node(text=data))

    def handle_comment(self, data: str) -> None:
        self._marker(f"<!--{data}-->")

    def _marker(self, raw: str) -> None:
        block = _BLOCK.fullmatch(raw)
        if block is None:
            return  # an ordinary comment: nothing a reader sees
        name = (block["namespace"] or "core/") + block["name"]
        if block["closer"]:
            if not self._close(lambda node: node.block == name):
                self.repairs.append(f"<!-- /wp:{block['name']} --> closes nothing")
            return
        try:
            attrs = json.loads(block["attrs"]) if block["attrs"] else {}
        except (ValueError, RecursionError):  # json raises RecursionError for deep nesting
            attrs = None
        if not isinstance(attrs, dict):
            self.repairs.append(f"<!-- wp:{block['name']} -->: its attributes are not JSON")
            attrs = {}
        node = Node(block=name, attrs=attrs)
        if block["void"]:
            self.stack[-1].children.append(node)
        else:
            self._open(node)

    def _close(self, matches: Any) -> bool:
        for depth in range(len(self.stack) - 1, 0, -1):
            if matches(self.stack[depth]):
                self.unwind(depth)
                return True
        return False

    def shortcode(self, name: str, attrs: dict[str, str], *, closing: bool, alone: bool) -> None:
        if closing:
            self._close(lambda node: node.shortcode == name)
            return
        node = Node(shortcode=name, attrs=attrs)
        if alone:
            self.stack[-1].children.append(node)
        else:
            self._open(node)


def _shortcode_attrs(text: str) -> dict[str, str]:
    found = {}
    for match in _SHORTCODE_ATTR.finditer(text):
        found[match["key"].lower()] = match["dq"] or match["sq"] or match["bare"] or ""
    bare = _SHORTCODE_ATTR.sub("", text).strip()
    if bare:
        found.setdefault("", bare)
    return found


def _closes_later(text: str, name: str, start: int) -> bool:
    return re.search(rf"\[/{re.escape(name)}\]", text[start:], re.IGNORECASE) is not None


def parse(markup: str) -> tuple[Node, list[str]]:
    """The tree of a post's markup, and what had to be repaired to read it."""
    root = Node(tag="body")
    builder = _TreeBuilder(root)
    position = 0
    text = markup.replace("\r\n", "\n").replace("\r", "\n")
    for match in _SHORTCODE.finditer(text):
        name = match["name"].lower()
        if name not in SHORTCODES:
            continue
        builder.feed(text[position : match.start()])
        builder.goahead(True)
        closing = bool(match["close"])
        alone = bool(match["self"]) or not _closes_later(text, name, match.end())
        builder.shortcode(name, _shortcode_attrs(match["attrs"]), closing=closing, alone=alone)
        position = match.end()
    builder.feed(text[position:])
    builder.close()
    builder.unwind(0)
    return root, builder.repairs
