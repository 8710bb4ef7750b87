"""Deliveries as documents: queued once, claimed by one sender at a time, recorded, pruned.

- **Queued once.** A delivery's `_id` names its endpoint and event, so every process that reads
  the event may queue it and it is stored once. The record goes in first and its queue entry
  second, so a crash in between is repaired by queueing again. A process that read the event
  late may queue a delivery again after it was finished; the claim sees the finished record and
  drops the entry, so it is not sent twice.
- **Claimed by one.** A sender takes a due entry with one `find_one_and_update`, which moves its
  `due` time to the end of a lease and names the sender. Another process may take it only after
  the lease, so a sender that died leaves its deliveries to the others, and a live one (whose
  attempts are bounded by the timeouts) is never overtaken.
- **Recorded.** Each attempt is a document; the record then says what happened, and only then
  is the queue entry deleted (or given its retry time): a crash in between sends it again
  rather than losing it. Delivery is at least once; receivers drop repeats by delivery id.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from cms.clock import utcnow
from cms.config import Settings
from cms.spine import liveness
from cms.store.batches import chunks
from cms.webhooks.models import (
    LATENCY_SAMPLES,
    Attempt,
    AttemptOutcome,
    Delivery,
    DeliveryState,
    Endpoint,
    QueuedDelivery,
    attempt_id,
)

log = logging.getLogger(__name__)


async def _insert_new(collection: Any, documents: Sequence[dict[str, Any]]) -> set[str]:
    """Insert what is not stored yet; the `_id`s that were already there."""
    taken: set[str] = set()
    for part in chunks(documents):
        try:
            await collection.insert_many(part, ordered=False)
        except BulkWriteError as error:
            for failure in error.details.get("writeErrors", []):
                if failure.get("code") != 11000:
                    raise
                taken.add(part[failure["index"]]["_id"])
    return taken


async def enqueue(deliveries: Sequence[Delivery]) -> int:
    """Store and queue `deliveries`, each once however often it is asked; how many were new."""
    if not deliveries:
        return 0
    # Absent rather than null until set: a range filter (pruning) must see one type only.
    records = [delivery.model_dump(by_alias=True, exclude_none=True) for delivery in deliveries]
    existing = await _insert_new(Delivery.get_pymongo_collection(), records)
    # Stored before: queue it again only if it is still waiting for its first attempt (a crash
    # came between record and queue entry). A finished one stays finished.
    collection = Delivery.get_pymongo_collection()
    waiting = [
        delivery
        for delivery in deliveries
        if delivery.id not in existing
        or await collection.find_one(
            {"_id": delivery.id, "state": DeliveryState.PENDING.value, "attempts": 0}, {"_id": 1}
        )
    ]
    entries = [
        QueuedDelivery(id=d.id, endpoint=d.endpoint, due=d.created_at).model_dump(by_alias=True)
        for d in waiting
    ]
    await _insert_new(QueuedDelivery.get_pymongo_collection(), entries)
    return len(deliveries) - len(existing)


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery this process holds until its lease runs out, as attempt number `attempt`."""

    delivery: Delivery
    endpoint: Endpoint
    attempt: int
    # The attempt this round began with: 1, or the next number for a delivery sent again.
    first: int = 1

    @property
    def tries(self) -> int:
        """Attempts of this round, this one included."""
        return self.attempt - self.first + 1


def _mine(claim: Claim) -> dict[str, Any]:
    """The queue entry, as long as this claim still holds it."""
    return {"_id": claim.delivery.id, "owner": liveness.PROCESS_ID, "attempts": claim.attempt}


