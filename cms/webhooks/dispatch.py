"""From the event log to deliveries: one durable reader, shared by every API process.

Its position is a document (`cms.spine.reader_positions`, reader "webhooks"): everything at or below
it has its deliveries made. Every API process runs a dispatcher. Each starts from the stored
position, reads on, makes the deliveries of what it read (each delivery's `_id` names its event and
endpoint, so when two processes make one it is stored once) and then moves the position forward. A
process that finds the position ahead of itself continues from there, so the work is mostly done
once; a crash between making deliveries and moving the position only means that the next reader
makes them again, which stores nothing new.

A load's events (a fixture load) are held back until its `load.revealed`, as the catalog holds
them: a frontend told about an article must be able to read it. The position never passes an
event held back, so a restart reads the unrevealed load again.
"""

import logging
from collections.abc import Sequence

from bson import ObjectId

from cms.articles import Article
from cms.cache_tags import Placement, placements
from cms.clock import utcnow
from cms.spine import reader_positions
from cms.spine.events import EventReader, EventType, StoredEvent
from cms.store.batches import find_in
from cms.webhooks.endpoints import READER
from cms.webhooks.models import Delivery, Endpoint, delivery_id
from cms.webhooks.outbox import enqueue
from cms.webhooks.payload import body, webhook_event

log = logging.getLogger(__name__)
PLACEMENT = {"published_at": 1, "section": 1, "tags": 1, "authors": 1}


class Dispatcher:
    def __init__(self, *, max_tags: int) -> None:
        self.max_tags = max_tags
        self._reader: EventReader | None = None
        self._held: dict[str, list[StoredEvent]] = {}

    @property
    def reading(self) -> bool:
        """Whether the log is being read: an endpoint was added at some point."""
        return self._reader is not None

    def _done_up_to(self) -> int:
        """The position this dispatcher may store: not past any event it holds back."""
        assert self._reader is not None
        held = [event.seq for events in self._held.values() for event in events]
        return min(held) - 1 if held else self._reader.position

    async def run_once(self) -> int:
        """Make the deliveries of everything in the log so far; how many were new."""
        stored = await reader_positions.position(READER)
        if stored is None:
            return 0  # no endpoint was ever added: nothing to read for
        if self._reader is None or stored > self._done_up_to():
            # Another process got further: what is at or below `stored` is done.
            self._reader = EventReader(stored)
            self._held = {}
        made = 0
        while found := await self._reader.read():
            ready = self._release(found)
            if ready:
                made += await self._deliver(ready)
            await reader_positions.advance(READER, self._done_up_to())
        return made

    def _release(self, found: Sequence[StoredEvent]) -> list[StoredEvent]:
        """Events in order, a load's held back until it is revealed."""
        ready: list[StoredEvent] = []
        for event in found:
            if event.type is EventType.LOAD_REVEALED:
                ready += self._held.pop(event.subject, [])
            elif event.load is not None:
                self._held.setdefault(event.load, []).append(event)
            else:
                ready.append(event)
        return ready

    async def _deliver(self, ready: Sequence[StoredEvent]) -> int:
        wanted = [(event, kind) for event in ready if (kind := webhook_event(event)) is not None]
        if not wanted:
            return 0
        found = await Endpoint.get_pymongo_collection().find({"enabled": True}).to_list()
        endpoints = [Endpoint.model_validate(document) for document in found]
        now = utcnow()
        known = await _placements([event for event, _ in wanted])
        deliveries = [
            Delivery(
                id=(new_id := delivery_id(endpoint.id, event.seq, event.part)),
                endpoint=endpoint.id,
                event=kind,
                event_id=event.event_id,
                seq=event.seq,
                subject=event.subject,
                slug=event.slug,
                occurred_at=event.at,
                body=body(
                    delivery=new_id,
                    kind=kind,
                    event=event,
                    known=known.get(event.subject),
                    max_tags=self.max_tags,
                ),
                created_at=now,
                next_attempt_at=now,
            )
            for event, kind in wanted
            for endpoint in endpoints
            if event.seq > endpoint.since and endpoint.wants(kind)
        ]
        made = await enqueue(deliveries)
        if made:
            log.debug("Queued %d webhook deliveries", made)
        return made


async def _placements(events: Sequence[StoredEvent]) -> dict[str, Placement]:
    """Where the articles of events that do not say it (a scheduled arrival or departure) are
    listed, as stored: their feeds and sitemaps are what changed."""
    ids = {
        ObjectId(event.subject)
        for event in events
        if event.type.value.startswith("article.") and not placements(event, None)
    }
    found = await find_in(Article.get_pymongo_collection(), "_id", ids, projection=PLACEMENT)
    return {
        str(document["_id"]): placed
        for document in found
        if (placed := Placement.of(document)) is not None
    }
