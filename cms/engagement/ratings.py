"""Star ratings: one counter document per article, changed only by atomic increments.

The counters follow the vote ledger (`cms.engagement.votes`): they are a baseline (votes counted
before the ledger existed) plus the sums of the article's ledger entries. Each vote moves them as it
is cast; `cms.engagement.recount` checks them against the ledger and repairs them.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self

from beanie import Document, PydanticObjectId
from pydantic import Field

from cms.store.batches import find_in

STARS = range(1, 6)
COLLECTION = "ratings"
# The counter fields of a rating document, all integers.
COUNTERS = ("votes", "star_total", *(f"stars_{stars}" for stars in STARS))


@dataclass(frozen=True, slots=True)
class Tally:
    """How many votes gave each number of stars, 1 to 5; the counters follow from it.

    `unsorted` votes are counted with their stars' sum (`unsorted_stars`) but not by number of
    stars: totals brought from a system that kept no more (WordPress's Rate My Post).
    """

    counts: tuple[int, ...] = (0,) * len(STARS)
    unsorted: int = 0
    unsorted_stars: int = 0

    @classmethod
    def of(cls, by_stars: Mapping[int, int]) -> Self:
        return cls(tuple(by_stars.get(stars, 0) for stars in STARS))

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any]) -> Self:
        """From `stars_1` ... `stars_5` and the unsorted votes (a missing one counts zero)."""
        return cls(
            tuple(int(fields.get(f"stars_{stars}", 0)) for stars in STARS),
            unsorted=int(fields.get("unsorted", 0)),
            unsorted_stars=int(fields.get("unsorted_stars", 0)),
        )

    def by_stars(self) -> dict[str, int]:
        return {f"stars_{stars}": count for stars, count in zip(STARS, self.counts, strict=True)}

    def fields(self) -> dict[str, int]:
        by_stars = self.by_stars()
        if self.unsorted:
            return {**by_stars, "unsorted": self.unsorted, "unsorted_stars": self.unsorted_stars}
        return by_stars

    def counters(self) -> dict[str, int]:
        """The seven counters a rating document holds for this tally."""
        total = sum(stars * count for stars, count in zip(STARS, self.counts, strict=True))
        return {
            "votes": sum(self.counts) + self.unsorted,
            "star_total": total + self.unsorted_stars,
            **self.by_stars(),
        }

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(
            tuple(a + b for a, b in zip(self.counts, other.counts, strict=True)),
            unsorted=self.unsorted + other.unsorted,
            unsorted_stars=self.unsorted_stars + other.unsorted_stars,
        )


class ArticleRating(Document):
    """Vote counters for the article whose `_id` this shares."""

    votes: int = 0
    star_total: int = 0
    stars_1: int = 0
    stars_2: int = 0
    stars_3: int = 0
    stars_4: int = 0
    stars_5: int = 0
    # Votes no ledger entry accounts for (`stars_1` ... `stars_5`): zero on documents created
    # since the ledger exists, missing on older ones until `newsroom ratings rebuild` adopts it.
    baseline: dict[str, int] | None = None
    recent_ops: list[str] = Field(default_factory=list)

    class Settings:
        # Looked up by `_id` only (the article's id): no further index.
        name = COLLECTION


def counters_of(document: Mapping[str, Any] | None) -> dict[str, int]:
    """A rating document's counters; a missing field (or document) counts zero."""
    return {name: int((document or {}).get(name, 0)) for name in COUNTERS}


# What reads need of a rating document: not its (possibly long) list of recent operations.
SUMMARY_FIELDS = dict.fromkeys(COUNTERS, 1)


@dataclass(frozen=True, slots=True)
class RatingSummary:
    count: int
    total: int
    distribution: tuple[int, ...]

    @property
    def average(self) -> float:
        if not self.count:
            return 0.0
        # Half up, in integers: round() on floats gives 4.45 -> 4.5 but 4.25 -> 4.2.
        tenths = (20 * self.total + self.count) // (2 * self.count)
        return tenths / 10

    @classmethod
    def of(cls, document: Mapping[str, Any] | None) -> "RatingSummary":
        """The summary of a rating document (None: no votes yet)."""
        counters = counters_of(document)
        return cls(
            count=counters["votes"],
            total=counters["star_total"],
            distribution=Tally.from_fields(counters).counts,
        )


async def ratings_for(ids: Iterable[PydanticObjectId]) -> dict[PydanticObjectId, RatingSummary]:
    """Summaries for these articles, zero for those that have no votes yet."""
    wanted = list(set(ids))
    collection = ArticleRating.get_pymongo_collection()
    found = await find_in(collection, "_id", wanted, projection=SUMMARY_FIELDS)
    by_id = {document["_id"]: document for document in found}
    return {article_id: RatingSummary.of(by_id.get(article_id)) for article_id in wanted}
