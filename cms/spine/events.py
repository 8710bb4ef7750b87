"""The event log: every write appends what it changed, and any process reads it in order.

It lives in the store because writers and readers are different processes (`fixtures load`, the
CLI, several API workers). Neither store offers the usual tools here (mongoeco has no change
streams and no usable transactions), so:

- Events get consecutive sequence numbers from one counter document (`$inc`), and are stored
  with `_id` = the number as zero-padded text: ordered, and never numeric, so mongoeco's
  per-insert scan for numeric ids stays away.
- A reader keeps its position and asks for what follows: the counter by `_id` says where the
  log ends, and the events after its position are fetched by key. No scan of the growing log.
- A writer that took a number but died before storing its event leaves a hole. Readers wait
  `GAP_GRACE` for it, then fill it with a `gap` marker; the marker's `_id` is taken, so a very
  late writer fails and takes a new number. All readers thus agree on the log's contents.
- Each event carries a unique `event_id` chosen by the write that caused it, and `event_ids`
  records the number it got (its primary key is the event id), so appending it twice (a
  retried or repaired write, two processes announcing one scheduled article) stores it once;
  the second number becomes a gap marker at once.
- Events older than the retention period are pruned.

On MongoDB, a change stream on the content collections could feed the same log (or replace the
polling readers); the log is kept because it also works on the embedded store, and because
readers resume from a plain number.
"""

import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

import bson
from beanie import Document
from bson.codec_options import CodecOptions
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from cms.clock import utcnow
from cms.store.batches import PER_KEY_LIMIT, find_in

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
    AUTHOR_CREATED = "author.created"
    AUTHOR_UPDATED = "author.updated"
    AUTHOR_DELETED = "author.deleted"
    RATING_CHANGED = "rating.changed"
    LOAD_REVEALED = "load.revealed"  # every event of that load (`Event.load`) is in the log
    LOAD_MERGED = "load.merged"  # what the load derived (search, related) is live: read it there
    FEEDBACK_SUBMITTED = "feedback.submitted"  # a reader's private note to the editors
    TOKEN_CREATED = "token.created"
    TOKEN_REVOKED = "token.revoked"
    # A person's account: created, or its role, state or password changed (never their email).
    PERSON_CREATED = "person.created"
    PERSON_UPDATED = "person.updated"
    IMAGE_ADDED = "image.added"  # a new image in the media library
    IMAGE_UPDATED = "image.updated"  # its alt text, caption, credit or focal point changed
    IMAGE_DELETED = "image.deleted"
    LISTS_REBUILT = "lists.rebuilt"  # the search index or related lists were repaired or recomputed
    GAP = "gap"  # a number that no event took
    BATCH = "batch"  # many changes at one number: readers get each of its `events`


def lists_rebuilt(what: str) -> "Event":
    """Announces that search results or related lists changed without any article changing, so
    that whatever keeps answers built from them (response caches) lets them go."""
    return Event(
        event_id=f"lists.rebuilt:{uuid.uuid4().hex}",
        type=EventType.LISTS_REBUILT,
        at=utcnow(),
        actor="system:discovery",
        subject=what,
    )


class Event(BaseModel):
    """Something that changed, as a write describes it before it is numbered."""

    event_id: str = Field(description="Unique per change: appending it again stores nothing.")
    type: EventType
    at: datetime
    actor: str = Field(description="Who made the change, as people read it (never an email).")
    actor_id: str | None = Field(
        default=None,
        description="Who made the change, stably: `person:<account id>` for a person, else the "
        "name (None in events written before it was recorded).",
    )
    subject: str = Field(
        description="The id of the article, tag, author, token or person concerned."
    )
    slug: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    load: str | None = Field(
        default=None,
        description="The load (a batch such as a fixture load) this change belongs to: readers "
        "that show content hold its events back until `load.revealed`, so a load is seen whole.",
    )
    events: list["Event"] | None = Field(
        default=None, description="For a batch: the changes it holds, in order."
    )

    @property
    def renamed_tag(self) -> str | None:
        """The slug of the tag this change renamed, if it renamed one: what search and related
        items read of a tag is its name."""
        renamed = self.type is EventType.TAG_UPDATED and "name" in self.data.get("changed", ())
        return self.slug if renamed and self.slug else None


class StoredEvent(Document, Event):
    """An event in the log, at position `seq` (the `part`-th change of a batch stored there)."""

    id: str  # type: ignore[assignment]  # the zero-padded `seq` (and `.part` in a batch)
    seq: int
    part: int | None = None

    class Settings:
        name = "events"
        # Pruning by age. Events are read by `_id` only.
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("at", ASCENDING)])]


