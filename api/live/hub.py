"""The fan-out of live updates: one feed of the event log in, many bounded subscribers out.

The hub subscribes once to the process's feed (`cms.spine.feed`), so votes, publications and fixture
loads made by any process reach the subscribers of every API process. For each batch of events it
reads what changed once (a rating's counters, a published article) however many subscribers wait
for it, and offers the result to each subscriber's queue without waiting.

Bounded everywhere: a cap on subscribers per process and per client address, and a queue of at
most `queue_size` updates and `queue_bytes` bytes (as each update reads in JSON) per subscriber.
A subscriber whose queue is full is dropped (its stream ends with `TOO_SLOW`): nothing is
buffered without end for a reader that does not keep up. What each update becomes in the answer
is bounded by the query cost limit, which subscriptions pass at subscribe time.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from beanie import PydanticObjectId
from bson import ObjectId
from bson.errors import InvalidId
from prometheus_client import Counter, Gauge
from pymongo.errors import PyMongoError

from api.coded_errors import CodedError
from cms.engagement import ratings
from cms.reading import lookups
from cms.reading.catalog import Catalog
from cms.spine.events import EventType, StoredEvent
from cms.visibility import Audience

log = logging.getLogger(__name__)

SUBSCRIPTIONS = Gauge("newsroom_live_subscriptions", "Live subscriptions held now.")
DROPPED = Counter(
    "newsroom_live_dropped_total", "Live subscribers dropped for falling too far behind."
)
REFUSED = Counter("newsroom_live_refused_total", "Live subscriptions refused by a cap.", ["cap"])
# A rating update's size in JSON, about: a handful of numbers.
RATING_SIZE = 256
# After a failed read of the store, wait this long before reading again.
RETRY_DELAY = 1.0


class TooManySubscriptions(CodedError):
    code = "TOO_MANY_SUBSCRIPTIONS"


class TooSlow(CodedError):
    code = "TOO_SLOW"


@dataclass(frozen=True, slots=True)
class Topic:
    """What a subscriber waits for: one article's rating, or every publication."""

    kind: Literal["rating", "published"]
    article_id: ObjectId | None = None

    @classmethod
    def rating(cls, article_id: ObjectId) -> "Topic":
        return cls("rating", article_id)


PUBLISHED = Topic("published")
_END = object()
_DROPPED = object()


class Subscriber:
    def __init__(self, topic: Topic, client: str, queue_size: int, queue_bytes: int) -> None:
        self.topic = topic
        self.client = client
        self.queue_bytes = queue_bytes
        self.waiting_bytes = 0
        self._queue: asyncio.Queue[tuple[object, int]] = asyncio.Queue(queue_size)

    def offer(self, update: object, size: int) -> bool:
        """Queue `update` (`size` bytes); False (and the subscriber told it is dropped) if its
        queue is full, in count or in bytes. One update, however large, may always wait."""
        if not self._queue.empty() and self.waiting_bytes + size > self.queue_bytes:
            self.end(_DROPPED)
            return False
        try:
            self._queue.put_nowait((update, size))
        except asyncio.QueueFull:
            self.end(_DROPPED)
            return False
        self.waiting_bytes += size
        return True

    def end(self, marker: object = _END) -> None:
        """The subscriber's next and last read is `marker` (the end of its updates, by default):
        what was still waiting goes with it."""
        while not self._queue.empty():
            self._queue.get_nowait()
        self.waiting_bytes = 0
        self._queue.put_nowait((marker, 0))

    async def updates(self) -> AsyncIterator[Any]:
        while True:
            update, size = await self._queue.get()
            self.waiting_bytes -= size
            if update is _END:
                return
            if update is _DROPPED:
                raise TooSlow(
                    "This subscription fell too far behind its updates and was dropped: "
                    "subscribe again, and fetch what it would have shown."
                )
            yield update