async def claim(*, lease: timedelta, max_attempts: int) -> Claim | None:
    """Take the most overdue delivery, if one is due; None if none is."""
    queue = QueuedDelivery.get_pymongo_collection()
    while True:
        now = utcnow()
        entry = await queue.find_one_and_update(
            {"due": {"$lte": now}},
            {"$set": {"due": now + lease, "owner": liveness.PROCESS_ID}, "$inc": {"attempts": 1}},
            sort=[("due", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        if entry is None:
            return None
        mine = {"_id": entry["_id"], "owner": liveness.PROCESS_ID, "attempts": entry["attempts"]}
        # The number this round of attempts began with (later than 1 once sent again).
        first = int(entry.get("first", 1))
        record = await Delivery.get_pymongo_collection().find_one({"_id": entry["_id"]})
        if record is None or record["state"] != DeliveryState.PENDING:
            await queue.delete_one(mine)  # finished (or pruned) already: queued again late
            continue
        delivery = Delivery.model_validate(record)
        found = await Endpoint.get_pymongo_collection().find_one({"_id": entry["endpoint"]})
        endpoint = Endpoint.model_validate(found) if found else None
        why = None
        if endpoint is None or not endpoint.enabled:
            why = "not sent: the endpoint was disabled or removed"
        elif entry["attempts"] - first + 1 > max_attempts:
            # Its earlier claimers stopped before recording their attempts.
            why = f"gave up after {max_attempts} attempts"
        if why is not None:
            if await _finish(delivery.id, DeliveryState.FAILED, error=why, attempts=None):
                await Endpoint.get_pymongo_collection().update_one(
                    {"_id": entry["endpoint"]}, {"$inc": {"failed": 1}}
                )
            await queue.delete_one(mine)
            continue
        assert endpoint is not None
        return Claim(
            delivery=delivery, endpoint=endpoint, attempt=int(entry["attempts"]), first=first
        )


async def release(claim: Claim) -> None:
    """Give a delivery back unsent (this process is stopping): another may send it at once."""
    await QueuedDelivery.get_pymongo_collection().update_one(
        _mine(claim), {"$set": {"due": utcnow(), "owner": None}, "$inc": {"attempts": -1}}
    )


@dataclass(frozen=True, slots=True)
class Result:
    """What one attempt came to."""

    outcome: AttemptOutcome  # RETRY: worth trying again (the sender decides if it may)
    duration_ms: float
    status: int | None = None
    error: str | None = None


def retry_delay(attempt: int, delays: Sequence[float]) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1 for the first)."""
    return timedelta(seconds=delays[min(attempt, len(delays)) - 1])


async def record(claim: Claim, result: Result, settings: Settings) -> DeliveryState:
    """Keep the attempt, update the delivery and its endpoint, then dequeue or reschedule."""
    now = utcnow()
    outcome = result.outcome
    if outcome is AttemptOutcome.RETRY and claim.tries >= settings.webhooks_max_attempts:
        outcome = AttemptOutcome.FAILED
    attempt = Attempt(
        id=attempt_id(claim.delivery.id, claim.attempt),
        delivery=claim.delivery.id,
        endpoint=claim.endpoint.id,
        number=claim.attempt,
        at=now,
        duration_ms=round(result.duration_ms, 3),
        status=result.status,
        error=result.error,
        outcome=outcome,
        process=liveness.PROCESS_ID,
    )
    try:
        await Attempt.get_pymongo_collection().insert_one(attempt.model_dump(by_alias=True))
        first_record = True
    except DuplicateKeyError:
        first_record = False  # recorded by an earlier try of this same step
    queue = QueuedDelivery.get_pymongo_collection()
    if outcome is AttemptOutcome.RETRY:
        due = now + retry_delay(claim.tries, settings.webhooks_retry_delays)
        await Delivery.get_pymongo_collection().update_one(
            {"_id": claim.delivery.id, "state": DeliveryState.PENDING.value},
            {
                "$set": {
                    "next_attempt_at": due,
                    "last_status": result.status,
                    "last_error": result.error,
                },
                "$max": {"attempts": claim.attempt},
            },
        )
        await _count_attempt(claim, result, first_record, finished=None, settings=settings)
        await queue.update_one(_mine(claim), {"$set": {"due": due, "owner": None}})
        return DeliveryState.PENDING
    state = DeliveryState.SENT if outcome is AttemptOutcome.SENT else DeliveryState.FAILED
    finished = await _finish(
        claim.delivery.id,
        state,
        error=result.error,
        status=result.status,
        attempts=claim.attempt,
    )
    await _count_attempt(
        claim, result, first_record, finished=state if finished else None, settings=settings
    )
    await queue.delete_one(_mine(claim))
    return state


async def _finish(
    delivery: str,
    state: DeliveryState,
    *,
    error: str | None,
    attempts: int | None,
    status: int | None = None,
) -> bool:
    """Mark a pending delivery finished; whether this call did (not an earlier one)."""
    update: dict[str, Any] = {
        "$set": {
            "state": state.value,
            "finished_at": utcnow(),
            "next_attempt_at": None,
            "last_error": error,
            "last_status": status,
        }
    }
    if attempts is not None:
        update["$max"] = {"attempts": attempts}
    result = await Delivery.get_pymongo_collection().update_one(
        {"_id": delivery, "state": DeliveryState.PENDING.value}, update
    )
    return result.modified_count == 1


async def _count_attempt(
    claim: Claim,
    result: Result,
    first_record: bool,
    *,
    finished: DeliveryState | None,
    settings: Settings,
) -> None:
    """The endpoint's totals, latency samples and run of failures; disable it after too many."""
    update: dict[str, Any] = {}
    if first_record:
        update["$inc"] = {"attempts": 1}
        update["$push"] = {
            "latencies_ms": {"$each": [round(result.duration_ms, 3)], "$slice": -LATENCY_SAMPLES}
        }
    if finished is DeliveryState.SENT:
        update.setdefault("$inc", {})["sent"] = 1
        update["$set"] = {"consecutive_failures": 0}
    elif finished is DeliveryState.FAILED:
        update.setdefault("$inc", {}).update(failed=1, consecutive_failures=1)
    if not update:
        return
    endpoints = Endpoint.get_pymongo_collection()
    after = await endpoints.find_one_and_update(
        {"_id": claim.endpoint.id}, update, return_document=ReturnDocument.AFTER
    )
    failures = int(after["consecutive_failures"]) if after else 0
    if finished is DeliveryState.FAILED and failures >= settings.webhooks_disable_after:
        reason = (
            f"{failures} deliveries in a row failed; the last: {result.error}"
            if failures > 1
            else f"a delivery failed: {result.error}"
        )
        disabled = await endpoints.update_one(
            {"_id": claim.endpoint.id, "enabled": True},
            {"$set": {"enabled": False, "disabled_at": utcnow(), "disabled_reason": reason}},
        )
        if disabled.modified_count:
            log.warning("Disabled webhook endpoint %s: %s", claim.endpoint.url, reason)
