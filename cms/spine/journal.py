"""One way to write: an operation is journaled first, then applied, then announced.

The store has no multi-document transactions we can use (mongoeco blocks every other client
while one is open), yet a write changes a document, keeps a revision and appends events, and a
crash between those steps must lose nothing. So every write is an `Operation`:

1. The operation (its changes and its events) is inserted into the `journal` collection.
2. Its changes are applied in order, after its prelude: changes that hold whatever becomes of
   the rest (a revision of the version a save replaces), so that a reader who sees the rest
   applied finds them too. Each change is idempotent: an update carries the
   operation's id into the document's `recent_ops` in the same atomic update and is skipped
   where the id is already there; puts and removals are idempotent by nature. The first change
   may carry an expectation (`version` equals what the caller read): if it fails, nothing was
   applied and the caller gets a conflict.
3. Its events are appended to the log (idempotent by `event_id`) and hooks run.
4. The journal entry is deleted.

A process that dies anywhere in between leaves the entry behind, and so does a living process whose
store connection died under it (the request failed; nothing there will touch the operation again).
`sweep` (run by every API process) completes such entries, telling the second kind by the owner's
heartbeat (`liveness`: an operation journaled before a beat that does not list it among the
owner's busy ones was given up): it applies what was not applied, then appends the events; `settle`
does the same at once for operations a caller names (a voter's retry completes its own vote). An
operation is therefore applied once and announced once, however often it is retried, as long as
its id is still among the document's `recent_ops` when the retry comes: a document that many
operations change at once (an article's vote counters) keeps more of them (`keep_ops`). The journal
holds only operations in flight, so a sweep reads a handful of documents, not the archive.
"""

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import (
    ASCENDING,
    DeleteOne,
    IndexModel,
    InsertOne,
    ReplaceOne,
    ReturnDocument,
    UpdateOne,
)
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from cms.clock import utcnow
from cms.spine import events, liveness
from cms.spine.events import Event
from cms.store.batches import find_in

log = logging.getLogger(__name__)

# How many applied operation ids a document remembers; far more than can be in flight on it.
RECENT_OPS = 16


class ChangeKind(StrEnum):
    INSERT = "insert"  # a new document; fails if its `_id` or a unique key is taken
    UPDATE = "update"  # `$set`/`$unset`/`$inc` on one document, once per operation
    DELETE = "delete"  # remove one document
    PUT = "put"  # replace or create a whole derived document (schedules)
    RECORD = "record"  # write an immutable document once (revisions); already there is done
    REMOVE = "remove"  # remove a derived document if it exists


class Change(BaseModel):
    collection: str
    target: Any = Field(description="The document's `_id`.")
    kind: ChangeKind
    expect: dict[str, Any] = Field(
        default_factory=dict, description="Conditions the document must meet (first change only)."
    )
    set: dict[str, Any] = Field(default_factory=dict)
    unset: list[str] = Field(default_factory=list)
    inc: dict[str, int] = Field(default_factory=dict)
    upsert: bool = False
    set_on_insert: dict[str, Any] = Field(
        default_factory=dict, description="For an upsert: fields a new document starts with."
    )
    keep_ops: int = Field(
        default=RECENT_OPS,
        description="How many applied operation ids the document remembers: more than can "
        "change it between this operation and its last possible retry (the sweep's).",
    )
    document: dict[str, Any] = Field(default_factory=dict, description="For insert and put.")


class Operation(Document):
    """A write in flight: what it changes and what it announces."""

    id: str  # type: ignore[assignment]
    at: datetime
    actor: str
    changes: list[Change]
    # Applied before `changes`, whether or not the first of them is refused: records (`RECORD`)
    # true whatever this operation does.
    prelude: list[Change] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    # The process running it (`cms.spine.liveness`): only a dead one's operations are swept.
    owner: str = Field(default_factory=lambda: liveness.PROCESS_ID)

    class Settings:
        name = "journal"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("at", ASCENDING)])]


def new_operation(*, actor: str, changes: list[Change], events: list[Event]) -> Operation:
    return Operation(id=uuid.uuid4().hex, at=utcnow(), actor=actor, changes=changes, events=events)


def new_op_id() -> str:
    return uuid.uuid4().hex


class ChangeRefused(Exception):
    """The first change's expectation failed, or a unique key is taken: nothing was applied."""

    def __init__(self, change: Change, key_pattern: dict[str, Any] | None = None) -> None:
        super().__init__(f"{change.kind} {change.collection}/{change.target} refused")
        self.change = change
        self.key_pattern = key_pattern or {}


