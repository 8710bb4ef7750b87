"""BM25F: how much one term in one article counts, and how rare a term is.

Each field's term frequency is weighted (headline above tag names above excerpt above body) and
normalised by the field's length against the field's average length, then saturated (a term's
tenth occurrence adds far less than its second). That makes a term's *impact* in an article; an
article's relevance to a search is the sum over the search's terms of impact times the term's
rarity (inverse document frequency).

The averages are the ones the index recorded when it was last laid out (`reindex`: after a load,
when the archive has doubled or halved, on demand), not the live ones: so an impact depends on
the posting alone, and `reindex` can store it and prove it. Between reindexes, new articles move
the averages by a sliver, as they move the rarity statistics of related items.
"""

import math
from collections.abc import Sequence

# Per field (headline, excerpt, tag names, body): weight, and how much length normalises. Tags
# are labels: an article with more of them is no less about each.
WEIGHTS = (3.0, 1.5, 2.0, 1.0)
LENGTH_NORMALISATION = (0.5, 0.5, 0.0, 0.75)
K1 = 1.2

type Scales = Sequence[tuple[int, float, float, float]]


def scales(averages: Sequence[float]) -> Scales:
    """Per field: its index, weight, and the length normalisation as `fixed + per_term * len`."""
    found = []
    for field, weight in enumerate(WEIGHTS):
        normalise = LENGTH_NORMALISATION[field]
        found.append((field, weight, 1 - normalise, normalise / (averages[field] or 1.0)))
    return found


def impact(posting: str, field_scales: Scales) -> float:
    """A term's saturated, field-weighted, length-normalised frequency in one article, read from
    its encoded posting (`cms.search.analysis`) by counting positions, not parsing them."""
    # Called for every posting of a laid-out index (millions at 100,000 articles): the head is
    # part 0, each field's positions part `field + 1`, with no unpacking into new lists.
    places = posting.split("|")
    lengths = places[0].split(",")
    weighted = 0.0
    for field, weight, fixed, per_term in field_scales:
        place = places[field + 1]
        if place:
            weighted += weight * (place.count(" ") + 1) / (fixed + per_term * int(lengths[field]))
    return weighted * (K1 + 1) / (K1 + weighted)


def idf(articles: int, holding: int) -> float:
    return math.log(1 + (articles - holding + 0.5) / (holding + 0.5))
