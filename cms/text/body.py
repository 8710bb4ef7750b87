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
from dataclasses import dataclass
from enum import StrEnum

from cms.offload import off_loop
from cms.text.blocks import BodyProblem, image_ids
from cms.text.html import render_html
from cms.text.parse import Parsed, parse, plain

# Renderings kept, in characters (about four bytes each): a few hundred article pages.
CACHE_CHARACTERS = 16_000_000
# Bodies this short render on the loop: a few milliseconds even for the worst markup, less than
# handing them over.
INLINE_CHARACTERS = 500
# Bodies whose blocks are kept parsed (`Article.blocks`), least recently used out.
CACHE_BLOCKS = 512


class BodyFormat(StrEnum):
    HTML = "html"
    MARKDOWN = "markdown"
    TEXT = "text"


def render_body(markdown: str, body_format: BodyFormat) -> str:
    """The body in `body_format`; TEXT keeps one paragraph, heading or list item per block and
    leaves embeds, images and related cards out (`cms.text.parse.plain`).

    Costs up to seconds for a hostile body: from the event loop, use `rendered`.
    """
    if body_format is BodyFormat.MARKDOWN:
        return markdown
    if body_format is BodyFormat.HTML:
        return render_html(parse(markdown).blocks)
    texts = (plain(block) for block in parse(markdown, html=False).blocks)
    return "\n\n".join(text for text in texts if text)


@dataclass(frozen=True, slots=True)
class BodyCheck:
    """What a write checks of a body: its problems, and the library images it shows."""

    problems: list[BodyProblem]
    # Each image's id and the line it is first shown on.
    image_ids: dict[str, int]


def check_body(markdown: str) -> BodyCheck:
    """The body's problems and images (one parse; as long as rendering it: use `checked`)."""
    parsed = parse(markdown, html=False)
    return BodyCheck(problems=parsed.problems, image_ids=image_ids(parsed.blocks))


async def checked(markdown: str) -> BodyCheck:
    """`check_body`, without holding the event loop for a long body."""
    if len(markdown) <= INLINE_CHARACTERS:
        return check_body(markdown)
    return await off_loop(check_body, markdown)


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


_parsed: OrderedDict[str, Parsed] = OrderedDict()


async def body_blocks(markdown: str) -> Parsed:
    """The body's blocks (those without problems) and problems, parsed off the loop if it is
    long, and kept for the next reader of the same body."""
    found = _parsed.get(markdown)
    if found is not None:
        _parsed.move_to_end(markdown)
        return found
    if len(markdown) <= INLINE_CHARACTERS:
        found = parse(markdown)
    else:
        found = await off_loop(parse, markdown)
    _parsed[markdown] = found
    while len(_parsed) > CACHE_BLOCKS:
        _parsed.popitem(last=False)
    return found