# Run after an operation's changes are applied, before its journal entry goes (also when a sweep
# completes it): derived structures that must follow every write (`cms.followers` installs them).
# Each must be idempotent.
Hook = Callable[[Sequence[Operation]], Awaitable[None]]
_hooks: list[Hook] = []


def on_applied(hook: Hook) -> Hook:
    if hook not in _hooks:  # installed once, however often a process opens the store
        _hooks.append(hook)
    return hook


def _db() -> AsyncDatabase[dict[str, Any]]:
    return Operation.get_pymongo_collection().database


def _filter(change: Change, op_id: str) -> dict[str, Any]:
    if change.kind is ChangeKind.UPDATE:
        return {"_id": change.target, **change.expect, "recent_ops": {"$ne": op_id}}
    if change.kind is ChangeKind.DELETE:
        return {"_id": change.target, **change.expect}
    return {"_id": change.target}


def _update(change: Change, op_id: str) -> dict[str, Any]:
    update: dict[str, Any] = {
        "$push": {"recent_ops": {"$each": [op_id], "$slice": -change.keep_ops}}
    }
    if change.set:
        update["$set"] = change.set
    if change.set_on_insert:
        update["$setOnInsert"] = change.set_on_insert
    if change.unset:
        update["$unset"] = dict.fromkeys(change.unset, "")
    if change.inc:
        update["$inc"] = change.inc
    return update


def _inserted(change: Change, op_id: str) -> dict[str, Any]:
    if change.kind is ChangeKind.RECORD:
        return {**change.document, "_id": change.target}
    return {**change.document, "_id": change.target, "recent_ops": [op_id]}


def _write(change: Change, op_id: str) -> InsertOne[Any] | UpdateOne | DeleteOne | ReplaceOne[Any]:
    """The change as one bulk-write request."""
    where = _filter(change, op_id)
    if change.kind in {ChangeKind.INSERT, ChangeKind.RECORD}:
        return InsertOne(_inserted(change, op_id))
    if change.kind is ChangeKind.UPDATE:
        return UpdateOne(where, _update(change, op_id), upsert=change.upsert)
    if change.kind is ChangeKind.PUT:
        return ReplaceOne(where, change.document, upsert=True)
    return DeleteOne(where)


async def _applied(change: Change, op_id: str) -> bool:
    """Whether `change` of operation `op_id` is already in the store."""
    collection = _db()[change.collection]
    if change.kind in {ChangeKind.DELETE, ChangeKind.REMOVE}:
        return await collection.find_one({"_id": change.target}, {"_id": 1}) is None
    if change.kind is ChangeKind.PUT:
        return False  # cheap to redo
    if change.kind is ChangeKind.RECORD:
        return await collection.find_one({"_id": change.target}, {"_id": 1}) is not None
    found = await collection.find_one({"_id": change.target, "recent_ops": op_id}, {"_id": 1})
    return found is not None


# Updated documents are returned without their `recent_ops`: nobody reads them, and a document
# that keeps many (vote counters) would send them back on every write.
_RETURNED = {"recent_ops": 0}


async def _apply_one(change: Change, op_id: str) -> dict[str, Any] | None:
    """Apply `change` unless already applied; an updated document as it is now.

    ChangeRefused if it cannot apply (its expectation failed, or a unique key is taken).
    """
    collection = _db()[change.collection]
    where = _filter(change, op_id)
    try:
        if change.kind is ChangeKind.UPDATE:
            found = await collection.find_one_and_update(
                where,
                _update(change, op_id),
                projection=_RETURNED,
                upsert=change.upsert,
                return_document=ReturnDocument.AFTER,
            )
            if found is None and not await _applied(change, op_id):
                raise ChangeRefused(change)
            return found or await collection.find_one({"_id": change.target}, _RETURNED)
        if change.kind in {ChangeKind.INSERT, ChangeKind.RECORD}:
            await collection.insert_one(_inserted(change, op_id))
        elif change.kind is ChangeKind.PUT:
            await collection.replace_one(where, change.document, upsert=True)
        else:
            result = await collection.delete_one(where)
            if not result.deleted_count and not await _applied(change, op_id):
                raise ChangeRefused(change)
    except DuplicateKeyError as error:
        if await _applied(change, op_id):
            return await collection.find_one({"_id": change.target}, _RETURNED)
        if change.kind is ChangeKind.UPDATE and change.upsert:
            # Two first writes raced to create the document; now it exists, update it.
            return await _apply_one(change.model_copy(update={"upsert": False}), op_id)
        raise ChangeRefused(change, (error.details or {}).get("keyPattern")) from error
    return None


