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

Every rarity (IDF) comes from the statistics of the last rebuild (`Statistics`), not from the
archive as it is this minute: scores, and so stored lists, change only when articles do.
"""

import math
from collections.abc import Iterable, Mapping
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
COMMON_SHARE = 0.1
COMMON_FLOOR = 20
# Occurrences in the headline and the excerpt count this many times one in the body.
HEADLINE_FACTOR = 3
EXCERPT_FACTOR = 2


@dataclass(frozen=True, slots=True)
class Statistics:
    """How many articles there were, and in how many of them each term and tag was."""

    articles: int = 0
    terms: Mapping[str, int] = field(default_factory=dict)
    tags: Mapping[str, int] = field(default_factory=dict)

    def idf(self, frequency: int) -> float:
        return math.log((1 + self.articles) / (1 + frequency)) + 1

    @property
    def common(self) -> float:
        return max(COMMON_FLOOR, COMMON_SHARE * self.articles)


def _unit(weights: Mapping[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(weight * weight for weight in weights.values()))
    return {key: weight / norm for key, weight in sorted(weights.items())} if norm else {}


def signature(postings: Mapping[str, str], statistics: Statistics) -> dict[str, float]:
    """An article's most telling terms, TF-IDF weighted, as a unit vector."""
    weights = {}
    for term, posting in postings.items():
        headline, excerpt, _, body = frequencies_of(posting)
        occurrences = HEADLINE_FACTOR * headline + EXCERPT_FACTOR * excerpt + body
        frequency = statistics.terms.get(term, 0)
        if occurrences and frequency <= statistics.common:
            weights[term] = (1 + math.log(occurrences)) * statistics.idf(frequency)
    best = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:SIGNATURE_TERMS]
    return _unit(dict(best))


def tag_weights(tags: Iterable[str], statistics: Statistics) -> dict[str, float]:
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


def _dot(one: Mapping[str, float], other: Mapping[str, float]) -> float:
    if len(other) < len(one):
        one, other = other, one
    return sum(weight * other[key] for key, weight in sorted(one.items()) if key in other)


def closeness(one: datetime, other: datetime) -> float:
    days = abs((one - other).total_seconds()) / 86400
    return 1 - TIME_SHARE + TIME_SHARE * math.exp(-days / TIME_SCALE_DAYS)


def score(one: Profile, other: Profile) -> float:
    """The documented score; the same whichever article is asked first."""
    relatedness = (
        TEXT_WEIGHT * _dot(one.terms, other.terms)
        + TAG_WEIGHT * _dot(one.tags, other.tags)
        + SECTION_WEIGHT * (one.section == other.section)
    )
    return relatedness * closeness(one.published_at, other.published_at)


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
