"""How related two articles are: one score, symmetric, from what they say and how they are filed.

    relatedness = 1.0 * text + 0.6 * tags + 0.15 * same_section
    score       = relatedness * (0.6 + 0.4 * exp(-days_apart / 30))

- `text`: cosine of the two articles' signatures. A signature is an article's 32 most telling
  terms (headline, excerpt and body; the search index's terms), weighted by TF-IDF: a headline
  occurrence counts three times, an excerpt's twice, and terms found in more than a tenth of the
  archive (at least 20 articles) are left out as carrying no topic.
- `tags`: cosine of the two articles' tags, each weighted by its IDF, so sharing a rare tag
  counts more than sharing a common one.
- `same_section`: 1 if both run in the same section.
- `days_apart`: between the two publication times, so a stored list does not age between
  writes; closeness in time scales relatedness, it cannot make unrelated stories related.

Two articles are related when they share a signature term or a tag and were published within
`WINDOW_DAYS` of each other: an article's list is ranked among the year around it (an editor pins
anything older). So a change reaches only the lists within that window of it, and a writing
process holds the profiles of the last two windows, not the whole archive (`cms.related.state`).

Every rarity (IDF) comes from the statistics of the last rebuild (`Statistics`), not from the
archive as it is this minute: scores, and so stored lists, change only when articles do.
"""

import math
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bson import ObjectId

from cms.clock import as_utc
from cms.search.analysis import frequencies_of
from cms.status import PUBLIC_STATUSES, ArticleStatus

TEXT_WEIGHT = 1.0
TAG_WEIGHT = 0.6
SECTION_WEIGHT = 0.15
TIME_SHARE = 0.4
TIME_SCALE_DAYS = 30.0
SIGNATURE_TERMS = 32
# Articles published further apart are not related (`Statistics.window`).
WINDOW_DAYS = 365
COMMON_SHARE = 0.1
COMMON_FLOOR = 20
# Occurrences in the headline and the excerpt count this many times one in the body.
HEADLINE_FACTOR = 3
EXCERPT_FACTOR = 2


@dataclass(frozen=True, slots=True)
class Statistics:
    """How many articles there were, and in how many of them each term and tag was; and the
    window in days the lists were ranked within (None: lists ranked before windows, among every
    article, until the next rebuild that measures the statistics)."""

    articles: int = 0
    terms: Mapping[str, int] = field(default_factory=dict)
    tags: Mapping[str, int] = field(default_factory=dict)
    window: int | None = WINDOW_DAYS

    @property
    def window_seconds(self) -> float:
        return math.inf if self.window is None else self.window * 86400.0

    def within(self, one: datetime, other: datetime) -> bool:
        """Whether articles published at these times may be related (on their timestamps, as the
        ranking's arrays compare them: the same answer at the window's edge)."""
        return abs(one.timestamp() - other.timestamp()) <= self.window_seconds

    def idf(self, frequency: int) -> float:
        return math.log((1 + self.articles) / (1 + frequency)) + 1

    @property
    def common(self) -> float:
        return max(COMMON_FLOOR, COMMON_SHARE * self.articles)


# Every key any weights hold, numbered once in a process: a weight's key is four bytes of its
# weights, not a pointer to a string (and the numbers mean nothing in another process).
_KEYS: list[str] = []
_CODES: dict[str, int] = {}


def _code(key: str) -> int:
    code = _CODES.get(key)
    if code is None:
        key = sys.intern(key)
        code = _CODES[key] = len(_KEYS)
        _KEYS.append(key)
    return code


class Weights(Mapping[str, float]):
    """Weights by key, in key order: a writing process holds one of these per signature and tag
    set of every article, so they are one run of bytes (the doubles, then each key's number),
    not a dict and a float object per key, nor a tuple and an array (docs/operations/scale.md:
    a signature of 32 words takes 470 bytes rather than 710)."""

    __slots__ = ("_packed",)

    def __init__(self, items: Iterable[tuple[str, float]] = ()) -> None:
        ordered = sorted(items)
        values = array("d", [value for _, value in ordered])
        codes = array("i", [_code(key) for key, _ in ordered])
        # The doubles first: they start on eight bytes, as they are read in place.
        self._packed = values.tobytes() + codes.tobytes()

    def _parts(self) -> "tuple[memoryview[float], memoryview[int]]":
        """The weights and their keys' numbers, in key order, read in place."""
        view = memoryview(self._packed)
        split = len(self._packed) * 2 // 3
        return view[:split].cast("d"), view[split:].cast("i")

    def __reduce__(self) -> tuple[type["Weights"], tuple[list[tuple[str, float]]]]:
        # By key: the numbers are this process's own.
        return Weights, (list(self.pairs()),)

    def __getitem__(self, key: str) -> float:
        code = _CODES.get(key)
        values, codes = self._parts()
        if code is not None:
            for at, held in enumerate(codes):
                if held == code:
                    return values[at]
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return map(_KEYS.__getitem__, self._parts()[1])

    def __len__(self) -> int:
        return len(self._packed) // 12

    def __repr__(self) -> str:
        return f"Weights({dict(self.pairs())!r})"

    def pairs(self) -> Iterator[tuple[str, float]]:
        """Keys and weights, in key order (read directly: ranking 10,000 articles asks for them
        half a million times)."""
        values, codes = self._parts()
        return zip(map(_KEYS.__getitem__, codes), values, strict=True)

    @property
    def ordered_values(self) -> "memoryview[float]":
        """The weights, in key order."""
        return self._parts()[0]

    def numbered(self) -> dict[int, float]:
        """The weights by their keys' numbers."""
        values, codes = self._parts()
        return dict(zip(codes, values, strict=True))

    def dot_numbered(self, lookup: Mapping[int, float]) -> float:
        """The sum of products with the weights `lookup` holds by key number, added in key order
        as `dot` adds them for any two mappings: the same bits either way."""
        values, codes = self._parts()
        # `sum`, not `+=`: it adds floats with compensation, as `dot` does. Of a list: a generator
        # took a fifth longer (half a million calls to rank 10,000 articles).
        return sum(
            [
                value * lookup[code]
                for code, value in zip(codes, values, strict=True)
                if code in lookup
            ]
        )

    def dot(self, other: "Weights") -> float:
        """The sum of products over the keys both hold (`dot_numbered`)."""
        return self.dot_numbered(other.numbered())


