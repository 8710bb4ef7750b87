"""A process's copy of every profile (`Model`), read once, then following the store.

A process that writes (an API worker, the CLI) needs every article's profile to rank and to know
which lists a write moves. It reads them all on first need, then follows the event log: an
article another process changed is read again, with the lists that change moved, as that process
stored them. A load's changes are read when it is revealed, as it staged them until it merges them
(`cms.store.overlay`); a change of more than a tenth of the profiles is read whole, without
working out which lists it moved. Two writes at the very same moment in two processes may each
miss the other's; the next write that touches those lists, or `newsroom related rebuild`, sets
them right.
"""

import asyncio
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId

from cms.memory import give_back
from cms.related.model import Model
from cms.related.store import (
    PROFILES,
    collection,
    read_epoch,
    read_statistics,
    stored_profile,
)
from cms.search.updates import ARTICLE_EVENTS
from cms.spine.events import EventReader, EventType, StoredEvent
from cms.spine.loads import revealed
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
                elif event.type is EventType.LOAD_MERGED and event.subject == self.overlay:
                    self.overlay = None
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
        """Every stored profile, read now (as a revealed load staged them)."""
        self.model = Model(await read_statistics(overlay=self.overlay))
        self.versions = {}
        database = collection(PROFILES).database
        count = 0
        async for document in scan(database, PROFILES, overlay=self.overlay):
            self.apply(document)
            count += 1
            if count % 500 == 0:
                # A whole archive's profiles take a while to parse: let requests in between.
                await asyncio.sleep(0)
        give_back("reading every related profile")


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
