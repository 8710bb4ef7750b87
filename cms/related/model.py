"""Every article's profile in memory, to rank related items and to know which lists a write moves.

Each listed article (published or scheduled) has a stored list: its pins (resolved, in their
order), then the `STORED` best others by `score`. A change to one article X can move only:

- X's own list;
- the lists that hold X now (X may rank elsewhere or leave), and those that pin X's slug;
- the lists X now beats the last ranked item of (or that are not full).

Scores are symmetric and depend on the two articles alone (and the statistics, which change only
at a rebuild), and so does whether two articles are related at all (within the statistics'
window of each other): so that set is exact, no other list can change. Every list it names is
within the window of X (before or after the change), or pins X; ranking those reads the others
within the window of them: a model that holds every profile within two windows of X, and the
pinning ones, moves them exactly (`cms.related.state` holds no more than that).

Ranking one article against all the others is the costly part (a rebuild does it for every
listed article): it runs on arrays (`_Vectors`, numpy), one article against every other within
its window at once, and only the few candidates near the top are scored exactly (`score`), which
decides their order.

A writing process holds all of this for two windows of the archive (older ones when a change
reaches them), so it is kept in arrays where it can be: each article id has a slot, the lists
are rows of slots, "which lists hold X" is a scan of those rows (`holders`), and the ranking's
arrays are kept up with each change rather than made again (tests/test_related_model.py checks
both against a model made afresh).
"""

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt
from bson import ObjectId

from cms.memory import give_back
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
    pairs_of,
    scorer,
)

MAX_RELATED = 20
# Ranked items stored past the most a reader can ask for: if some are not public when asked (not
# yet at their time), the list is still full.
STORED = MAX_RELATED + 5
OrderKey = tuple[float, float, str]
# Scores summed on arrays differ from `score`: the arrays hold each weight in single precision
# (within 2**-24 of it, relatively), and weights are unit vectors, so a text or tags cosine is
# off by less than 6e-8 and a score by less than 1e-7. Anything this close to a boundary is
# scored exactly before it is ranked.
MARGIN = 1e-6

type Floats = npt.NDArray[np.float64]
type Singles = npt.NDArray[np.float32]
type Indices = npt.NDArray[np.intp]
type Rows = npt.NDArray[np.int32]


# Profiles put or dropped since the arrays were made are scored one by one beside them, up to
# this many (or a sixteenth of them all); past that the arrays are made again. A save costs a
# few hundred small sums, not a pass over the whole archive.
FRESH_ROWS = 256
# Ranking scores only the others related enough to be among the best once this many times as
# many share a word or a tag as it looks at first (`_Vectors.best_first`); `_floor` samples one
# in `SAMPLED` of them.
PRUNED = 8
SAMPLED = 16