def _unit(weights: Mapping[str, float]) -> Weights:
    norm = math.sqrt(sum(weight * weight for weight in weights.values()))
    return Weights((key, weight / norm) for key, weight in weights.items()) if norm else Weights()


def signature(postings: Mapping[str, str], statistics: Statistics) -> Weights:
    """An article's most telling terms, TF-IDF weighted, as a unit vector."""
    weights = {}
    common, frequencies = statistics.common, statistics.terms
    for term, posting in postings.items():
        frequency = frequencies.get(term, 0)
        if frequency > common:
            continue  # not counted: a rebuild asks this of every posting of every article
        headline, excerpt, _, body = frequencies_of(posting)
        occurrences = HEADLINE_FACTOR * headline + EXCERPT_FACTOR * excerpt + body
        if occurrences:
            weights[term] = (1 + math.log(occurrences)) * statistics.idf(frequency)
    best = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:SIGNATURE_TERMS]
    return _unit(dict(best))


def tag_weights(tags: Iterable[str], statistics: Statistics) -> Weights:
    return _unit({tag: statistics.idf(statistics.tags.get(tag, 0)) for tag in set(tags)})


@dataclass(frozen=True, slots=True)
class Profile:
    """What ranking needs of an article."""

    id: ObjectId
    slug: str
    status: ArticleStatus
    published_at: datetime
    section: str
    terms: Mapping[str, float]
    tags: Mapping[str, float]
    pins: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()

    @property
    def listed(self) -> bool:
        """Whether it may appear in stored lists (and has one): public, or public at its time."""
        return self.status in PUBLIC_STATUSES


def dot(one: Mapping[str, float], other: Mapping[str, float]) -> float:
    if isinstance(one, Weights) and isinstance(other, Weights):
        return one.dot(other)
    if len(other) < len(one):
        one, other = other, one
    return sum(weight * other[key] for key, weight in sorted(one.items()) if key in other)


def closeness(one: datetime, other: datetime) -> float:
    days = abs((one - other).total_seconds()) / 86400
    return 1 - TIME_SHARE + TIME_SHARE * math.exp(-days / TIME_SCALE_DAYS)


def score(one: Profile, other: Profile) -> float:
    """The documented score; the same whichever article is asked first."""
    relatedness = (
        TEXT_WEIGHT * dot(one.terms, other.terms)
        + TAG_WEIGHT * dot(one.tags, other.tags)
        + SECTION_WEIGHT * (one.section == other.section)
    )
    return relatedness * closeness(one.published_at, other.published_at)


def scorer(one: Profile) -> Callable[[Profile], float]:
    """`score(one, other)` for many others, bit for bit: `one`'s weights are looked up by key,
    made once, rather than matched against each other's anew (ranking an archive scores about
    25 others for each article)."""
    terms, tags = _matcher(one.terms), _matcher(one.tags)

    def against(other: Profile) -> float:
        relatedness = (
            TEXT_WEIGHT * terms(other.terms)
            + TAG_WEIGHT * tags(other.tags)
            + SECTION_WEIGHT * (one.section == other.section)
        )
        return relatedness * closeness(one.published_at, other.published_at)

    return against


def pairs_of(weights: Mapping[str, float]) -> Iterable[tuple[str, float]]:
    """The weights in key order (of `Weights`, without looking each key up)."""
    if isinstance(weights, Weights):
        return weights.pairs()
    return sorted(weights.items())


def _matcher(weights: Mapping[str, float]) -> Callable[[Mapping[str, float]], float]:
    """`dot(weights, other)` for many others: the same products (each commutes) added in the
    same order, the keys' (`sum` compensates, so the order counts). Another `Weights` is matched
    by its keys' numbers, without naming them."""
    lookup = dict(pairs_of(weights))
    numbered = {_CODES[key]: weight for key, weight in lookup.items() if key in _CODES}

    def dot_with(other: Mapping[str, float]) -> float:
        if isinstance(other, Weights):
            return other.dot_numbered(numbered)
        return sum([weight * lookup[key] for key, weight in pairs_of(other) if key in lookup])

    return dot_with


def order(score: float, profile: Profile) -> tuple[float, float, str]:
    """Sort key, best first: higher score, then newer, then the id."""
    return (-score, -profile.published_at.timestamp(), str(profile.id))


def profile_for(
    article: Mapping[str, Any], postings: Mapping[str, str], statistics: Statistics
) -> Profile:
    """The profile of an article (a stored document) from its search postings."""
    return Profile(
        id=article["_id"],
        slug=article["slug"],
        status=ArticleStatus(article["status"]),
        published_at=as_utc(article["published_at"]),
        section=article["section"],
        terms=signature(postings, statistics),
        tags=tag_weights(article.get("tags", ()), statistics),
        pins=tuple(article.get("related", ())),
        excludes=tuple(article.get("not_related", ())),
    )
