"""A process's copy of the profiles (`Model`), read once, then following the store.

A process that writes (an API worker, the CLI) needs the profiles around what it changes to rank
and to know which lists a write moves: those within two windows of it (`Statistics.window`), and
every profile that pins. It reads those of the last two windows, and the pinning ones, on first
need (`since`); a change to an older article, or a pin of one, reads the profiles it needs then
(`hold`, `hold_pinned`), and keeps those of the last few changes, up to `KEPT_OLDER` (`release`):
a process holds a bounded share of a growing archive. It then follows the event log: an
article another process changed is read again, with the lists that change moved, as that process
stored them. A load's changes are read when it is revealed, as it staged them until it merges them
(`cms.store.overlay`); a change of more than a tenth of the profiles is read whole, without
working out which lists it moved. Two writes at the very same moment in two processes may each
miss the other's; the next write that touches those lists, or `newsroom related rebuild`, sets
them right.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId

from cms.articles import Article
from cms.clock import as_utc, utcnow
from cms.memory import give_back
from cms.related.model import Model
from cms.related.store import (
    PROFILES,
    collection,
    millis,
    read_epoch,
    read_statistics,
    stored_profile,
)
from cms.search.updates import ARTICLE_EVENTS
from cms.spine.events import EventReader, EventType, StoredEvent
from cms.spine.loads import revealed
from cms.store.batches import SCAN_BATCH
from cms.store.overlay import read, scan

# Databases whose state a process keeps (tests open a fresh one each).
KEPT = 2


@dataclass
class State:
    model: Model
    reader: EventReader
    # The statistics' epoch the profiles were made with.
    epoch: str | None = None
    held: dict[str, set[ObjectId]] = field(default_factory=dict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    # The version each profile was made from.
    versions: dict[ObjectId, int] = field(default_factory=dict)
    # A load revealed but not merged yet: its staged profiles are read first.
    overlay: str | None = None
    # Every profile published since this time is held, and every one that pins (None: every
    # profile); older ones in `spans`: those changes read last, least recently first.
    since: datetime | None = None
    spans: list[tuple[datetime, datetime]] = field(default_factory=list)

    def apply(self, document: Mapping[str, Any]) -> None:
        """Take one stored profile (with its list)."""
        profile, version, cut = stored_profile(document)
        article_id = self.model.put(profile)
        self.model.set_stored_listing(article_id, document.get("members"), cut)
        self.versions[article_id] = version

    def forget(self, article_id: ObjectId) -> None:
        self.model.drop(article_id)
        self.model.set_listing(article_id, None)
        self.versions.pop(article_id, None)

    async def reload(self, ids: Iterable[ObjectId]) -> None:
        """Read these profiles again, then the lists their change moved, as stored."""
        wanted = set(ids)
        before = {article_id: self.model.profiles.get(article_id) for article_id in wanted}
        found = {doc["_id"]: doc for doc in await self._read(wanted)}
        for article_id in wanted:
            if article_id in found:
                self.apply(found[article_id])
            else:
                self.forget(article_id)
        changed = [(old, self.model.profiles.get(article_id)) for article_id, old in before.items()]
        around = self.model.touched(changed)
        for _, new in changed:
            if new is not None and new.listed:
                around |= self.model.entered(new)
        for document in await self._read(around - wanted):
            self.apply(document)
        self.release()

    async def _read(self, ids: Iterable[ObjectId]) -> list[dict[str, Any]]:
        database = collection(PROFILES).database
        return await read(database, PROFILES, ids, overlay=self.overlay)

    async def changes(self, *, hold_loads: bool = True) -> set[ObjectId]:
        """The articles changed since this state last read the log (a load's once revealed)."""
        changed: set[ObjectId] = set()
        while found := await self.reader.read():
            for event in found:
                if event.type is EventType.LOAD_REVEALED:
                    changed |= self.held.pop(event.subject, set())
                    if event.data.get("staged"):
                        self.overlay = event.subject
                elif event.type is EventType.LOAD_MERGED:
                    if event.subject == self.overlay:
                        self.overlay = None
                    # Taken in again by the loader after this state may have read them.
                    changed |= {ObjectId(article) for article in event.data.get("retaken", ())}
                elif event.type in ARTICLE_EVENTS and event.load is not None and hold_loads:
                    self.held.setdefault(event.load, set()).add(ObjectId(event.subject))
                elif event.type in ARTICLE_EVENTS and not self._holds(event):
                    changed.add(ObjectId(event.subject))
        return changed

    def _holds(self, event: StoredEvent) -> bool:
        """Whether this state already holds the change `event` announces (its own writes)."""
        article_id = ObjectId(event.subject)
        if event.type is EventType.ARTICLE_DELETED:
            return article_id not in self.model.profiles
        held = self.versions.get(article_id)
        return held is not None and held == event.data.get("version")

    async def catch_up(self) -> None:
        """Read what other processes changed since this state was last current."""
        changed = await self.changes()
        if len(changed) > max(WHOLE, len(self.model.profiles) // 10):
            await self.read_all()
        elif changed:
            await self.reload(changed)

    async def read_all(self) -> None:
        """Every stored profile this state holds (the last two windows' and the pinning ones),
        read now (as a revealed load staged them)."""
        self.model = Model(await read_statistics(overlay=self.overlay))
        self.versions, self.spans = {}, []
        window = self._window()
        self.since = None if window is None else _day(utcnow() - 2 * window)
        since = None if self.since is None else millis(self.since)

        def wanted(document: Mapping[str, Any]) -> bool:
            # A profile stored before profiles had their time outside `p` is held.
            at = document.get("at")
            if since is None or not isinstance(at, int):
                return True
            return at >= since or bool(document.get("pinning"))

        await self._scan(wanted)
        give_back("reading the related profiles")

    async def _scan(
        self,
        wanted: Callable[[Mapping[str, Any]], bool],
        where: Mapping[str, Any] | None = None,
    ) -> None:
        """Take every stored profile the filter `where` selects and `wanted` says to (of the
        document, before its `p` is parsed: the same test as `where`'s, if given, for a load's
        staged profiles, which `where` does not select); not those held already, as this process
        changed them or the log said they changed."""
        database = collection(PROFILES).database
        count = 0
        found = scan(database, PROFILES, overlay=self.overlay, where=where)
        async for document in found:
            if wanted(document) and document["_id"] not in self.model.profiles:
                self.apply(document)
            count += 1
            if count % 500 == 0:
                # A whole archive's profiles take a while to parse: let requests in between.
                await asyncio.sleep(0)

    def _window(self) -> timedelta | None:
        days = self.model.statistics.window
        return None if days is None else timedelta(days=days)

    async def hold(
        self, ids: Collection[ObjectId], articles: Mapping[ObjectId, Mapping[str, Any]]
    ) -> None:
        """Hold what changing (or ranking) these articles reads: their profiles as stored, and
        every profile within two windows of them (at their stored time, and at their time in
        `articles`, as they are now) and of the profiles pinning them. Those older than `since`
        are held until `release`."""
        window = self._window()
        if self.since is None or window is None:
            return
        missing = [article_id for article_id in ids if article_id not in self.model.profiles]
        if missing:
            for document in await self._read(missing):
                self.apply(document)
        times = [as_utc(article["published_at"]) for article in articles.values()]
        slugs = {article["slug"] for article in articles.values()}
        for article_id in ids:
            profile = self.model.profiles.get(article_id)
            if profile is not None:
                times.append(profile.published_at)
                slugs.add(profile.slug)
        for slug in slugs:
            pinning = self.model.pinned_by.get(slug, ())
            times.extend(self.model.profiles[pinner].published_at for pinner in pinning)
        # Whole days: spans read one after another meet rather than leave slivers to read.
        wanted = sorted(
            (_day(at - 2 * window), min(_day(at + 2 * window + DAY), self.since)) for at in times
        )
        spans = _merged([span for span in wanted if span[0] < span[1]])
        parts = [
            (millis(low), millis(high))
            for span in spans
            for low, high in _uncovered(span, self.spans)
        ]
        if parts:
            ranges = [{"at": {"$gte": low, "$lt": high}} for low, high in parts]
            await self._scan(
                lambda document: any(low <= document.get("at", -1) < high for low, high in parts),
                ranges[0] if len(ranges) == 1 else {"$or": ranges},
            )
        for span in spans:
            self.spans = [*_uncovered_spans(self.spans, span), span]

    async def _hold_ids(self, ids: Iterable[ObjectId]) -> None:
        # At once: the embedded store reads every profile for each `find_in` of many ids.
        wanted = [article_id for article_id in ids if article_id not in self.model.profiles]
        for count, document in enumerate(await self._read(wanted), 1):
            self.apply(document)
            if count % SCAN_BATCH == 0:
                await asyncio.sleep(0)

    async def hold_pinned(self, ids: Iterable[ObjectId]) -> None:
        """Hold the articles these articles' profiles pin (older ones are not held yet), until
        `release`."""
        if self.since is None:
            return
        wanted = {
            slug
            for article_id in ids
            if (profile := self.model.profiles.get(article_id)) is not None
            for slug in profile.pins
        }
        wanted -= self.model.slugs.keys()
        if wanted:
            found = Article.get_pymongo_collection().find(
                {"slug": {"$in": sorted(wanted)}}, {"_id": 1}
            )
            await self._hold_ids([document["_id"] async for document in found])

    def release(self) -> None:
        """Let go of the profiles older than `since` (but the pinning ones) outside the spans
        changes read last, as many as `KEPT_OLDER` holds: an editor saving an old article again
        reads nothing again."""
        if self.since is None:
            return
        since = self.since
        older = [
            profile
            for profile in self.model.profiles.values()
            if profile.published_at < since and not profile.pins
        ]
        kept: list[tuple[datetime, datetime]] = []
        count = 0
        for low, high in reversed(self.spans):
            inside = sum(1 for profile in older if low <= profile.published_at < high)
            if count + inside > KEPT_OLDER:
                break
            kept.insert(0, (low, high))
            count += inside
        self.spans = kept
        for profile in older:
            if not any(low <= profile.published_at < high for low, high in kept):
                self.forget(profile.id)


type Span = tuple[datetime, datetime]
DAY = timedelta(days=1)


def _day(at: datetime) -> datetime:
    """The start of the day of `at`."""
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def _uncovered(span: Span, spans: list[Span]) -> list[Span]:
    """The parts of `span` none of `spans` covers."""
    parts = [span] if span[0] < span[1] else []
    for low, high in spans:
        if low >= high:
            continue
        parts = [
            part
            for start, end in parts
            for part in ((start, min(end, low)), (max(start, high), end))
            if part[0] < part[1]
        ]
    return parts


def _uncovered_spans(spans: list[Span], span: Span) -> list[Span]:
    """`spans` (in their order) less what `span` covers."""
    return [part for each in spans for part in _uncovered(each, [span])]


def _merged(spans: list[Span]) -> list[Span]:
    """Sorted spans of time, overlapping ones joined."""
    merged: list[Span] = []
    for low, high in spans:
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return merged


# Profiles older than `State.since` kept after a change read them: at about 2.6 KB of resident
# memory a profile (docs/operations/scale.md), 26 MB at most.
KEPT_OLDER = 10_000

# Changes to fewer profiles than this are read one by one, with the lists they move.
WHOLE = 200

_states: OrderedDict[str, State] = OrderedDict()


async def load() -> State:
    """Every stored profile, read now; the log is followed from before the read."""
    reader = await EventReader.at_end()
    overlay = await revealed()
    state = State(Model(), reader, await read_epoch(overlay=overlay), overlay=overlay)
    await state.read_all()
    return state


async def current() -> State:
    """This process's state for the store in use, read on first need, and again once another
    process measured new statistics (catch it up under its lock before use)."""
    name = collection(PROFILES).database.name
    state = _states.get(name)
    if state is None or state.epoch != await read_epoch(overlay=state.overlay):
        state = _states[name] = await load()
        while len(_states) > KEPT:
            _states.popitem(last=False)
    _states.move_to_end(name)
    return state


def forget() -> None:
    """Read this process's state afresh when next needed."""
    _states.pop(collection(PROFILES).database.name, None)


def replace(state: State) -> None:
    """Use `state` from now on (after a rebuild)."""
    _states[collection(PROFILES).database.name] = state
