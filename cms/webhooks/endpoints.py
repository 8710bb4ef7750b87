"""Endpoints admins register: add (the secret is shown once), list, find, remove, enable."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean, quantiles
from typing import Any

from pymongo.errors import DuplicateKeyError

from cms.access import Actor
from cms.clock import utcnow
from cms.content import FieldProblem
from cms.errors import (
    InvalidContentError,
    WebhookExistsError,
    WebhookNotFoundError,
    WebhookUrlRefusedError,
)
from cms.spine import events, reader_positions
from cms.webhooks import guard
from cms.webhooks.models import Attempt, Delivery, Endpoint, QueuedDelivery, WebhookEvent
from cms.webhooks.signing import new_secret

# The event log's durable reader that makes deliveries (`cms.webhooks.dispatch`).
READER = "webhooks"
MAX_URL = 2000


async def add_endpoint(
    *,
    actor: Actor,
    url: str,
    events_wanted: Sequence[WebhookEvent],
    allow_private: bool,
    timeout: float,
) -> Endpoint:
    """Register `url` for `events_wanted`; the endpoint, with its new secret (show it once)."""
    url = url.strip()
    wanted = list(dict.fromkeys(events_wanted))
    if not wanted:
        problem = FieldProblem(field="events", message="choose at least one event, or `*` for all")
        raise InvalidContentError([problem])
    if WebhookEvent.ALL in wanted:
        wanted = [WebhookEvent.ALL]
    if len(url) > MAX_URL:
        raise WebhookUrlRefusedError(url, f"is longer than {MAX_URL} characters")
    try:
        await guard.addresses_for(url, allow_private=allow_private, timeout=timeout)
    except guard.AddressRefused as error:
        raise WebhookUrlRefusedError(url, str(error)) from None
    except guard.Unresolved as error:
        # Offline, every name fails here: say so, rather than leave the admin to guess.
        raise WebhookUrlRefusedError(
            url,
            f"cannot be checked: {error}. Newsroom looks the name up when an endpoint is added, "
            "to refuse private addresses: check the name, and that this machine can look names "
            "up (offline, it cannot)",
        ) from None
    since = await events.head()
    endpoint = Endpoint(
        id=f"wh_{uuid.uuid4().hex[:12]}",
        url=url,
        events=wanted,
        secret=new_secret(),
        created_at=utcnow(),
        created_by=actor.name,
        since=since,
    )
    # The dispatcher starts reading the log when the first endpoint is added (its position:
    # `cms.spine.reader_positions`).
    await reader_positions.start(READER, at=since)
    try:
        await Endpoint.get_pymongo_collection().insert_one(endpoint.model_dump(by_alias=True))
    except DuplicateKeyError:
        raise WebhookExistsError(url) from None
    return endpoint


async def list_endpoints() -> list[Endpoint]:
    found = await Endpoint.get_pymongo_collection().find({}).sort("created_at", 1).to_list()
    return [Endpoint.model_validate(document) for document in found]


async def find_endpoint(id_or_url: str) -> Endpoint:
    """The endpoint with this ID or URL; WebhookNotFoundError if none."""
    collection = Endpoint.get_pymongo_collection()
    found: dict[str, Any] | None = await collection.find_one({"_id": id_or_url})
    if found is None:
        found = await collection.find_one({"url": id_or_url.strip()})
    if found is None:
        raise WebhookNotFoundError(id_or_url)
    endpoint: Endpoint = Endpoint.model_validate(found)
    return endpoint


async def remove_endpoint(id_or_url: str) -> Endpoint:
    """Remove the endpoint with its deliveries and attempts: nothing more is sent to it."""
    endpoint = await find_endpoint(id_or_url)
    await Endpoint.get_pymongo_collection().delete_one({"_id": endpoint.id})
    for document in (QueuedDelivery, Delivery, Attempt):
        await document.get_pymongo_collection().delete_many({"endpoint": endpoint.id})
    return endpoint


async def enable_endpoint(id_or_url: str) -> Endpoint:
    """Deliver to a disabled endpoint again, from the next event (those missed are not sent)."""
    endpoint = await find_endpoint(id_or_url)
    await Endpoint.get_pymongo_collection().update_one(
        {"_id": endpoint.id},
        {
            "$set": {"enabled": True, "consecutive_failures": 0},
            "$unset": {"disabled_at": "", "disabled_reason": ""},
        },
    )
    return await find_endpoint(endpoint.id)


@dataclass(frozen=True, slots=True)
class Latency:
    """Durations of recent attempts (from resolving the name to the end of the answer)."""

    samples: int
    average_ms: float
    p50_ms: float
    p95_ms: float
    max_ms: float

    @classmethod
    def of(cls, durations: Sequence[float]) -> "Latency | None":
        if not durations:
            return None
        if len(durations) == 1:
            p50 = p95 = durations[0]
        else:
            cuts = quantiles(durations, n=100, method="inclusive")
            p50, p95 = cuts[49], cuts[94]
        return cls(len(durations), fmean(durations), p50, p95, max(durations))


@dataclass(frozen=True, slots=True)
class Stats:
    """Deliveries waiting, and totals since the endpoints were added."""

    pending: int
    sent: int
    failed: int
    attempts: int
    latency: Latency | None


@dataclass(frozen=True, slots=True)
class Observed:
    """An endpoint and its stats as of one moment."""

    endpoint: Endpoint
    stats: Stats


async def observe(endpoint: Endpoint) -> Observed:
    """The endpoint read again after its queue is counted, with its stats.

    A delivery leaves the queue only once its endpoint counts it (totals, failures in a row,
    disabled after too many), so the endpoint read after the count shows every delivery the
    count found gone. Read before, as a caller holds it, it could show one counted as done but
    not yet as failed, and an endpoint about to be disabled as enabled."""
    pending = await QueuedDelivery.get_pymongo_collection().count_documents(
        {"endpoint": endpoint.id}
    )
    found = await Endpoint.get_pymongo_collection().find_one({"_id": endpoint.id})
    now = Endpoint.model_validate(found) if found is not None else endpoint
    return Observed(now, _stats(pending, [now]))


async def observe_all() -> list[Observed]:
    """Every endpoint, oldest first, each as `observe` sees it."""
    return [await observe(endpoint) for endpoint in await list_endpoints()]


async def stats() -> Stats:
    """Over every endpoint: the queue counted first, the totals read after it (as `observe`)."""
    pending = await QueuedDelivery.get_pymongo_collection().count_documents({})
    return _stats(pending, await list_endpoints())


def _stats(pending: int, chosen: list[Endpoint]) -> Stats:
    return Stats(
        pending=pending,
        sent=sum(e.sent for e in chosen),
        failed=sum(e.failed for e in chosen),
        attempts=sum(e.attempts for e in chosen),
        latency=Latency.of([ms for e in chosen for ms in e.latencies_ms]),
    )
