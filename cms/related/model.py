"""Every article's profile in memory, to rank related items and to know which lists a write moves.

Each listed article (published or scheduled) has a stored list: its pins (resolved, in their
order), then the `STORED` best others by `score`. A change to one article X can move only:

- X's own list;
- the lists that hold X now (X may rank elsewhere or leave), and those that pin X's slug;
- the lists X now beats the last ranked item of (or that are not full).

Scores are symmetric and depend on the two articles alone (and the statistics, which change only
at a rebuild), so that set is exact: no other list can change.

Ranking one article against all the others is the costly part (a rebuild does it for every
listed article): it runs on arrays (`_Vectors`, numpy), one article against every other at once,
and only the few candidates near the top are scored exactly (`score`), which decides their order.
"""

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from bson import ObjectId

from cms.related.score import (
    SECTION_WEIGHT,
    TAG_WEIGHT,
    TEXT_WEIGHT,
    TIME_SCALE_DAYS,
    TIME_SHARE,
    Profile,
    Statistics,
    Weights,
    dot,
    order,
    score,
)

MAX_RELATED = 20
# Ranked items stored past the most a reader can ask for: if some are not public when asked (not
# yet at their time), the list is still full.
STORED = MAX_RELATED + 5
OrderKey = tuple[float, float, str]
# Scores summed on arrays differ from `score` in the last bits: anything this close to a boundary
# is scored exactly before it is ranked.
MARGIN = 1e-9

type Floats = npt.NDArray[np.float64]
type Indices = npt.NDArray[np.intp]
type Rows = npt.NDArray[np.int32]


# Profiles put or dropped since the arrays were made are scored one by one beside them, up to
# this many (or a sixteenth of them all); past that the arrays are made again. A save costs a
# few hundred small sums, not a pass over the whole archive.
FRESH_ROWS = 256


def _postings(
    profiles: Sequence[Profile | None], weights_of: Callable[[Profile], Mapping[str, float]]
) -> dict[str, tuple[Rows, Floats]]:
    """Every key's rows and weights: one array of each for all keys, sliced by key."""
    held = [weights_of(profile) if profile is not None else {} for profile in profiles]
    codes: dict[str, int] = {}
    total = sum(map(len, held))
    coded = np.fromiter(
        (codes.setdefault(key, len(codes)) for weights in held for key in weights), np.int32, total
    )
    values = np.fromiter(chain.from_iterable(map(_values, held)), np.float64, total)
    rows = np.repeat(np.arange(len(held), dtype=np.int32), [len(weights) for weights in held])
    by_key = np.argsort(coded, kind="stable")
    bounds = np.searchsorted(coded[by_key], np.arange(len(codes) + 1)).tolist()
    rows, values = rows[by_key], values[by_key]
    return {
        key: (rows[bounds[code] : bounds[code + 1]], values[bounds[code] : bounds[code + 1]])
        for key, code in codes.items()
    }


def _values(weights: Mapping[str, float]) -> Iterable[float]:
    return weights.ordered_values if isinstance(weights, Weights) else weights.values()


