"""Article bodies: Markdown in the store, rendered to HTML or plain text on the way out.

Rendering is pure Python (markdown-it-py) and linear in the body, but some bodies cost far more
per character than prose: 66,000 `![[` (198,000 characters) take about 3 s, 99,000 one-letter lines
2 s, 28,000 ordinary links 0.4 s. No rule short of refusing ordinary text bounds that below a
request's budget, so the event loop renders only the shortest bodies: `rendered` answers from a
cache of recent renderings, and otherwise hands the work to `cms.offload`'s worker process, so
that other requests go on while a long body renders; each body is rendered once per API process
while it stays in the cache.
`tests/test_markdown_stall.py` measures the loop's lag while hostile bodies are written and read.
"""

from collections import OrderedDict
from enum import StrEnum

from markdown_it import MarkdownIt
from markdown_it.token import Token

from cms.offload import off_loop

# Raw HTML in a body is escaped, not passed through: a body must not be able to inject script
# into every page that renders it.
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
# Renderings kept, in characters (about four bytes each): a few hundred article pages.
CACHE_CHARACTERS = 16_000_000
# Bodies this short render on the loop: a few milliseconds even for the worst markup, less than
# handing them over.
INLINE_CHARACTERS = 500


class BodyFormat(StrEnum):
    HTML = "html"
    MARKDOWN = "markdown"
    TEXT = "text"


def _inline_text(token: Token) -> str:
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


def render_body(markdown: str, body_format: BodyFormat) -> str:
    """The body in `body_format`; TEXT keeps one paragraph, heading or list item per block.

    Costs up to seconds for a hostile body: from the event loop, use `rendered`.
    """
    if body_format is BodyFormat.MARKDOWN:
        return markdown
    if body_format is BodyFormat.HTML:
        return str(_markdown.render(markdown))
    blocks = [
        _inline_text(token) if token.type == "inline" else token.content
        for token in _markdown.parse(markdown)
        if token.type in {"inline", "fence", "code_block"}
    ]
    return "\n\n".join(block.strip() for block in blocks if block.strip())


class _Renderings:
    """Recent renderings, least recently used out past CACHE_CHARACTERS."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, BodyFormat], str] = OrderedDict()
        self._size = 0

    def get(self, key: tuple[str, BodyFormat]) -> str | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple[str, BodyFormat], value: str) -> None:
        if key in self._items:
            return
        self._items[key] = value
        self._size += len(key[0]) + len(value)
        while self._size > CACHE_CHARACTERS and len(self._items) > 1:
            (markdown, _), dropped = self._items.popitem(last=False)
            self._size -= len(markdown) + len(dropped)


_renderings = _Renderings()


async def rendered(markdown: str, body_format: BodyFormat) -> str:
    """`render_body`, without holding the event loop while it renders."""
    if body_format is BodyFormat.MARKDOWN:
        return markdown
    key = (markdown, body_format)
    found = _renderings.get(key)
    if found is None:
        if len(markdown) <= INLINE_CHARACTERS:
            found = render_body(markdown, body_format)
        else:
            found = await off_loop(render_body, markdown, body_format)
        _renderings.put(key, found)
    return found