async def _announce(operations: Sequence[Operation], *, batch: str | None = None) -> None:
    for hook in _hooks:
        await hook(operations)
    announced = [event for operation in operations for event in operation.events]
    await events.append(announced, batch=batch)


@contextlib.contextmanager
def _busy(op_id: str) -> Iterator[None]:
    """Mark the operation as being applied by this process (its heartbeats say so) until its
    journal entry is gone or the process gives it up."""
    liveness.BUSY.add(op_id)
    try:
        yield
    finally:
        liveness.BUSY.discard(op_id)


async def run(operation: Operation) -> list[dict[str, Any] | None]:
    """Journal, apply, announce and forget `operation`; each updated document as it is now.

    ChangeRefused: nothing changed.
    """
    journal = Operation.get_pymongo_collection()
    with _busy(operation.id):
        # Journaled now, after it is marked busy: a beat later than this lists it while it runs.
        await journal.insert_one(operation.model_dump(by_alias=True) | {"at": utcnow()})
        for change in operation.prelude:
            await _apply_one(change, operation.id)
        try:
            results = [await _apply_one(change, operation.id) for change in operation.changes]
        except ChangeRefused:
            await journal.delete_one({"_id": operation.id})
            raise
        await _announce([operation])
        await journal.delete_one({"_id": operation.id})
    return results


async def apply_batch(
    operations: Sequence[Operation], *, batch: str | None = None
) -> list[Operation]:
    """Apply and announce many journaled operations in a few bulk commands; those that applied.

    The caller has recorded them (`cms.spine.loads` keeps a load's operations in chunks). Their
    preludes go first, then the first changes in one bulk write per collection, the rest of the
    applied operations' changes in another, then their events in one append (as one batch,
    `batch` its id, if given: the same every time these operations are applied): a chunk of
    hundreds of articles costs a handful of commands, not several per article. Operations whose
    first change was refused (the document moved on) leave nothing but their preludes.
    """
    await _bulk_apply([(change, op.id) for op in operations for change in op.prelude])
    applied = await _apply_first_changes(operations)
    rest = [(change, op.id) for op in applied for change in op.changes[1:]]
    await _bulk_apply(rest)
    await _announce(applied, batch=batch)
    return applied


async def _apply_first_changes(operations: Sequence[Operation]) -> list[Operation]:
    failed = await _bulk_apply([(operation.changes[0], operation.id) for operation in operations])
    return [operation for index, operation in enumerate(operations) if index not in failed]


async def _bulk_apply(items: Sequence[tuple[Change, str]]) -> set[int]:
    """Apply changes grouped by collection; the indexes (into `items`) that were refused.

    What the bulk write answers settles most of it: an insert that did not fail applied, and if
    every update (or delete) matched, every one applied. Only the rest (an insert that met a
    taken key, updates or deletes when fewer matched) is read back, one query per collection:
    applied before (a repeated chunk), or refused.
    """
    by_collection: dict[str, list[int]] = {}
    for index, (change, _) in enumerate(items):
        by_collection.setdefault(change.collection, []).append(index)
    refused: set[int] = set()
    for collection_name, indexes in by_collection.items():
        collection = _db()[collection_name]
        requests = [_write(*items[index]) for index in indexes]
        failed: set[int] = set()
        try:
            result = await collection.bulk_write(requests, ordered=False)
            done = {
                "matched": result.matched_count + result.upserted_count,
                "removed": result.deleted_count,
            }
        except BulkWriteError as error:
            if any(failure.get("code") != 11000 for failure in error.details["writeErrors"]):
                raise
            failed = {indexes[failure["index"]] for failure in error.details["writeErrors"]}
            details = error.details
            done = {
                "matched": details.get("nMatched", 0) + details.get("nUpserted", 0),
                "removed": details.get("nRemoved", 0),
            }
        kinds = {index: items[index][0].kind for index in indexes}
        updates = [i for i in indexes if kinds[i] is ChangeKind.UPDATE]
        deletes = [i for i in indexes if kinds[i] is ChangeKind.DELETE]
        # Puts, records and removals cannot be refused; inserts, updates and deletes can. A put
        # counts once among the matched or upserted; a removal may or may not count as removed.
        puts = sum(1 for i in indexes if kinds[i] is ChangeKind.PUT and i not in failed)
        removals = any(kinds[i] is ChangeKind.REMOVE for i in indexes)
        checked = [i for i in indexes if kinds[i] is ChangeKind.INSERT and i in failed]
        if updates and done["matched"] - puts < len(updates):
            checked += updates
        if deletes and (removals or done["removed"] < len(deletes)):
            checked += deletes
        if not checked:
            continue
        found = await find_in(
            collection, "_id", [items[i][0].target for i in checked], projection={"recent_ops": 1}
        )
        recent = {document["_id"]: document.get("recent_ops", []) for document in found}
        for index in checked:
            change, op_id = items[index]
            if change.kind is ChangeKind.DELETE:
                applied = change.target not in recent
            else:
                applied = op_id in recent.get(change.target, [])
            if not applied:
                refused.add(index)
    return refused


