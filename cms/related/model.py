"""Every article's profile in memory, to rank related items and to know which lists a write moves.

Each listed article (published or scheduled) has a stored list: its pins (resolved, in their
order), then the `STORED` best others by `score`. A change to one article X can move only:

- X's own list;
- the lists that hold X now (X may rank elsewhere or leave), and those that pin X's slug;
- the lists X now beats the last ranked item of (or that are not full).

Scores are symmetric and depend on the two articles alone (and the statistics, which change only
at a rebuild), so that set is exact: no other list can change.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from bson import ObjectId

from cms.related.score import (
    SECTION_WEIGHT,
    TAG_WEIGHT,
    TEXT_WEIGHT,
    Profile,
    Statistics,
    closeness,
    order,
    score,
)

MAX_RELATED = 20
# Ranked items stored past the most a reader can ask for: if some are not public when asked (not
# yet at their time), the list is still full.
STORED = MAX_RELATED + 5
OrderKey = tuple[float, float, str]


def _accumulate(
    weights: Mapping[str, float], index: Mapping[str, Mapping[ObjectId, float]]
) -> dict[ObjectId, float]:
    """Dot products with every article sharing a key, through the inverted `index`."""
    found: dict[ObjectId, float] = {}
    for key, weight in weights.items():
        for other, other_weight in index.get(key, {}).items():
            found[other] = found.get(other, 0.0) + weight * other_weight
    return found


@dataclass(frozen=True, slots=True)
class Listing:
    """A stored list: its members in order (pins first), and the order key of its last ranked
    member when the ranked part is full (None: anything related enters)."""

    members: tuple[ObjectId, ...]
    cut: OrderKey | None


@dataclass
class Model:
    statistics: Statistics = field(default_factory=Statistics)
    profiles: dict[ObjectId, Profile] = field(default_factory=dict)
    slugs: dict[str, ObjectId] = field(default_factory=dict)
    by_term: dict[str, dict[ObjectId, float]] = field(default_factory=dict)
    by_tag: dict[str, dict[ObjectId, float]] = field(default_factory=dict)
    pinned_by: dict[str, set[ObjectId]] = field(default_factory=dict)
    listings: dict[ObjectId, Listing] = field(default_factory=dict)
    listers: dict[ObjectId, set[ObjectId]] = field(default_factory=dict)

    def put(self, profile: Profile) -> None:
        self.drop(profile.id)
        self.profiles[profile.id] = profile
        self.slugs[profile.slug] = profile.id
        for term, weight in profile.terms.items():
            self.by_term.setdefault(term, {})[profile.id] = weight
        for tag, weight in profile.tags.items():
            self.by_tag.setdefault(tag, {})[profile.id] = weight
        for slug in profile.pins:
            self.pinned_by.setdefault(slug, set()).add(profile.id)

    def drop(self, article_id: ObjectId) -> None:
        old = self.profiles.pop(article_id, None)
        if old is None:
            return
        if self.slugs.get(old.slug) == article_id:
            del self.slugs[old.slug]
        for term in old.terms:
            self.by_term[term].pop(article_id, None)
        for tag in old.tags:
            self.by_tag[tag].pop(article_id, None)
        for slug in old.pins:
            self.pinned_by.get(slug, set()).discard(article_id)

    def set_listing(self, article_id: ObjectId, listing: Listing | None) -> None:
        old = self.listings.pop(article_id, None)
        for member in old.members if old else ():
            self.listers.get(member, set()).discard(article_id)
        if listing is not None:
            self.listings[article_id] = listing
            for member in listing.members:
                self.listers.setdefault(member, set()).add(article_id)

    def _related(self, profile: Profile) -> dict[ObjectId, float]:
        """Every article sharing a signature term or a tag, with its score (by accumulation)."""
        text = _accumulate(profile.terms, self.by_term)
        tags = _accumulate(profile.tags, self.by_tag)
        scores = {}
        for other_id in text.keys() | tags.keys():
            if other_id == profile.id:
                continue
            other = self.profiles[other_id]
            relatedness = (
                TEXT_WEIGHT * text.get(other_id, 0.0)
                + TAG_WEIGHT * tags.get(other_id, 0.0)
                + SECTION_WEIGHT * (other.section == profile.section)
            )
            scores[other_id] = relatedness * closeness(profile.published_at, other.published_at)
        return scores

    def rank(
        self, profile: Profile, limit: int, admit: Callable[[Profile], bool]
    ) -> list[tuple[OrderKey, Profile]]:
        """The `limit` best admitted others, best first, by the exact score."""
        found = [
            (order(value, other), other)
            for other_id, value in self._related(profile).items()
            if admit(other := self.profiles[other_id])
        ]
        found.sort(key=lambda item: item[0])
        # Accumulated sums may differ from `score` in the last bit: re-score a margin exactly.
        exact = [
            (order(score(profile, other), other), other) for _, other in found[: 3 * limit + 10]
        ]
        exact.sort(key=lambda item: item[0])
        return exact[:limit]

    def pins(self, profile: Profile, admit: Callable[[Profile], bool]) -> list[ObjectId]:
        """The articles `profile` pins, in its order: those that exist and are admitted."""
        found: list[ObjectId] = []
        for slug in profile.pins:
            pinned = self.slugs.get(slug)
            if pinned is None or pinned == profile.id or pinned in found:
                continue
            if admit(self.profiles[pinned]) and slug not in profile.excludes:
                found.append(pinned)
        return found

    def listing(self, profile: Profile) -> Listing:
        pinned = self.pins(profile, lambda other: other.listed)

        def admit(other: Profile) -> bool:
            return other.listed and other.id not in pinned and other.slug not in profile.excludes

        ranked = self.rank(profile, STORED, admit)
        cut = ranked[-1][0] if len(ranked) == STORED else None
        return Listing((*pinned, *(other.id for _, other in ranked)), cut)

    def touched(self, changed: Iterable[tuple[Profile | None, Profile | None]]) -> set[ObjectId]:
        """The lists that hold, pin or list a changed article: read before the change applies."""
        found: set[ObjectId] = set()
        for old, new in changed:
            for profile in (old, new):
                if profile is not None:
                    found |= self.listers.get(profile.id, set())
                    found |= self.pinned_by.get(profile.slug, set())
                    found.add(profile.id)
        return found

    def entered(self, profile: Profile) -> set[ObjectId]:
        """The lists `profile` (applied, listed) enters: it beats their cut, or they are short."""
        found = set()
        for other_id in self._related(profile):
            other = self.profiles[other_id]
            listing = self.listings.get(other_id)
            if not other.listed or profile.slug in other.excludes:
                continue
            if (
                listing is None
                or listing.cut is None
                or order(score(other, profile), profile) < listing.cut
            ):
                found.add(other_id)
        return found
