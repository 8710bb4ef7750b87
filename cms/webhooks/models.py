"""What webhooks keep in the store: endpoints, deliveries, the queue of pending ones, attempts.

Deliveries are an outbox: every delivery and every attempt is a document, so a restart loses
none and admins can read them. The embedded store answers quickly only lookups by `_id` (any
other filter is a scan), so the work that runs all the time touches `_id`s and small
collections: a delivery waits in `webhook_queue` (one small document, deleted once the delivery
is finished) while its record in `webhook_deliveries` is kept, and read by `_id`, until pruned.
"""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from beanie import Document, Indexed
from pydantic import Field
from pymongo import ASCENDING, IndexModel

# Per endpoint, the durations of this many recent attempts are kept for latency statistics.
LATENCY_SAMPLES = 100


class WebhookEvent(StrEnum):
    """What an endpoint can subscribe to."""

    ALL = "*"
    ARTICLE_PUBLISHED = "article.published"  # became public, or its scheduled time arrived
    ARTICLE_UNPUBLISHED = "article.unpublished"  # was public, is not any more
    ARTICLE_UPDATED = "article.updated"  # public before and after, content changed
    ARTICLE_DELETED = "article.deleted"  # was public, and is gone
    TAG_UPDATED = "tag.updated"  # renamed or described


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for its first attempt, being sent, or waiting to retry
    SENT = "sent"  # the endpoint answered 2xx
    FAILED = "failed"  # given up: refused, out of attempts, or the endpoint was disabled


class AttemptOutcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # failed; tried again later
    FAILED = "failed"  # failed; not tried again


class Endpoint(Document):
    """A URL that receives signed POSTs for the events it subscribed to."""

    id: str  # type: ignore[assignment]  # "wh_" and 12 hex digits
    url: Annotated[str, Indexed(unique=True)]
    events: list[WebhookEvent]
    secret: str
    created_at: datetime
    created_by: str
    since: int = Field(description="The log's last position when it was added: later events go.")
    enabled: bool = True
    consecutive_failures: int = 0
    disabled_at: datetime | None = None
    disabled_reason: str | None = None
    # Totals since it was added (each delivery and attempt counted once).
    sent: int = 0
    failed: int = 0
    attempts: int = 0
    latencies_ms: list[float] = Field(default_factory=list)

    class Settings:
        name = "webhook_endpoints"

    def wants(self, event: WebhookEvent) -> bool:
        return WebhookEvent.ALL in self.events or event in self.events


class Delivery(Document):
    """One event for one endpoint, until pruned."""

    id: str  # type: ignore[assignment]  # "<endpoint>:<seq, 15 digits>": made once per pair
    endpoint: str
    event: WebhookEvent
    event_id: str
    seq: int
    subject: str
    slug: str | None
    occurred_at: datetime
    body: str = Field(description="The JSON sent, the same bytes at every attempt.")
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    created_at: datetime
    next_attempt_at: datetime | None = None
    finished_at: datetime | None = None
    last_status: int | None = None
    last_error: str | None = None

    class Settings:
        name = "webhook_deliveries"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("endpoint", ASCENDING)]),
            IndexModel([("finished_at", ASCENDING)]),
        ]


class QueuedDelivery(Document):
    """A delivery still to be sent (or being sent): what senders claim."""

    id: str  # type: ignore[assignment]  # the delivery's
    endpoint: str
    due: datetime = Field(description="When to send it, or when its claimer's lease runs out.")
    owner: str | None = Field(default=None, description="The process sending it now.")
    attempts: int = 0
    first: int = Field(
        default=1, description="The attempt number this round began with (sent again: later)."
    )

    class Settings:
        name = "webhook_queue"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("due", ASCENDING)])]


class Attempt(Document):
    """One POST of a delivery, and what came of it."""

    id: str  # type: ignore[assignment]  # "<delivery>:<number, 3 digits>"
    delivery: str
    endpoint: str
    number: int
    at: datetime
    duration_ms: float
    status: int | None = None
    error: str | None = None
    outcome: AttemptOutcome
    process: str = Field(description="The process that sent it (`cms.spine.liveness.PROCESS_ID`).")

    class Settings:
        name = "webhook_attempts"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("at", ASCENDING)])]


def delivery_id(endpoint_id: str, seq: int, part: int | None = None) -> str:
    """One per endpoint and event: the event's number (and its part, in a batch)."""
    return f"{endpoint_id}:{seq:015d}" + (f".{part:05d}" if part is not None else "")


def attempt_id(delivery: str, number: int) -> str:
    return f"{delivery}:{number:03d}"
