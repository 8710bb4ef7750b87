"""WordPress's HTML as Newsroom's text: titles and excerpts as plain text, bodies as Markdown
that shows the words literally (converting their markup is the importer's second part)."""

import re
from html import unescape
from html.parser import HTMLParser

# Elements that end a paragraph (or a line) in the text.
_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6"),
        *("header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table"),
        *("tbody", "td", "tfoot", "th", "thead", "tr", "ul"),
    }
)
# Elements whose content is not text a reader sees.
_HIDDEN = frozenset({"script", "style", "template", "noscript", "iframe", "object", "svg"})
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# `<` then what a browser reads as the start of markup: plain text fields never hold that.
_MARKUP_START = re.compile(r"<(?=\s*[A-Za-z!/?])")
_SPACES = re.compile(r"[ \t\u00a0]+")
_PARAGRAPHS = re.compile(r"\n{3,}")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_text(html: str, *, paragraphs: bool = True) -> str:
    """The words of `html` as a reader sees them: tags and comments (block-editor markup
    included) dropped, entities decoded, paragraphs as blank lines (the classic editor's blank
    lines too), or one line when not `paragraphs`. Never holds markup or control characters."""
    parser = _Text()
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    text = _MARKUP_START.sub("< ", _CONTROL.sub("", unescape("".join(parser.parts))))
    if not paragraphs:
        return _SPACES.sub(" ", " ".join(text.split())).strip()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _PARAGRAPHS.sub("\n\n", "\n".join(lines)).strip()


# Punctuation that can open inline Markdown anywhere in a line (and the escape itself).
_INLINE = re.compile(r"([\\`*_\[\]<>&~|!{}])")
# What can open a block at the start of a line: headings, quotes, lists, thematic breaks,
# setext underlines, fences and directives.
# (`*`, `_`, `~` and backticks, which can open blocks too, are escaped wherever they are.)
_LINE_START = re.compile(r"^([#>+\-=:]|\d{1,9}(?=[.)]))")


def escape_inline(text: str) -> str:
    """Text in which no character opens inline Markdown."""
    return _INLINE.sub(r"\\\1", text)


def guard_line_start(line: str) -> str:
    """A line of Markdown that opens no block (heading, quote, list, rule, fence, directive)
    with its first characters."""
    match = _LINE_START.match(line)
    if match is None:
        return line
    start = match.group(1)
    if start[0].isdigit():
        return f"{start}\\{line[len(start) :]}"
    return "\\" + line


def literal_markdown(text: str) -> str:
    """Markdown that renders as exactly `text` (paragraphs kept): every character that could
    open markup is escaped."""
    lines = [guard_line_start(escape_inline(line.strip())) for line in text.split("\n")]
    # A line break inside a paragraph stays one (a Markdown hard break), not a space.
    return "\n".join(
        f"{line}\\" if line and index + 1 < len(lines) and lines[index + 1] else line
        for index, line in enumerate(lines)
    )
