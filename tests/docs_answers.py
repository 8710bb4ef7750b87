"""Whether an answer is the one a docs page shows, with the page's placeholders.

- `{{name}}` stands for a value that differs per run (an id, a token, a date). The first time a
  name is shown it matches anything (in text: within one word) and is remembered; shown again,
  it must be the same value, and in a later command, operation, variables or headers it is
  replaced by that value.
- `...` is a part left out. A JSON value `"..."` is any value, and as a list's last item any
  further items; `...` inside a string (or a word) is any text; a word `...` is any run of
  words, none included.
- Text is compared word by word: spacing, line breaks and table borders do not count, so a
  table reads the same whatever the width of the terminal. JSON is compared as data.
"""

import json
import re
from typing import Any

PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")
ELLIPSIS = "..."
# A placeholder, or a part left out.
GAP = re.compile(r"\{\{(\w+)\}\}|\.\.\.")
# Box-drawing characters: rich's table borders.
BORDERS = re.compile("[\u2500-\u257f]")


class Mismatch(AssertionError):
    """The answer differs from the one the page shows."""


def fill(text: str, captures: dict[str, str]) -> str:
    """`text` with each placeholder replaced by the value it was shown to have."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in captures:
            raise Mismatch(f"{{{{{name}}}}} is used before an answer shows it")
        return captures[name]

    return PLACEHOLDER.sub(value, text)


def _pattern(shown: str, captures: dict[str, str], anything: str, opened: list[str]) -> str:
    """A regex for `shown`; names seen for the first time are appended to `opened` (those
    already in it, opened earlier in the same regex, refer back to what they matched)."""
    parts = []
    position = 0
    for match in GAP.finditer(shown):
        parts.append(re.escape(shown[position : match.start()]))
        name = match.group(1)
        if name is None:
            parts.append(anything.replace("+", "*"))
        elif name in captures:
            parts.append(re.escape(captures[name]))
        elif name in opened:
            parts.append(f"(?P={name})")
        else:
            parts.append(f"(?P<{name}>{anything})")
            opened.append(name)
        position = match.end()
    parts.append(re.escape(shown[position:]))
    return "".join(parts)


def _matched_string(shown: str, actual: str, captures: dict[str, str], where: str) -> None:
    new: list[str] = []
    pattern = _pattern(shown, captures, r".+?", new)
    found = re.fullmatch(pattern, actual, re.DOTALL)
    if found is None:
        raise Mismatch(f"{where}: the page shows {shown!r}, the answer is {actual!r}")
    captures.update({name: found.group(name) for name in new})


def match_json(shown: Any, actual: Any, captures: dict[str, str], where: str = "answer") -> None:
    """Mismatch unless `actual` is the data `shown`; records the placeholders' values."""
    if shown == ELLIPSIS:
        return
    if isinstance(shown, str) and GAP.search(shown):
        whole = PLACEHOLDER.fullmatch(shown)
        if not isinstance(actual, str) and whole is not None:
            actual = json.dumps(actual)
        if not isinstance(actual, str):
            raise Mismatch(f"{where}: the page shows {shown!r}, the answer is {actual!r}")
        _matched_string(shown, actual, captures, where)
    elif isinstance(shown, dict):
        if not isinstance(actual, dict) or shown.keys() != actual.keys():
            raise Mismatch(f"{where}: the page shows {shown!r}, the answer is {actual!r}")
        for key in shown:
            match_json(shown[key], actual[key], captures, f"{where}.{key}")
    elif isinstance(shown, list):
        more = bool(shown) and shown[-1] == ELLIPSIS
        items = shown[:-1] if more else shown
        if not isinstance(actual, list) or not (
            len(actual) >= len(items) if more else len(actual) == len(items)
        ):
            raise Mismatch(f"{where}: the page shows {shown!r}, the answer is {actual!r}")
        for index, item in enumerate(items):
            match_json(item, actual[index], captures, f"{where}[{index}]")
    # True == 1 in Python; on the page they differ.
    elif (type(shown) is bool) != (type(actual) is bool) or shown != actual:
        raise Mismatch(f"{where}: the page shows {shown!r}, the answer is {actual!r}")


def words(text: str) -> list[str]:
    return BORDERS.sub(" ", text).split()


def match_text(shown: str, actual: str, captures: dict[str, str]) -> None:
    """Mismatch unless `actual` has the words `shown` has, in order; records placeholders."""
    regex: list[str] = []
    new: list[str] = []
    for word in words(shown):
        if word == ELLIPSIS:
            regex.append(r"(?:\S+ )*?")
        else:
            regex.append(_pattern(word, captures, r"\S+?", new) + " ")
    found = re.fullmatch("".join(regex), "".join(f"{word} " for word in words(actual)))
    if found is None:
        raise Mismatch(f"the page shows\n{shown}\nthe command printed\n{actual}")
    captures.update({name: found.group(name) for name in new})
