"""Checks on what readers pass to reads (slugs, search terms): a bad one is the caller's error.

A value that cannot name anything (not a slug, too long, text the store cannot even encode, such
as a lone surrogate `\\ud800`) is refused as bad input, never passed on to become a bug.
"""

import re

from cms.content import MAX_SLUG, SLUG_PATTERN
from cms.errors import CallerError

_SLUG = re.compile(SLUG_PATTERN)
MAX_SEARCH = 200


class InvalidArgumentError(CallerError):
    def __init__(self, argument: str, problem: str, value: str) -> None:
        shown = repr(value) if len(value) <= 40 else f"{value[:40]!r}..."
        super().__init__(f"`{argument}` {problem}; got {shown}.")
        self.field = argument


def text_argument(value: str, *, argument: str, max_length: int) -> str:
    if len(value) > max_length:
        raise InvalidArgumentError(argument, f"may be at most {max_length} characters", value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidArgumentError(argument, "is not valid Unicode text", value) from None
    return value


def slug_argument(value: str, *, argument: str = "slug") -> str:
    text_argument(value, argument=argument, max_length=MAX_SLUG)
    if not _SLUG.match(value):
        raise InvalidArgumentError(
            argument, "must be lowercase letters and digits joined by single dashes", value
        )
    return value


def search_argument(value: str) -> str:
    return text_argument(value, argument="search", max_length=MAX_SEARCH)
