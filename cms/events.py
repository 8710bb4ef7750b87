"""The event log: every write appends what it changed, and any process reads it in order.

It lives in the store because writers and readers are different processes (`fixtures load`, the
CLI, several API workers). Neither store offers the usual tools here (mongoeco has no change
streams and no usable transactions), so:

- Events get consecutive sequence numbers from one counter document (`$inc`), and are stored
  with `_id` = the number as zero-padded text: ordered, and never numeric, so mongoeco's
  per-insert scan for numeric ids stays away.
- A reader keeps its position and asks for what follows: the counter by `_id` says where the
  log ends, and one range read by `_id` fetches the rest. No scan of the growing log.
- A writer that took a number but died before storing its event leaves a hole. Readers wait
  `GAP_GRACE` for it, then fill it with a `gap` marker; the marker's `_id` is taken, so a very
  late writer fails and takes a new number. All readers thus agree on the log's contents.
- Each event carries a unique `event_id` chosen by the write that caused it, so appending it
  twice (a retried or repaired write, two processes announcing one scheduled article) stores
  it once; the second number becomes a gap marker at once.
- Events older than the retention period are pruned.

On MongoDB, a change stream on the content collections could feed the same log (or replace the
polling readers); the log is kept because it also works on the embedded store, and because
readers resume from a plain number.
"""

import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from cms.clock import utcnow

log = logging.getLogger(__name__)

COUNTER_ID = "events"
# How long readers wait for a number that was taken but not yet written.
GAP_GRACE = 5.0


class EventType(StrEnum):
    ARTICLE_PUBLISHED = "article.published"  # became public (or its scheduled time arrived)
    ARTICLE_UNPUBLISHED = "article.unpublished"  # was public, is not any more
    ARTICLE_UPDATED = "article.updated"  # public before and after, content changed
    ARTICLE_SCHEDULED = "article.scheduled"  # will become public at `published_at`
    ARTICLE_SAVED = "article.saved"  # changed where the public cannot see it (drafts, review)
    ARTICLE_DELETED = "article.deleted"
    TAG_CREATED = "tag.created"
    TAG_UPDATED = "tag.updated"
    TAG_DELETED = "tag.deleted"
    RATING_CHANGED = "rating.changed"
    LOAD_REVEALED = "load.revealed"  # every event of that load (`Event.load`) is in the log
    FEEDBACK_SUBMITTED = "feedback.submitted"  # a reader's private note to the editors
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    GAP = "gap"  # a number that no event took


class Event(BaseModel):
    """Something that changed, as a write describes it before it is numbered."""

    event_id: str = Field(description="Unique per change: appending it again stores nothing.")
    type: EventType
    at: datetime
    actor: str
    subject: str = Field(description="The id of the article, tag or token concerned.")
    slug: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    load: str | None = Field(
        default=None,
        description="The load (a batch such as a fixture load) this change belongs to: readers "
        "that show content hold its events back until `load.revealed`, so a load is seen whole.",
    )


class StoredEvent(Document, Event):
    """An event in the log, at position `seq`."""

    id: str  # type: ignore[assignment]  # the zero-padded `seq`
    seq: int

    class Settings:
        name = "events"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("event_id", ASCENDING)], unique=True),
            # Pruning by age.
            IndexModel([("at", ASCENDING)]),
        ]


def key(seq: int) -> str:
    return f"{seq:015d}"


class Counter(Document):
    """A named counter, advanced by `$inc` only."""

    id: str  # type: ignore[assignment]
    value: int = 0
    # For the event log: every event up to this number has been pruned.
    floor: int = 0

    class Settings:
        name = "counters"


async def bounds() -> tuple[int, int]:
    """The log's ends: the last number pruned (0 if none) and the last number taken."""
    found = await Counter.get_pymongo_collection().find_one({"_id": COUNTER_ID})
    return (int(found.get("floor", 0)), int(found["value"])) if found else (0, 0)


async def head() -> int:
    """The last number taken so far (0 for an empty log)."""
    return (await bounds())[1]