def _grown(values: npt.NDArray[Any], size: int, fill: float) -> npt.NDArray[Any]:
    if size <= len(values):
        return values
    grown = np.full(max(size, len(values) * 3 // 2 + 16), fill, values.dtype)
    grown[: len(values)] = values
    return grown


@dataclass
class _Vectors:
    """Every profile as arrays: what ranking one article against all the others reads.

    Rows put or dropped since the arrays were made (`fresh`) are left out of the postings and
    scored one by one instead; a dropped profile's row stays, empty, until the arrays are made
    again.
    """

    profiles: list[Profile | None]
    position: dict[ObjectId, int]
    times: Floats
    sections: npt.NDArray[np.int64]
    section_codes: dict[str, int]
    terms: dict[str, tuple[Rows, Floats]]
    tags: dict[str, tuple[Rows, Floats]]
    # Per profile: the score its list's last ranked item has (-inf: its list takes anything).
    cuts: Floats
    fresh: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, model: "Model") -> "_Vectors":
        profiles: list[Profile | None] = list(model.profiles.values())
        position = {profile.id: index for index, profile in enumerate(model.profiles.values())}
        vectors = cls(
            profiles,
            position,
            np.zeros(len(profiles)),
            np.zeros(len(profiles), np.int64),
            {},
            _postings(profiles, lambda profile: profile.terms),
            _postings(profiles, lambda profile: profile.tags),
            np.full(len(profiles), -math.inf),
        )
        for row, profile in enumerate(model.profiles.values()):
            vectors._place(row, profile)
        for article_id, listing in model.listings.items():
            vectors.set_cut(article_id, listing)
        return vectors

    @property
    def stale(self) -> bool:
        return len(self.fresh) > max(FRESH_ROWS, len(self.profiles) // 16)

    def _place(self, row: int, profile: Profile) -> None:
        self.times[row] = profile.published_at.timestamp()
        self.sections[row] = self.section_codes.setdefault(profile.section, len(self.section_codes))

    def put(self, profile: Profile, listing: "Listing | None") -> None:
        row = self.position.get(profile.id)
        if row is None:
            row = self.position[profile.id] = len(self.profiles)
            self.profiles.append(profile)
            size = len(self.profiles)
            self.times = _grown(self.times, size, 0.0)
            self.sections = _grown(self.sections, size, 0)
            self.cuts = _grown(self.cuts, size, -math.inf)
        self.profiles[row] = profile
        self._place(row, profile)
        self.set_cut(profile.id, listing)
        self.fresh.add(row)

    def drop(self, article_id: ObjectId) -> None:
        row = self.position.get(article_id)
        if row is not None:
            self.profiles[row] = None
            self.fresh.add(row)

    def set_cut(self, article_id: ObjectId, listing: "Listing | None") -> None:
        index = self.position.get(article_id)
        if index is not None:
            cut = listing.cut if listing is not None else None
            self.cuts[index] = -cut[0] if cut is not None else -math.inf

    def _accumulate(
        self,
        weights: Mapping[str, float],
        index: Mapping[str, tuple[Rows, Floats]],
        of: Callable[[Profile], Mapping[str, float]],
        fresh: Indices,
    ) -> Floats:
        size = len(self.profiles)
        found = [(weight, index[key]) for key, weight in weights.items() if key in index]
        if found:
            lengths = [len(postings[0]) for _, postings in found]
            scale = np.repeat(np.fromiter((weight for weight, _ in found), np.float64), lengths)
            others = np.concatenate([postings[0] for _, postings in found])
            values = np.concatenate([postings[1] for _, postings in found]) * scale
            summed = np.bincount(others, weights=values, minlength=size)
        else:
            summed = np.zeros(size)
        for row in fresh.tolist():
            other = self.profiles[row]
            summed[row] = dot(weights, of(other)) if other is not None else 0.0
        return summed

    def related(self, profile: Profile) -> tuple[Indices, Floats]:
        """Every other profile sharing a signature term or a tag with `profile`, and its score
        summed on arrays (`score`'s, within `MARGIN`)."""
        fresh = np.fromiter(self.fresh, np.intp, len(self.fresh))
        text = self._accumulate(profile.terms, self.terms, lambda other: other.terms, fresh)
        tags = self._accumulate(profile.tags, self.tags, lambda other: other.tags, fresh)
        shared = np.flatnonzero((text != 0) | (tags != 0))
        own = self.position.get(profile.id)
        if own is not None:
            shared = shared[shared != own]
        size = len(self.profiles)
        same = self.sections[:size][shared] == self.section_codes.get(profile.section, -1)
        relatedness = TEXT_WEIGHT * text[shared] + TAG_WEIGHT * tags[shared] + SECTION_WEIGHT * same
        days = np.abs(self.times[:size][shared] - profile.published_at.timestamp()) / 86400
        near = 1 - TIME_SHARE + TIME_SHARE * np.exp(-days / TIME_SCALE_DAYS)
        return shared, relatedness * near


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
    pinned_by: dict[str, set[ObjectId]] = field(default_factory=dict)
    listings: dict[ObjectId, Listing] = field(default_factory=dict)
    # The lists each article is in: lists, not sets, since every article is in about 25 and a
    # set of 25 takes six times the memory (docs/operations/scale.md).
    listers: dict[ObjectId, list[ObjectId]] = field(default_factory=dict)
    # One object per article id, however many lists name it: each id read from the store is an
    # object of its own, and every list names 25 (measured: about 2 KB an article saved).
    ids: dict[ObjectId, ObjectId] = field(default_factory=dict)
    # The profiles as arrays, made when ranking first needs them and kept up with each change
    # (made again once many changed).
    _arrays: _Vectors | None = None

    def _vectors(self) -> _Vectors:
        if self._arrays is None or self._arrays.stale:
            self._arrays = _Vectors.of(self)
        return self._arrays

    def put(self, profile: Profile) -> None:
        self.drop(profile.id)
        profile_id = self.ids.setdefault(profile.id, profile.id)
        self.profiles[profile_id] = profile
        self.slugs[profile.slug] = profile_id
        for slug in profile.pins:
            self.pinned_by.setdefault(slug, set()).add(profile_id)
        if self._arrays is not None:
            self._arrays.put(profile, self.listings.get(profile_id))

    def drop(self, article_id: ObjectId) -> None:
        old = self.profiles.pop(article_id, None)
        if old is None:
            return
        if self._arrays is not None:
            self._arrays.drop(article_id)
        if self.slugs.get(old.slug) == article_id:
            del self.slugs[old.slug]
        for slug in old.pins:
            self.pinned_by.get(slug, set()).discard(article_id)

    def set_listing(self, article_id: ObjectId, listing: Listing | None) -> None:
        if self._arrays is not None:
            self._arrays.set_cut(article_id, listing)
        old = self.listings.pop(article_id, None)
        for member in old.members if old else ():
            listers = self.listers.get(member)
            if listers is not None and article_id in listers:
                listers.remove(article_id)
                if not listers:
                    del self.listers[member]
        if listing is not None:
            article_id = self.ids.setdefault(article_id, article_id)
            members = tuple(self.ids.setdefault(member, member) for member in listing.members)
            listing = Listing(members, listing.cut)
            self.listings[article_id] = listing
            for member in dict.fromkeys(listing.members):
                self.listers.setdefault(member, []).append(article_id)

    def rank(
        self, profile: Profile, limit: int, admit: Callable[[Profile], bool]
    ) -> list[tuple[OrderKey, Profile]]:
        """The `limit` best admitted others, best first, by the exact score.

        The others are taken best first by their score summed on arrays, until `limit` are
        admitted and the next is clearly below the last of them; those are scored exactly.
        """
        vectors = self._vectors()
        shared, approximate = vectors.related(profile)
        picked: list[Profile] = []
        last = math.inf
        for index in _best_first(approximate, limit):
            value = approximate[index]
            if len(picked) >= limit and value < last - MARGIN:
                break
            other = vectors.profiles[shared[index]]
            if admit(other):
                picked.append(other)
                if len(picked) == limit:
                    last = value
        exact = sorted((order(score(profile, other), other), other) for other in picked)
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
                    found.update(self.listers.get(profile.id, ()))
                    found |= self.pinned_by.get(profile.slug, set())
                    found.add(profile.id)
        return found

    def entered(self, profile: Profile) -> set[ObjectId]:
        """The lists `profile` (applied, listed) enters: it beats their cut, or they are short."""
        vectors = self._vectors()
        shared, approximate = vectors.related(profile)
        # Scores are symmetric: `profile` enters a list whose last ranked item it outscores; near
        # the cut, by the exact score and then the rest of the order.
        near = approximate >= vectors.cuts[shared] - MARGIN
        found = set()
        for index in np.flatnonzero(near):
            other = vectors.profiles[shared[index]]
            if not other.listed or profile.slug in other.excludes:
                continue
            listing = self.listings.get(other.id)
            if (
                listing is None
                or listing.cut is None
                or order(score(other, profile), profile) < listing.cut
            ):
                found.add(other.id)
        return found


def _best_first(values: Floats, wanted: int) -> Iterator[int]:
    """Positions in `values`, highest first: a partial sort of the head, the rest if reached."""
    head = 4 * wanted + 16
    if len(values) <= head:
        yield from np.argsort(-values, kind="stable").tolist()
        return
    top = np.argpartition(-values, head)[:head]
    yield from top[np.argsort(-values[top], kind="stable")].tolist()
    # Rarely reached (many of the best not admitted): everything below the head, in order.
    rest = np.setdiff1d(np.arange(len(values)), top, assume_unique=True)
    yield from rest[np.argsort(-values[rest], kind="stable")].tolist()