class EventId(Document):
    """Which number an event (by its `event_id`) was given: appending it again stores nothing.

    Its own collection with the event id as `_id`, rather than a unique index on the log: the
    primary key is checked by one lookup on either store, where a secondary unique index costs
    mongoeco a pass over the whole collection on every insert.
    """

    id: str  # type: ignore[assignment]  # the event's `event_id`
    seq: int
    at: datetime

    class Settings:
        name = "event_ids"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("at", ASCENDING)])]


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


async def append(events: Sequence[Event], *, batch: str | None = None) -> None:
    """Store `events` in order at the end of the log; any already stored are skipped.

    With `batch` (an id unique to these events: appending it again stores nothing), they take
    one number and one document, for a few hundred changes of a load at a time: one write, and
    one read for each process following the log, instead of two and one per change. Readers
    get each change as if appended alone (`EventReader`).
    """
    if not events:
        return
    if batch is not None:
        load = {event.load for event in events}
        events = [
            Event(
                event_id=batch,
                type=EventType.BATCH,
                at=events[0].at,
                actor=events[0].actor,
                subject="",
                load=load.pop() if len(load) == 1 else None,
                events=list(events),
            )
        ]
    await _store(events)
    for listener in list(_local_listeners):
        await listener()


async def _store(events: Sequence[Event]) -> None:
    pending = list(events)
    log_ = StoredEvent.get_pymongo_collection()
    numbers = EventId.get_pymongo_collection()
    while pending:
        first = await _take(len(pending))
        claims = [
            {"_id": event.event_id, "seq": first + offset, "at": event.at}
            for offset, event in enumerate(pending)
        ]
        taken: dict[int, int] = {}  # offset -> the number this event already has
        try:
            await numbers.insert_many(claims, ordered=False)
        except BulkWriteError as error:
            for failure in error.details.get("writeErrors", []):
                if failure.get("code") != 11000:
                    raise
                existing = await numbers.find_one({"_id": claims[failure["index"]]["_id"]})
                if existing is not None:
                    taken[failure["index"]] = int(existing["seq"])
        fresh = [
            _document(first + offset, event)
            for offset, event in enumerate(pending)
            if offset not in taken
        ]
        retry = await _insert(log_, fresh)
        for offset, seq in taken.items():
            # Appended before (or being appended by another process): our number stays empty.
            await _fill(log_, first + offset)
            if not await _settle(log_, numbers, seq, pending[offset]):
                retry.append(pending[offset])
        pending = retry


# How a batch's changes are read back: dates as the store's client reads them (aware, in UTC).
_CHANGES: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)


def _document(seq: int, event: Event) -> dict[str, Any]:
    document = {"_id": key(seq), "seq": seq, **event.model_dump(mode="python")}
    if event.events is not None:
        # A batch's changes as one BSON value, not a list of documents: the embedded store's cost
        # is per value, and it writes each batch once but reads it once for every process that
        # follows the log (a 200-change entry: about a tenth of a load's store time before).
        document["events"] = bson.encode({"events": document["events"]})
    return document


def _unpacked(document: dict[str, Any]) -> dict[str, Any]:
    """A stored event with a batch's changes as documents again."""
    packed = document.get("events")
    if isinstance(packed, bytes):
        return document | {"events": bson.decode(packed, codec_options=_CHANGES)["events"]}
    return document


async def _insert(log_: Any, documents: list[dict[str, Any]]) -> list[Event]:
    """Store these; the events whose number a reader meanwhile filled with a gap, to retry."""
    if not documents:
        return []
    try:
        await log_.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        lost = []
        for failure in error.details.get("writeErrors", []):
            if failure.get("code") != 11000:
                raise
            document = _unpacked(documents[failure["index"]])
            lost.append(
                Event.model_validate({k: v for k, v in document.items() if k not in ("_id", "seq")})
            )
        await EventId.get_pymongo_collection().delete_many(
            {"_id": {"$in": [event.event_id for event in lost]}}
        )
        return lost
    return []


async def _fill(log_: Any, seq: int) -> None:
    with contextlib.suppress(DuplicateKeyError):
        await log_.insert_one(_gap(seq))


async def _settle(log_: Any, numbers: Any, seq: int, event: Event) -> bool:
    """Whether `event`, which has number `seq`, is in the log (storing it there if its writer
    died before it could); False if a reader gave its number up as a gap."""
    stored = await log_.find_one({"_id": key(seq)}, {"event_id": 1})
    if stored is None:
        try:
            await log_.insert_one(_document(seq, event))
            return True
        except DuplicateKeyError:
            stored = await log_.find_one({"_id": key(seq)}, {"event_id": 1})
    if stored is not None and stored.get("event_id") == event.event_id:
        return True
    await numbers.delete_one({"_id": event.event_id, "seq": seq})
    return False


