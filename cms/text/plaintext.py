"""One rule for text that is shown as text, wherever it is written.

Headlines, bylines, captions, credits, alt text, excerpts, tag names and descriptions, and
readers' notes end up in pages, `<title>` and `<meta>` elements, JSON-LD, feeds, webhook payloads
and the editors' desk. A frontend that forgets to escape one of them must not run a script or
break its page because of it, so none of them may hold what a browser reads as markup (`<` then a
letter, `!`, `/` or `?`: a tag, a comment, a declaration), nor control characters, which no one
types and which can hide text from a reviewer. One-line fields (a headline, a name) hold no line
breaks either; paragraph fields (an excerpt, a description, a note) may, with tabs, their line
ends read as `\n`. Every model and write path uses these types or `plain_text`, so the rule is
tightened here, once.
"""

import re
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, StringConstraints

# What a browser's tokenizer opens a tag, comment or declaration on.
_MARKUP = re.compile(r"<\s*[A-Za-z!/?]")
# C0 controls but tab and line feed, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\t\n]")


def plain_text(value: str, *, paragraphs: bool = False) -> str:
    """`value` if it is plain text (one line unless `paragraphs`); ValueError saying why not."""
    found = _MARKUP.search(value)
    if found:
        fragment = value[found.start() : found.start() + 12]
        raise ValueError(f"must be plain text, without HTML (found {fragment!r})")
    control = _CONTROL.search(value)
    if control:
        raise ValueError(
            f"must be plain text, without control characters (found U+{ord(control[0]):04X})"
        )
    if not paragraphs and _LINE_BREAK.search(value):
        raise ValueError("must be one line of plain text, without line breaks or tabs")
    return value


def unify_line_ends(value: str) -> str:
    """Windows' and old Macs' line ends as `\n`."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _unified(value: object) -> object:
    return unify_line_ends(value) if isinstance(value, str) else value


def _paragraphs(value: str) -> str:
    return plain_text(value, paragraphs=True)


PlainLine = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500), AfterValidator(plain_text)
]
RequiredPlainLine = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(plain_text),
]
PlainParagraphs = Annotated[
    str,
    BeforeValidator(_unified),
    StringConstraints(strip_whitespace=True, max_length=2000),
    AfterValidator(_paragraphs),
]
