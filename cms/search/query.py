"""What readers type, and the articles that match it, with their relevance.

A search is words and "quoted phrases". Every word must occur in the article (in any field: its
headline, excerpt, tag names or body), as must every phrase, its words in that order and next to
each other within one field. Words are matched as terms (`cms.search.text`), so `quakes` finds
`quake` and case and accents do not matter. A search of stopwords or punctuation only matches
nothing.

Relevance is BM25F (`cms.search.bm25`): the sum over the search's terms of each term's impact in
the article, stored with the index, times the term's rarity across the index.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bson import ObjectId

from cms.search import bm25
from cms.search.analysis import Posting
from cms.search.index import hits, read_stats
from cms.search.text import tokens

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
    for field in range(len(bm25.WEIGHTS)):
        places = [(offset, set(found[term].positions[field])) for offset, term in phrase]
        start_offset, starts = places[0]
        for start in starts:
            origin = start - start_offset
            if all(origin + offset in positions for offset, positions in places[1:]):
                return True
    return False


async def matches(text: str, *, overlay: str | None = None) -> dict[ObjectId, float]:
    """Every indexed article (in any status) that matches `text`, with its relevance: in the
    index as load `overlay` (revealed, not merged yet) has it, if given."""
    query = parse(text)
    if not query.terms:
        return {}
    stats = await read_stats(overlay=overlay)
    found = await hits(query.terms, stats, positions=bool(query.phrases), overlay=overlay)
    lists = sorted((term.impacts for term in found.values()), key=len)
    candidates = set(lists[0]).intersection(*lists[1:])
    articles = max(stats.articles, *(len(term.impacts) for term in found.values()))
    rarity = [(term.impacts, bm25.idf(articles, len(term.impacts))) for term in found.values()]
    scores: dict[ObjectId, float] = {}
    for article in candidates:
        if query.phrases:
            parsed = {term: Posting.parse(found[term].postings[article]) for term in query.terms}
            if not all(_has_phrase(phrase, parsed) for phrase in query.phrases):
                continue
        score = 0.0
        for impacts, idf in rarity:
            score += impacts[article] * idf
        scores[ObjectId(article)] = score
    return scores
