"""Article bodies: Markdown in the store, rendered to HTML or plain text on the way out."""

from enum import StrEnum
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

# Raw HTML in a body is escaped, not passed through: a body must not be able to inject script
# into every page that renders it.
_markdown = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


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


@lru_cache(maxsize=512)
def render_body(markdown: str, body_format: BodyFormat) -> str:
    """The body in `body_format`; TEXT keeps one paragraph, heading or list item per block."""
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