@dataclass(frozen=True, slots=True)
class _Postings:
    """Every key's rows and weights: one array of each for all keys, in key order and, within a
    key, in order of the rows' times; and where each key's part starts. Sliced when read: a tuple
    of two array views per key cost about 300 bytes an article (`tracemalloc`, 10,000 articles).
    The weights are single precision (four bytes a posting less; `MARGIN` covers the
    difference): the exact score reads the profiles'. `keyed` orders the postings by key, then
    by the row's time in whole minutes, in one number: ranking reads only the postings within
    the window of an article (a sixth of a 15-year archive's), found for every key at once."""

    codes: dict[str, int]
    bounds: list[int]
    rows: Rows
    values: Singles
    keyed: npt.NDArray[np.int64]

    @classmethod
    def of(
        cls,
        profiles: Sequence[Profile | None],
        weights_of: Callable[[Profile], Mapping[str, float]],
        times: Floats,
    ) -> "_Postings":
        held = [weights_of(profile) if profile is not None else {} for profile in profiles]
        codes: dict[str, int] = {}
        total = sum(map(len, held))
        coded = np.fromiter(
            (codes.setdefault(key, len(codes)) for weights in held for key in weights),
            np.int64,
            total,
        )
        values = np.fromiter(chain.from_iterable(map(_values, held)), np.float64, total)
        rows = np.repeat(np.arange(len(held), dtype=np.int32), [len(weights) for weights in held])
        keyed = coded * _KEYED + _minutes(times)[rows]
        order = np.argsort(keyed, kind="stable")
        keyed = keyed[order]
        bounds = np.searchsorted(keyed, np.arange(len(codes) + 1) * _KEYED - _KEYED // 2).tolist()
        return cls(codes, bounds, rows[order], values[order].astype(np.float32), keyed)

    def found(
        self, weights: Mapping[str, float], start: float, end: float
    ) -> list[tuple[float, slice]]:
        """Each key of `weights` held here with postings of rows between the times `start` and
        `end` (a minute more each side): its weight and where those are."""
        weighted = []
        for key, weight in pairs_of(weights):
            code = self.codes.get(key)
            if code is not None:
                weighted.append((weight, code))
        if not weighted or (start == -math.inf and end == math.inf):
            return [
                (weight, slice(self.bounds[code], self.bounds[code + 1]))
                for weight, code in weighted
            ]
        codes = np.fromiter((code for _, code in weighted), np.int64, len(weighted)) * _KEYED
        edges = np.searchsorted(
            self.keyed,
            np.concatenate([codes + (_minute(start) - 1), codes + (_minute(end) + 2)]),
        ).tolist()
        count = len(weighted)
        return [
            (weight, slice(edges[index], edges[count + index]))
            for index, (weight, _) in enumerate(weighted)
            if edges[count + index] > edges[index]
        ]


# A key's part of `_Postings.keyed`: wide enough for any row's time in minutes (±2**31 minutes
# is ±4,000 years of 1970).
_KEYED = 2**33


def _minutes(times: Floats) -> npt.NDArray[np.int64]:
    return np.clip(np.floor(times / 60), -(2**31), 2**31).astype(np.int64)


def _minute(time: float) -> int:
    return max(-(2**31), min(2**31, math.floor(time / 60)))


def _values(weights: Mapping[str, float]) -> Iterable[float]:
    return weights.ordered_values if isinstance(weights, Weights) else weights.values()


def _grown(values: npt.NDArray[Any], size: int, fill: float) -> npt.NDArray[Any]:
    """`values` with room for at least `size` rows (half as many again), new rows `fill`."""
    if size <= len(values):
        return values
    rows = max(size, len(values) * 3 // 2 + 16)
    grown = np.full((rows, *values.shape[1:]), fill, values.dtype)
    grown[: len(values)] = values
    return grown


@dataclass
class _Vectors:
    """Every profile as arrays: what ranking one article against all the others reads.

    A row is an article's slot in the model. Rows put or dropped since the arrays were made
    (`fresh`) are left out of the postings and scored one by one instead; a slot with no profile
    (dropped, or only named by a list) has an empty row.
    """

    profiles: list[Profile | None]
    # The model's slots by id (`ObjectId.binary`; shared, not copied).
    position: dict[bytes, int]
    times: Floats
    # How far apart in time two related articles may be (`Statistics.window_seconds`).
    window: float
    sections: npt.NDArray[np.int64]
    section_codes: dict[str, int]
    terms: _Postings
    tags: _Postings
    fresh: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, model: "Model") -> "_Vectors":
        profiles = [model.profiles.get(article_id) for article_id in model.ids]
        times = np.fromiter(
            (profile.published_at.timestamp() if profile else 0.0 for profile in profiles),
            np.float64,
            len(profiles),
        )
        vectors = cls(
            profiles,
            model.slots,
            times,
            model.statistics.window_seconds,
            np.zeros(len(profiles), np.int64),
            {},
            _Postings.of(profiles, lambda profile: profile.terms, times),
            _Postings.of(profiles, lambda profile: profile.tags, times),
        )
        for row, profile in enumerate(profiles):
            if profile is not None:
                vectors._place(row, profile)
        return vectors

    @property
    def stale(self) -> bool:
        return len(self.fresh) > max(FRESH_ROWS, len(self.profiles) // 16)

    def _place(self, row: int, profile: Profile) -> None:
        self.times[row] = profile.published_at.timestamp()
        self.sections[row] = self.section_codes.setdefault(profile.section, len(self.section_codes))

    def put(self, row: int, profile: Profile) -> None:
        if row >= len(self.profiles):
            self.profiles.extend([None] * (row + 1 - len(self.profiles)))
            self.times = _grown(self.times, row + 1, 0.0)
            self.sections = _grown(self.sections, row + 1, 0)
        self.profiles[row] = profile
        self._place(row, profile)
        self.fresh.add(row)

    def drop(self, row: int) -> None:
        if row < len(self.profiles):
            self.profiles[row] = None
            self.fresh.add(row)

    def _accumulate(
        self,
        profile: Profile,
        weights: Mapping[str, float],
        index: _Postings,
        of: Callable[[Profile], Mapping[str, float]],
        fresh: Indices,
    ) -> Floats:
        """Each row's sum of `weights` times its own (a fresh row's from its profile), but for
        rows outside the window of `profile`, which may be 0."""
        size = len(self.profiles)
        time = profile.published_at.timestamp()
        found = index.found(weights, time - self.window, time + self.window)
        if found:
            lengths = [part.stop - part.start for _, part in found]
            scale = np.repeat(np.fromiter((weight for weight, _ in found), np.float64), lengths)
            others = np.concatenate([index.rows[part] for _, part in found])
            values = np.concatenate([index.values[part] for _, part in found]) * scale
            summed = np.bincount(others, weights=values, minlength=size)
        else:
            summed = np.zeros(size)
        for row in fresh.tolist():
            other = self.profiles[row]
            summed[row] = dot(weights, of(other)) if other is not None else 0.0
        return summed

    def _relatedness(self, profile: Profile) -> tuple[Indices, Floats]:
        """Every other profile sharing a signature term or a tag with `profile` within the
        window, and how related they are (`score` before closeness in time), summed on arrays."""
        fresh = np.fromiter(self.fresh, np.intp, len(self.fresh))
        text = self._accumulate(
            profile, profile.terms, self.terms, lambda other: other.terms, fresh
        )
        tags = self._accumulate(profile, profile.tags, self.tags, lambda other: other.tags, fresh)
        shared = np.flatnonzero((text != 0) | (tags != 0))
        if self.window != math.inf:
            apart = np.abs(self.times[shared] - profile.published_at.timestamp())
            shared = shared[apart <= self.window]
        own = self.position.get(profile.id.binary)
        if own is not None:
            shared = shared[shared != own]
        # Only for those sharing something within the window: at 30,000 articles over 15 years,
        # a sixth of them.
        same = self.sections[shared] == self.section_codes.get(profile.section, -1)
        relatedness = TEXT_WEIGHT * text[shared] + TAG_WEIGHT * tags[shared] + SECTION_WEIGHT * same
        return shared, relatedness

    def _scored(self, profile: Profile, rows: Indices, relatedness: Floats) -> Floats:
        """`relatedness` (of `rows`) scaled by closeness in time: each row's score on arrays, the
        same bits however many rows are scored at once."""
        days = np.abs(self.times[rows] - profile.published_at.timestamp()) / 86400
        return relatedness * (1 - TIME_SHARE + TIME_SHARE * np.exp(-days / TIME_SCALE_DAYS))

    def reaching(self, profile: Profile, cuts: Floats) -> list[int]:
        """The rows sharing a word or a tag with `profile` whose score summed on arrays is at
        least their cut (`cuts`, by row) less `MARGIN`. Closeness in time scales relatedness by at
        most 1, so only the rows related that much are scored."""
        shared, relatedness = self._relatedness(profile)
        floors = cuts[shared] - MARGIN
        maybe = np.flatnonzero(relatedness >= floors)
        scores = self._scored(profile, shared[maybe], relatedness[maybe])
        reached: list[int] = shared[maybe[scores >= floors[maybe]]].tolist()
        return reached

    def best_first(self, profile: Profile, wanted: int) -> Iterator[tuple[int, float]]:
        """The rows sharing a word or a tag with `profile`, and their scores summed on arrays
        (`score`'s, within `MARGIN`), highest first (equal scores in no set order).

        Closeness in time scales relatedness by `1 - TIME_SHARE` to 1. So once `head` others
        are related at least `floor`, the best `head` scores are at least `bound`, and whatever
        is related less than `bound` scores less than it: only the others related at least
        `bound` are scored and sorted first (about 6 % of those sharing a word at 30,000
        articles, where most share one), the rest only if ranking reaches below `bound`.
        """
        shared, relatedness = self._relatedness(profile)
        head = _head(wanted)
        if len(shared) <= PRUNED * head:
            scores = self._scored(profile, shared, relatedness)
            for index in _best_first(scores, wanted):
                yield int(shared[index]), float(scores[index])
            return
        bound = (1 - TIME_SHARE) * _floor(relatedness, head)
        near = np.flatnonzero(relatedness >= bound)
        scores = self._scored(profile, shared[near], relatedness[near])
        for index in _best_first(scores, wanted):
            if scores[index] < bound:
                break
            yield int(shared[near[index]]), float(scores[index])
        # Rarely reached (many of the best not admitted): everything below `bound`, in order.
        scores = self._scored(profile, shared, relatedness)
        rest = np.flatnonzero(scores < bound)
        for index in rest[np.argsort(-scores[rest], kind="stable")].tolist():
            yield int(shared[index]), float(scores[index])


@dataclass(frozen=True, slots=True)
class Listing:
    """A stored list: its members in order (pins first), and the order key of its last ranked
    member when the ranked part is full (None: anything related enters)."""

    members: tuple[ObjectId, ...]
    cut: OrderKey | None


# A list's members are a row of slots (four bytes each), wide enough for its ranked part and a
# few pins; a list with more pins is held apart.
WIDTH = STORED + 3
NO_LIST = -1


@dataclass
class Model:
    statistics: Statistics = field(default_factory=Statistics)
    profiles: dict[ObjectId, Profile] = field(default_factory=dict)
    slugs: dict[str, ObjectId] = field(default_factory=dict)
    pinned_by: dict[str, set[ObjectId]] = field(default_factory=dict)
    # Every article id met (a profile's, or a list's member), numbered once: its slot. Slots
    # number the rows of the lists below and of the ranking's arrays, and each id is one object
    # however many lists name it. Keyed by the id's bytes (`ObjectId.binary`, the same object):
    # a process's first write finds the 25 members of every stored list here, and an `ObjectId`
    # key is hashed and compared in Python, bytes in C.
    slots: dict[bytes, int] = field(default_factory=dict)
    ids: list[ObjectId] = field(default_factory=list)
    # The stored lists by slot, as arrays rather than a tuple and a set per list (about 700
    # bytes an article less, docs/operations/scale.md): the members, how many (NO_LIST: none),
    # and the cut's score (-inf: the list takes anything) and time.
    _members: npt.NDArray[np.int32] = field(
        default_factory=lambda: np.full((0, WIDTH), -1, np.int32)
    )
    _counts: npt.NDArray[np.int16] = field(default_factory=lambda: np.zeros(0, np.int16))
    _cut_scores: Floats = field(default_factory=lambda: np.zeros(0))
    _cut_times: Floats = field(default_factory=lambda: np.zeros(0))
    _long: dict[int, tuple[int, ...]] = field(default_factory=dict)
    # The profiles as arrays, made when ranking first needs them and kept up with each change
    # (made again once many changed).
    _arrays: _Vectors | None = None

    def prepare_ranking(self) -> None:
        """Make the ranking's arrays now (before a fork shares them: `cms.related.forked`)."""
        self._vectors()

    def _vectors(self) -> _Vectors:
        if self._arrays is None or self._arrays.stale:
            self._arrays = _Vectors.of(self)
            give_back("making the ranking's arrays")
        return self._arrays

    def _slot(self, article_id: ObjectId) -> int:
        return self._slot_of(article_id.binary, article_id)

    def _slot_of(self, key: bytes, article_id: ObjectId | None = None) -> int:
        """The slot of the id whose bytes are `key` (numbered now if new)."""
        slot = self.slots.get(key)
        if slot is None:
            slot = self.slots[key] = len(self.ids)
            self.ids.append(article_id if article_id is not None else ObjectId(key))
            self._members = _grown(self._members, slot + 1, -1)
            self._counts = _grown(self._counts, slot + 1, NO_LIST)
            self._cut_scores = _grown(self._cut_scores, slot + 1, -math.inf)
            self._cut_times = _grown(self._cut_times, slot + 1, 0.0)
        return slot

    def put(self, profile: Profile) -> ObjectId:
        """Hold `profile` (in place of the article's last); the id object the model keeps."""
        self.drop(profile.id)
        slot = self._slot(profile.id)
        profile_id = self.ids[slot]
        if profile.id is not profile_id:
            # One id object however it was first met (a list naming it, read before it).
            profile = replace(profile, id=profile_id)
        self.profiles[profile_id] = profile
        self.slugs[profile.slug] = profile_id
        for slug in profile.pins:
            self.pinned_by.setdefault(slug, set()).add(profile_id)
        if self._arrays is not None:
            self._arrays.put(slot, profile)
        return profile_id

    def drop(self, article_id: ObjectId) -> None:
        old = self.profiles.pop(article_id, None)
        if old is None:
            return
        if self._arrays is not None:
            self._arrays.drop(self.slots[article_id.binary])
        if self.slugs.get(old.slug) == article_id:
            del self.slugs[old.slug]
        for slug in old.pins:
            self.pinned_by.get(slug, set()).discard(article_id)

    @property
    def listings(self) -> "Listings":
        """The stored lists by article id."""
        return Listings(self)

    def _member_slots(self, slot: int) -> Sequence[int]:
        held = self._long.get(slot)
        return held if held is not None else self._members[slot, : self._counts[slot]].tolist()

    def _cut(self, slot: int) -> OrderKey | None:
        """The cut of the list in `slot`: its last two parts are the last member's time and id,
        so only the score and the time are kept."""
        score = float(self._cut_scores[slot])
        if score == -math.inf:
            return None
        last = self.ids[self._member_slots(slot)[-1]]
        return (-score, float(self._cut_times[slot]), str(last))

    def held_listing(self, slot: int) -> Listing | None:
        if self._counts[slot] == NO_LIST:
            return None
        members = tuple(self.ids[member] for member in self._member_slots(slot))
        return Listing(members, self._cut(slot))

    def listed_slots(self) -> list[int]:
        return np.flatnonzero(self._counts[: len(self.ids)] != NO_LIST).tolist()

    def set_listing(self, article_id: ObjectId, listing: Listing | None) -> None:
        members = None if listing is None else [self._slot(member) for member in listing.members]
        self._list(self._slot(article_id), members, listing.cut if listing else None)

    def set_stored_listing(
        self, article_id: ObjectId, members: str | None, cut: OrderKey | None
    ) -> None:
        """`set_listing` of a list as stored: its members' ids as hexadecimal text, each found
        by its bytes (a process's first write reads every list: no `ObjectId` is made for a
        member already held)."""
        found = None
        if members is not None:
            found = [self._slot_of(bytes.fromhex(member)) for member in members.split()]
        self._list(self._slot(article_id), found, cut)

    def _list(self, slot: int, members: list[int] | None, cut: OrderKey | None) -> None:
        self._members[slot] = -1
        self._long.pop(slot, None)
        self._counts[slot] = NO_LIST
        self._cut_scores[slot] = -math.inf
        if members is None:
            return
        if len(members) > WIDTH:
            self._long[slot] = tuple(members)
        else:
            self._members[slot, : len(members)] = members
        self._counts[slot] = len(members)
        if cut is not None:
            self._cut_scores[slot] = -cut[0]
            self._cut_times[slot] = cut[1]

    def holders(self, article_ids: Iterable[ObjectId]) -> set[ObjectId]:
        """The articles whose stored list holds any of these."""
        found_slots = (self.slots.get(article_id.binary) for article_id in article_ids)
        wanted = [slot for slot in found_slots if slot is not None]
        if not wanted:
            return set()
        held = np.isin(self._members[: len(self.ids)], wanted).any(axis=1)
        found = {self.ids[slot] for slot in np.flatnonzero(held).tolist()}
        found.update(
            self.ids[slot]
            for slot, members in self._long.items()
            if not set(members).isdisjoint(wanted)
        )
        return found

    def rank(
        self, profile: Profile, limit: int, admit: Callable[[Profile], bool]
    ) -> list[tuple[OrderKey, Profile]]:
        """The `limit` best admitted others, best first, by the exact score.

        The others are taken best first by their score summed on arrays, until `limit` are
        admitted and the next is clearly below the last of them; those are scored exactly.
        """
        vectors = self._vectors()
        picked: list[Profile] = []
        last = math.inf
        for row, value in vectors.best_first(profile, limit):
            if len(picked) >= limit and value < last - MARGIN:
                break
            other = vectors.profiles[row]
            assert other is not None  # it shares a word or a tag: it has a profile
            if admit(other):
                picked.append(other)
                if len(picked) == limit:
                    last = value
        against = scorer(profile)
        exact = sorted((order(against(other), other), other) for other in picked)
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
        ids: set[ObjectId] = set()
        pinning: set[ObjectId] = set()
        for old, new in changed:
            for profile in (old, new):
                if profile is not None:
                    pinning |= self.pinned_by.get(profile.slug, set())
                    ids.add(profile.id)
        return ids | pinning | self.holders(ids)

    def entered(self, profile: Profile) -> set[ObjectId]:
        """The lists `profile` (applied, listed) enters: it beats their cut, or they are short."""
        vectors = self._vectors()
        found = set()
        # Scores are symmetric: `profile` enters a list whose last ranked item it outscores; near
        # the cut, by the exact score (`scorer`'s, bit for bit) and then the rest of the order.
        against = scorer(profile)
        for row in vectors.reaching(profile, self._cut_scores):
            other = vectors.profiles[row]
            assert other is not None  # it shares a word or a tag: it has a profile
            if not other.listed or profile.slug in other.excludes:
                continue
            cut = self._cut(row)
            if cut is None or order(against(other), profile) < cut:
                found.add(other.id)
        return found


class Listings(Mapping[ObjectId, Listing]):
    """A model's stored lists, by article id, made from its arrays when asked."""

    def __init__(self, model: Model) -> None:
        self._model = model

    def __getitem__(self, article_id: ObjectId) -> Listing:
        slot = self._model.slots.get(article_id.binary)
        listing = self._model.held_listing(slot) if slot is not None else None
        if listing is None:
            raise KeyError(article_id)
        return listing

    def __iter__(self) -> Iterator[ObjectId]:
        return iter([self._model.ids[slot] for slot in self._model.listed_slots()])

    def __len__(self) -> int:
        return len(self._model.listed_slots())


def _floor(values: Floats, count: int) -> float:
    """A value that at least `count` of `values` reach, near the `count`th highest: taken from
    every `SAMPLED`th value, checked, and found exactly if the sample's falls short (the lowest
    of all if there are no more than `count`)."""
    count = min(count, len(values))
    sample = values[::SAMPLED]
    rank = min(len(sample), 2 * count // SAMPLED + 1)
    guess = float(np.partition(sample, len(sample) - rank)[len(sample) - rank])
    if np.count_nonzero(values >= guess) >= count:
        return guess
    return float(np.partition(values, len(values) - count)[len(values) - count])


def _head(wanted: int) -> int:
    """How many of the best are sorted first to find `wanted` admitted ones (most are)."""
    return 4 * wanted + 16


def _best_first(values: Floats, wanted: int) -> Iterator[int]:
    """Positions in `values`, highest first: a partial sort of the head, the rest if reached."""
    head = _head(wanted)
    if len(values) <= head:
        yield from np.argsort(-values, kind="stable").tolist()
        return
    top = np.argpartition(-values, head)[:head]
    yield from top[np.argsort(-values[top], kind="stable")].tolist()
    # Rarely reached (many of the best not admitted): everything below the head, in order.
    rest = np.setdiff1d(np.arange(len(values)), top, assume_unique=True)
    yield from rest[np.argsort(-values[rest], kind="stable")].tolist()