async def sweep(*, older_than: timedelta = timedelta(seconds=30)) -> int:
    """Complete the operations left in the journal by a process that died, or that gave them up
    when its store connection died; how many.

    Only operations older than `older_than` are taken, and never one its living process is still
    applying, however slowly (completing it twice could apply a change twice once its id has
    left a busy document's `recent_ops`).
    """
    journal = Operation.get_pymongo_collection()
    cutoff = utcnow() - older_than
    stale = await journal.find({"at": {"$lte": cutoff}}).sort("at", ASCENDING).to_list()
    given_up = await _given_up(stale)
    if not given_up:
        return 0
    # Read again after the beats: an operation that finished just before its owner's beat left
    # the journal before leaving the busy set, so only those still here were given up.
    still = await find_in(journal, "_id", [document["_id"] for document in given_up])
    return await _complete(sorted(still, key=lambda document: document["at"]))


async def settle(op_ids: Sequence[str]) -> int:
    """Complete now those of these operations still in the journal, whatever their age; how many.

    For a caller that must see an operation's whole effect before it writes on top of it. If the
    operation's own process is still running it, both apply it: each change still applies once.
    """
    if not op_ids:
        return 0
    found = await find_in(Operation.get_pymongo_collection(), "_id", op_ids)
    return await _complete(sorted(found, key=lambda document: document["at"]))


async def in_flight(collection: str | None = None, target: Any = None) -> list[Operation]:
    """The journaled operations that change `collection` (its `target` document, if given),
    oldest first; every one if no `collection` (the writes in flight now, and those left by
    processes that died or gave them up, until a sweep completes them)."""
    wanted = {"collection": collection} | ({"target": target} if target is not None else {})
    found = await (
        Operation.get_pymongo_collection()
        .find({"changes": {"$elemMatch": wanted}} if collection is not None else {})
        .sort("at", ASCENDING)
        .to_list()
    )
    return [Operation.model_validate(document) for document in found]


async def past_in_flight(*, poll: float = 0.02) -> None:
    """Wait until every operation journaled before this call has left the journal (applied and
    announced, its hooks run), or its process died or gave it up: a write that started before a
    caller's change of course has finished acting on what it found. A sweep completes the
    others, and their hooks run again then."""
    journal = Operation.get_pymongo_collection()
    fields = {"_id": 1, "owner": 1, "at": 1}
    waiting = await journal.find({}, fields).to_list()
    while waiting:
        ids = [document["_id"] for document in waiting]
        still = await find_in(journal, "_id", ids, projection=fields)
        given_up = {document["_id"] for document in await _given_up(still)}
        waiting = [document for document in still if document["_id"] not in given_up]
        if waiting:
            await asyncio.sleep(poll)


async def _given_up(documents: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Those of these journal entries whose process died, or gave them up (`liveness`)."""
    living = await liveness.beats(document.get("owner", "") for document in documents)
    return [
        document
        for document in documents
        if (beat := living.get(document.get("owner", ""))) is None
        or beat.gave_up(document["_id"], document["at"])
    ]


async def _complete(documents: Sequence[dict[str, Any]]) -> int:
    """Apply what was not applied of these journal entries, announce them, and forget them."""
    journal = Operation.get_pymongo_collection()
    completed = 0
    for document in documents:
        operation = Operation.model_validate(document)
        with _busy(operation.id):
            for change in operation.prelude:
                await _apply_one(change, operation.id)
            try:
                for change in operation.changes:
                    await _apply_one(change, operation.id)
            except ChangeRefused:
                # Its first change no longer applies (the document moved on): nothing happened.
                log.info("Journal operation %s no longer applies; dropped", operation.id)
            else:
                await _announce([operation])
                completed += 1
            await journal.delete_one({"_id": operation.id})
    return completed