async def _take(count: int) -> int:
    """Take `count` consecutive numbers; the first one."""
    counter = await Counter.get_pymongo_collection().find_one_and_update(
        {"_id": COUNTER_ID},
        {"$inc": {"value": count}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
    )
    assert counter is not None  # upserted
    return int(counter["value"]) - count + 1


def _gap(seq: int) -> dict[str, Any]:
    return {
        "_id": key(seq),
        "seq": seq,
        "event_id": f"gap:{seq}",
        "type": EventType.GAP.value,
        "at": utcnow(),
        "actor": "",
        "subject": "",
        "slug": None,
        "data": {},
        "load": None,
    }


# In-process readers told after each append here, so this process reads its own writes back.
LocalListener = Callable[[], Awaitable[None]]
_local_listeners: list[LocalListener] = []


def add_local_listener(listener: LocalListener) -> None:
    _local_listeners.append(listener)


def remove_local_listener(listener: LocalListener) -> None:
    with contextlib.suppress(ValueError):
        _local_listeners.remove(listener)


async def append(events: Sequence[Event]) -> None:
    """Store `events` in order at the end of the log; any already stored are skipped."""
    if not events:
        return
    await _store(events)
    for listener in list(_local_listeners):
        await listener()


async def _store(events: Sequence[Event]) -> None:
    pending = list(events)
    collection = StoredEvent.get_pymongo_collection()
    while pending:
        first = await _take(len(pending))
        documents = [
            {"_id": key(first + offset), "seq": first + offset, **event.model_dump(mode="python")}
            for offset, event in enumerate(pending)
        ]
        try:
            await collection.insert_many(documents, ordered=False)
            return
        except BulkWriteError as error:
            retry: list[Event] = []
            holes: list[int] = []
            for failure in error.details.get("writeErrors", []):
                if failure.get("code") != 11000:
                    raise
                index = failure["index"]
                if "event_id" in (failure.get("keyPattern") or {}):
                    holes.append(first + index)  # stored before: our number stays unused
                else:
                    retry.append(pending[index])  # a reader filled our number: take another
            for seq in holes:
                # A reader may have filled it already; either way the number holds a marker.
                with contextlib.suppress(DuplicateKeyError):
                    await collection.insert_one(_gap(seq))
            pending = retry


class EventReader:
    """Follows the log from a position, in order, each event once."""

    def __init__(self, position: int = 0, *, gap_grace: float = GAP_GRACE) -> None:
        self.position = position
        self.gap_grace = gap_grace
        self._missing_since: dict[int, float] = {}

    @classmethod
    async def at_end(cls, *, gap_grace: float = GAP_GRACE) -> "EventReader":
        """A reader that sees only what is appended from now on."""
        return cls(await head(), gap_grace=gap_grace)

    async def read(self, limit: int = 500) -> list[StoredEvent]:
        """The events after the position (at most `limit`), advancing past them."""
        floor, last = await bounds()
        if self.position < floor:
            log.warning(
                "Events %d to %d were pruned before this reader saw them", self.position + 1, floor
            )
            self.position = floor
        end = min(last, self.position + limit)
        if end <= self.position:
            return []
        collection = StoredEvent.get_pymongo_collection()
        found = await (
            collection.find({"_id": {"$gt": key(self.position), "$lte": key(end)}})
            .sort("_id", ASCENDING)
            .to_list()
        )
        by_seq = {document["seq"]: document for document in found}
        events: list[StoredEvent] = []
        seq = self.position + 1
        while seq <= end:
            document = by_seq.get(seq)
            if document is None:
                if not await self._fill_if_abandoned(seq):
                    break  # its writer may still be storing it: read on from here next time
                document = _gap(seq)
            self._missing_since.pop(seq, None)
            if document["type"] != EventType.GAP:
                events.append(StoredEvent.model_validate(document))
            self.position = seq
            seq += 1
        return events

    async def _fill_if_abandoned(self, seq: int) -> bool:
        """Whether `seq` holds nothing for good: waited for long enough, then marked a gap."""
        since = self._missing_since.setdefault(seq, time.monotonic())
        if time.monotonic() - since < self.gap_grace:
            return False
        try:
            await StoredEvent.get_pymongo_collection().insert_one(_gap(seq))
        except DuplicateKeyError:
            return False  # the event (or another reader's marker) arrived: read it next time
        log.warning("Event %d was never written; marked as a gap", seq)
        return True


async def prune(*, before: datetime) -> int:
    """Delete the events up to the last one older than `before`; how many went.

    The log's floor moves first, so a reader that was behind skips the pruned numbers rather than
    waiting for them as if they were still being written.
    """
    collection = StoredEvent.get_pymongo_collection()
    newest_old = await collection.find_one(
        {"at": {"$lt": before}}, {"seq": 1}, sort=[("at", -1), ("_id", -1)]
    )
    if newest_old is None:
        return 0
    floor = int(newest_old["seq"])
    await Counter.get_pymongo_collection().update_one(
        {"_id": COUNTER_ID}, {"$max": {"floor": floor}}, upsert=True
    )
    result = await collection.delete_many({"_id": {"$lte": key(floor)}})
    return result.deleted_count