async def recorded(event_id: str) -> bool:
    """Whether the event with this `event_id` was appended (and not pruned since)."""
    return (
        await EventId.get_pymongo_collection().find_one({"_id": event_id}, {"_id": 1}) is not None
    )


def next_window(window: int, limit: int, stalled_after: int | None) -> int | None:
    """How many numbers to ask for after a read of `window` (None: `limit`), given where it
    stopped at a number still being written (`stalled_after` found before it; None if not)."""
    if stalled_after is not None:
        return max(1, 2 * stalled_after)
    return None if 2 * window >= limit else 2 * window


class EventReader:
    """Follows the log from a position, in order, each event once."""

    def __init__(self, position: int = 0, *, gap_grace: float = GAP_GRACE) -> None:
        self.position = position
        self.gap_grace = gap_grace
        self._missing_since: dict[int, float] = {}
        # How many numbers the next read asks for; None: as many as it may. A bulk append takes
        # all its numbers first and shows its events one by one on the embedded store, and each
        # number asked for that is not written yet is a command answered for nothing (a
        # 2,000-article load with an API process following it cost ~37,000 of them). So a read
        # that stopped at a number still being written is followed by one asking for about as
        # many as it found (one, if none), doubled while each finds all it asks for.
        self._window: int | None = None

    @classmethod
    async def at_end(cls, *, gap_grace: float = GAP_GRACE) -> "EventReader":
        """A reader that sees only what is appended from now on."""
        return cls(await head(), gap_grace=gap_grace)

    async def read(
        self, limit: int = PER_KEY_LIMIT, *, besides: str | None = None
    ) -> list[StoredEvent]:
        """The events after the position (at most `limit`), advancing past them; past the
        batches of load `besides` too, whose changes are neither read nor returned (a loader
        looking for what others changed meanwhile: its own are most of the log)."""
        while True:
            position = self.position
            found = await self._read_once(limit, besides)
            # Past a window of `besides`' batches alone, read on: empty means nothing is left.
            # Other readers keep returning what one window held, as they did.
            if found or besides is None or self.position == position:
                return found

    async def _read_once(self, limit: int, besides: str | None) -> list[StoredEvent]:
        floor, last = await bounds()
        if self.position < floor:
            log.warning(
                "Events %d to %d were pruned before this reader saw them", self.position + 1, floor
            )
            self.position = floor
        window = limit if self._window is None else min(limit, self._window)
        end = min(last, self.position + window)
        if end <= self.position:
            return []
        # By key, not a range of `_id`: the embedded store answers a key from its primary
        # index, and a range from every document of the log.
        found = await _read_log([key(seq) for seq in range(self.position + 1, end + 1)], besides)
        by_seq = {document["seq"]: document for document in found}
        events: list[StoredEvent] = []
        first = seq = self.position + 1
        self._window = next_window(window, limit, None)
        while seq <= end:
            document = by_seq.get(seq)
            if document is None:
                if not await self._fill_if_abandoned(seq):
                    # Its writer may still be storing it: read on from here next time.
                    self._window = next_window(window, limit, seq - first)
                    break
                document = _gap(seq)
            self._missing_since.pop(seq, None)
            if document["type"] == EventType.BATCH:
                if besides is None or document.get("load") != besides:
                    events += _parts(document)
            elif document["type"] != EventType.GAP:
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


async def _read_log(keys: list[str], besides: str | None) -> list[dict[str, Any]]:
    """The log's entries at these keys; without their changes if batches of load `besides`."""
    log_ = StoredEvent.get_pymongo_collection()
    if besides is None:
        return await find_in(log_, "_id", keys)
    # A batch's changes are nearly all its bytes: read only those of the batches wanted.
    found = await find_in(log_, "_id", keys, projection={"events": 0})
    wanted = {
        document["_id"]
        for document in found
        if document["type"] == EventType.BATCH and document.get("load") != besides
    }
    whole = {document["_id"]: document for document in await find_in(log_, "_id", wanted)}
    # One pruned between the two reads is left out, as if the first had not found it.
    return [
        whole.get(document["_id"], document)
        for document in found
        if document["_id"] not in wanted or document["_id"] in whole
    ]


def _parts(document: dict[str, Any]) -> list[StoredEvent]:
    """The changes a batch holds, each as the event it stands for."""
    return [
        StoredEvent.model_validate(
            {**change, "_id": f"{document['_id']}.{part:05d}", "seq": document["seq"], "part": part}
        )
        for part, change in enumerate(_unpacked(document)["events"])
    ]


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
    await EventId.get_pymongo_collection().delete_many({"at": {"$lt": before}})
    return result.deleted_count
