"""One feed of changes per process: the event log, followed in order, handed to subscribers.

The catalog of articles, the response cache and live subscriptions all need to hear about every
write, whichever process made it (another API worker, `fixtures load`, another machine on the
same database). They share this feed rather than each polling the log. The feed:

- polls the log every `poll_interval` (one read by `_id` when nothing changed);
- catches up at once after a write made in this process, so its own writes are read back;
- holds back the events of a load until its `load.revealed` event, then hands them over
  together, so subscribers see a load whole or not at all (`cms.spine.loads`).
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from pymongo.errors import PyMongoError

from cms.spine import events
from cms.spine.events import EventReader, EventType, StoredEvent

log = logging.getLogger(__name__)

Subscriber = Callable[[Sequence[StoredEvent]], Awaitable[None]]


class Feed:
    def __init__(self, *, poll_interval: float) -> None:
        self.poll_interval = poll_interval
        self._subscribers: list[Subscriber] = []
        self._reader: EventReader | None = None
        self._held: dict[str, list[StoredEvent]] = {}
        self._lock = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def subscribe(self, subscriber: Subscriber) -> None:
        self._subscribers.append(subscriber)

    @property
    def position(self) -> int:
        return self._reader.position if self._reader else 0

    async def mark(self, position: int | None = None) -> None:
        """Remember where the log ends now, or `position`: what follows is news (call before
        reading state)."""
        self._reader = await EventReader.at_end() if position is None else EventReader(position)

    async def replay(self, subscriber: Subscriber) -> None:
        """Catch up from the mark, handing what is read to `subscriber` alone: state read as it
        was at the mark (a catalog's snapshot), brought up to date before the others subscribe."""
        await self._hand_over([subscriber])

    @contextlib.asynccontextmanager
    async def paused(self) -> AsyncIterator[tuple[int, bool]]:
        """Hold the feed between two batches: where it stands, and whether it holds back any
        load's events. Subscribers' state is then what the log up to there made it."""
        async with self._lock:
            yield self.position, bool(self._held)

    async def start(self) -> None:
        """Follow the log from the mark; this process's own writes are caught up at once."""
        if self._reader is None:
            await self.mark()
        events.add_local_listener(self._nudge)
        self._task = asyncio.create_task(self._follow(), name="newsroom-feed")

    async def stop(self) -> None:
        """Stop between two reads (never in the middle of one, which would strand a socket)."""
        events.remove_local_listener(self._nudge)
        self._stopping.set()
        if self._task is not None:
            await self._task

    async def _follow(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.catch_up()
            except PyMongoError as error:
                log.warning("Following the event log failed, retrying: %s", error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.poll_interval)

    async def _nudge(self) -> None:
        """After a write here: catch up now. If the store fails meanwhile, the write still
        stands; the next poll catches up."""
        try:
            await self.catch_up()
        except PyMongoError as error:
            log.warning("Following the event log failed, retrying: %s", error)

    async def catch_up(self) -> None:
        """Read everything appended so far and hand it to the subscribers."""
        await self._hand_over(self._subscribers)

    async def _hand_over(self, subscribers: Sequence[Subscriber]) -> None:
        assert self._reader is not None, "mark() or start() first"
        async with self._lock:
            while found := await self._reader.read():
                ready = self._release(found)
                if ready:
                    for subscriber in subscribers:
                        await subscriber(ready)

    def _release(self, found: Sequence[StoredEvent]) -> list[StoredEvent]:
        """Events in order, a load's held back until it is revealed."""
        ready: list[StoredEvent] = []
        for event in found:
            if event.type is EventType.LOAD_REVEALED:
                ready += self._held.pop(event.subject, [])
                ready.append(event)
            elif event.load is not None:
                self._held.setdefault(event.load, []).append(event)
            else:
                ready.append(event)
        return ready
