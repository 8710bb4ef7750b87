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
from cms.search.index import Leaders, Stats, hits, leaders, read_stats
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


async def matches(
    text: str, *, overlay: str | None = None, stats: Stats | None = None
) -> dict[ObjectId, float]:
    """Every indexed article (in any status) that matches `text`, with its relevance: in the
    index as load `overlay` (revealed, not merged yet) has it, if given, whose statistics
    (`stats`) the caller may have read already."""
    query = parse(text)
    if not query.terms:
        return {}
    if stats is None:
        stats = await read_stats(overlay=overlay)
    found = await hits(query.terms, stats, positions=bool(query.phrases), overlay=overlay)
    lists = sorted((term.impacts for term in found.values()), key=len)
    candidates = set(lists[0]).intersection(*lists[1:])
    rarity = [(term.impacts, _idf(stats, term.articles)) for term in found.values()]
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


def _idf(stats: Stats, holding: int) -> float:
    return bm25.idf(max(stats.articles, holding), holding)


@dataclass(frozen=True, slots=True)
class Leading:
    """The best matches of a one-word search, best first, as far as they are certain
    (`cms.search.index.Leaders`), with their relevance; and how many articles have the word."""

    # Relevance and article id (hex, which sorts as the id does), best first.
    scores: list[tuple[float, str]]
    complete: bool
    articles: int


async def leading(text: str, stats: Stats, *, overlay: str | None = None) -> Leading | None:
    """For a search of one word split across shards: its leaders, read from one document, with
    relevance exactly as `matches` gives it. None for any other search."""
    query = parse(text)
    if len(query.words) != 1 or query.phrases:
        return None
    found: Leaders | None = await leaders(query.words[0], stats, overlay=overlay)
    if found is None:
        return None
    idf = _idf(stats, found.articles)
    scores = sorted(((impact * idf, article) for impact, article in found.impacts), reverse=True)
    return Leading(scores, found.complete, found.articles)
