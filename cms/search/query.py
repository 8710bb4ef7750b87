"""What readers type, and the articles that match it, with their relevance.

A search is words and "quoted phrases". Every word must occur in the article (in any field: its
headline, excerpt, tag names or body), as must every phrase, its words in that order and next to
each other within one field. Words are matched as terms (`cms.search.text`), so `quakes` finds
`quake` and case and accents do not matter. A search of stopwords or punctuation only matches
nothing.

Relevance is BM25F: each field's term frequency is weighted (headline above tag names above
excerpt above body) and normalised by the field's length against its average, and each term
counts by its rarity (inverse document frequency) across the index.
"""

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bson import ObjectId

from cms.search.analysis import Posting
from cms.search.index import Stats, postings, read_stats
from cms.search.text import tokens

# Per field (headline, excerpt, tag names, body): weight, and how much length normalises. Tags
# are labels: an article with more of them is no less about each.
WEIGHTS = (3.0, 1.5, 2.0, 1.0)
LENGTH_NORMALISATION = (0.5, 0.5, 0.0, 0.75)
# BM25's saturation: a term's tenth occurrence adds far less than its second.
K1 = 1.2
_QUOTES = re.compile("[\u201c\u201d\u201e\u00ab\u00bb]")


@dataclass(frozen=True, slots=True)
class Query:
    """The terms every match must contain, and the phrases (terms at relative positions)."""

    words: tuple[str, ...]
    phrases: tuple[tuple[tuple[int, str], ...], ...]

    @property
    def terms(self) -> tuple[str, ...]:
        found = dict.fromkeys(self.words)
        for phrase in self.phrases:
            found.update(dict.fromkeys(term for _, term in phrase))
        return tuple(found)


def parse(text: str) -> Query:
    """Words outside quotes, phrases inside; an unclosed quote runs to the end."""
    words: list[str] = []
    phrases: list[tuple[tuple[int, str], ...]] = []
    for index, part in enumerate(_QUOTES.sub('"', text).split('"')):
        found = [(token.position, token.term) for token in tokens(part) if token.term]
        if index % 2 == 0 or len(found) < 2:
            words += [term for _, term in found]
        else:
            first = found[0][0]
            phrases.append(tuple((position - first, term) for position, term in found))
    return Query(tuple(dict.fromkeys(words)), tuple(dict.fromkeys(phrases)))


def _has_phrase(phrase: tuple[tuple[int, str], ...], found: Mapping[str, Posting]) -> bool:
    for field in range(len(WEIGHTS)):
        places = [(offset, set(found[term].positions[field])) for offset, term in phrase]
        start_offset, starts = places[0]
        for start in starts:
            origin = start - start_offset
            if all(origin + offset in positions for offset, positions in places[1:]):
                return True
    return False


def _field_scales(stats: Stats) -> list[tuple[int, float, float, float]]:
    """Per field: its index, weight, and BM25's length normalisation as `a + b * length`."""
    scales = []
    for field, weight in enumerate(WEIGHTS):
        normalise = LENGTH_NORMALISATION[field]
        average = stats.average(field) or 1.0
        scales.append((field, weight, 1 - normalise, normalise / average))
    return scales


def _weighted(posting: str, scales: Sequence[tuple[int, float, float, float]]) -> float:
    """A term's field-weighted, length-normalised frequency in one article, read straight from
    its encoded posting (`cms.search.analysis`): a search scores every match, and counting the
    separators costs a fraction of parsing every position."""
    head, *places = posting.split("|")
    lengths = head.split(",")
    weighted = 0.0
    for field, weight, fixed, per_term in scales:
        place = places[field]
        if place:
            occurrences = place.count(" ") + 1
            weighted += weight * occurrences / (fixed + per_term * int(lengths[field]))
    return weighted


def _idf(articles: int, df: int) -> float:
    return math.log(1 + (articles - df + 0.5) / (df + 0.5))


async def matches(text: str) -> dict[ObjectId, float]:
    """Every indexed article (in any status) that matches `text`, with its relevance."""
    query = parse(text)
    if not query.terms:
        return {}
    stats = await read_stats()
    found = await postings(query.terms, stats)
    lists = sorted(found.values(), key=len)
    candidates = set(lists[0]).intersection(*lists[1:])
    articles = max(stats.articles, *(len(held) for held in found.values()))
    idfs = {term: _idf(articles, len(held)) for term, held in found.items()}
    scales = _field_scales(stats)
    scores: dict[ObjectId, float] = {}
    for article in candidates:
        if query.phrases:
            parsed = {term: Posting.parse(found[term][article]) for term in query.terms}
            if not all(_has_phrase(phrase, parsed) for phrase in query.phrases):
                continue
        total = 0.0
        for term, idf in idfs.items():
            weighted = _weighted(found[term][article], scales)
            total += idf * weighted * (K1 + 1) / (K1 + weighted)
        scores[ObjectId(article)] = total
    return scores