class Hub:
    def __init__(
        self,
        catalog: Catalog,
        *,
        max_subscribers: int,
        max_per_client: int,
        queue_size: int,
        queue_bytes: int,
    ) -> None:
        self.catalog = catalog
        self.max_subscribers = max_subscribers
        self.max_per_client = max_per_client
        self.queue_size = queue_size
        self.queue_bytes = queue_bytes
        self._subscribers: dict[Topic, set[Subscriber]] = {}
        self._per_client: dict[str, int] = {}
        self._count = 0
        self._ratings: set[ObjectId] = set()
        self._published: list[ObjectId] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def subscribe(self, topic: Topic, *, client: str) -> AsyncIterator[Subscriber]:
        """A subscriber to `topic` for as long as the block runs; refused over a cap."""
        if self._count >= self.max_subscribers:
            REFUSED.labels("process").inc()
            raise TooManySubscriptions(
                "This server holds as many live subscriptions as it may; try again later."
            )
        if self._per_client.get(client, 0) >= self.max_per_client:
            REFUSED.labels("client").inc()
            raise TooManySubscriptions(
                f"At most {self.max_per_client} live subscriptions per client; end one first."
            )
        subscriber = Subscriber(topic, client, self.queue_size, self.queue_bytes)
        self._subscribers.setdefault(topic, set()).add(subscriber)
        self._per_client[client] = self._per_client.get(client, 0) + 1
        self._count += 1
        SUBSCRIPTIONS.inc()
        try:
            yield subscriber
        finally:
            self._forget(subscriber)

    def _forget(self, subscriber: Subscriber) -> None:
        held = self._subscribers.get(subscriber.topic)
        if held is None or subscriber not in held:
            return
        held.discard(subscriber)
        if not held:
            del self._subscribers[subscriber.topic]
        self._per_client[subscriber.client] -= 1
        if not self._per_client[subscriber.client]:
            del self._per_client[subscriber.client]
        self._count -= 1
        SUBSCRIPTIONS.dec()

    def publish(self, topic: Topic, update: object, size: int) -> None:
        for subscriber in list(self._subscribers.get(topic, ())):
            if not subscriber.offer(update, size):
                DROPPED.inc()
                self._forget(subscriber)

    async def on_events(self, events: Sequence[StoredEvent]) -> None:
        """The feed's subscriber: note what changed for whom; the hub's task reads it."""
        for event in events:
            if event.type is EventType.RATING_CHANGED:
                article_id = _object_id(event.subject)
                if article_id is not None and Topic.rating(article_id) in self._subscribers:
                    self._ratings.add(article_id)
            elif event.type is EventType.ARTICLE_PUBLISHED and PUBLISHED in self._subscribers:
                article_id = _object_id(event.subject)
                if article_id is not None:
                    self._published.append(article_id)
        if self._ratings or self._published:
            self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._deliver(), name="newsroom-live")

    async def stop(self) -> None:
        """End every subscription (each completes) and the delivery task."""
        for held in list(self._subscribers.values()):
            for subscriber in list(held):
                subscriber.end()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _deliver(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            rated, self._ratings = self._ratings, set()
            published, self._published = self._published, []
            try:
                await self._deliver_ratings(rated)
                await self._deliver_published(published)
            except PyMongoError as error:
                log.warning("Reading live updates failed, retrying: %s", error)
                self._ratings |= rated
                self._published = published + self._published
                await asyncio.sleep(RETRY_DELAY)
                self._wake.set()

    async def _deliver_ratings(self, rated: set[ObjectId]) -> None:
        if not rated:
            return
        # Read after the events: the counters hold at least the votes they announced.
        summaries = await ratings.ratings_for(PydanticObjectId(article_id) for article_id in rated)
        for article_id, summary in summaries.items():
            self.publish(Topic.rating(article_id), summary, RATING_SIZE)

    async def _deliver_published(self, published: list[ObjectId]) -> None:
        if not published:
            return
        found = await lookups.by_ids(self.catalog, published, Audience.PUBLIC)
        # Each once, in the order they were published (an article unpublished since is skipped).
        for article_id in dict.fromkeys(published):
            if article_id in found:
                article = found[article_id]
                self.publish(PUBLISHED, article, len(article.model_dump_json()))


def _object_id(subject: str) -> ObjectId | None:
    try:
        return ObjectId(subject)
    except (InvalidId, TypeError):
        return None
