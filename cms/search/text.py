"""Words as search and related items see them: found in text, folded, stemmed.

A word is a run of letters and digits, with inner apostrophes (`Korea's`, `don't`); a number
written with thousands separators (`3,000`) is one word. Each word is folded (accents dropped,
case folded, a possessive `'s` and other apostrophes removed) and stemmed with the Snowball
English stemmer, so `quakes` and `quake`, `killing` and `killed` are one term. The commonest
function words (`the`, `of`, ...) are no term at all, but they keep their place: positions count
every word, so a phrase with a stopword in it ("Gulf of Mexico") still matches in order.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

# Lucene's English stopwords: short function words that carry no topic.
STOPWORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "  # noqa: SIM905
    "then there these they this to was will with".split()
)
_WORD = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|[^\W_]+(?:['\u2019][^\W_]+)*")
_STEMMER = Stemmer.Stemmer("english")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of a text: its term (None for a stopword), its place and where it is."""

    term: str | None
    position: int
    start: int
    end: int


def fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    plain = plain.replace("\u2019", "'")
    if plain.endswith("'s"):
        plain = plain[:-2]
    return plain.replace("'", "").replace(",", "")


@lru_cache(maxsize=200_000)
def term_of(word: str) -> str | None:
    """The term a word stands for; None for a stopword."""
    folded = fold(word)
    if not folded or folded in STOPWORDS:
        return None
    stem: str = _STEMMER.stemWord(folded)
    return stem


def tokens(text: str) -> Iterator[Token]:
    for position, found in enumerate(_WORD.finditer(text)):
        yield Token(term_of(found.group()), position, found.start(), found.end())


def terms(text: str) -> list[str | None]:
    """The terms of `text` in order, a stopword as None (it still takes a position)."""
    return [term_of(found.group()) for found in _WORD.finditer(text)]
