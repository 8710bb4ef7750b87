"""The passage a results page shows under a headline: where the search's words are, marked.

Of the excerpt and the body (as plain text), the window of `WINDOW` words holding the most of the
search's terms (then the most matches) is chosen; with none, the excerpt's (or body's) opening.
The text is HTML-escaped and each matching word wrapped in `<mark>`; an ellipsis shows a cut.
"""

import html
from collections.abc import Sequence

from cms.search.query import parse
from cms.search.text import Token, tokens

WINDOW = 30
# Words shown before the first match, so it does not open the snippet cold.
LEAD = 4
ELLIPSIS = "\u2026"


def _best_window(words: Sequence[Token], wanted: set[str]) -> tuple[int, int, int]:
    """(distinct terms, matches, start) of the best window in `words`."""
    best = (0, 0, 0)
    for index, token in enumerate(words):
        if token.term not in wanted:
            continue
        start = max(0, index - LEAD)
        window = [word.term for word in words[start : start + WINDOW] if word.term in wanted]
        found = (len(set(window)), len(window), start)
        if found[:2] > best[:2]:
            best = found
    return best


def _render(text: str, words: Sequence[Token], start: int, wanted: set[str]) -> str:
    shown = words[start : start + WINDOW]
    parts = [ELLIPSIS] if start else []
    cursor = shown[0].start
    for word in shown:
        parts.append(html.escape(text[cursor : word.start]))
        chunk = html.escape(text[word.start : word.end])
        parts.append(f"<mark>{chunk}</mark>" if word.term in wanted else chunk)
        cursor = word.end
    end = len(text) if start + WINDOW >= len(words) else cursor
    parts.append(html.escape(text[cursor:end]))
    if start + WINDOW < len(words):
        parts.append(ELLIPSIS)
    return "".join(parts).strip()


def snippet(search: str, *, excerpt: str, body: str) -> str | None:
    """HTML: the best passage for `search`, matches in `<mark>`; None for a search of no terms."""
    wanted = set(parse(search).terms)
    if not wanted:
        return None
    candidates = []
    for rank, text in enumerate((excerpt, body)):
        words = list(tokens(text))
        if words:
            distinct, count, start = _best_window(words, wanted)
            candidates.append(((distinct, count, -rank), text, words, start))
    if not candidates:
        return ""
    _, text, words, start = max(candidates, key=lambda candidate: candidate[0])
    return _render(text, words, start, wanted)
