"""The GraphQL face of webhooks: endpoints, their deliveries and attempts, and statistics."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Self

import strawberry

from api.pagination import page_size
from cms.webhooks import endpoints, history, models

MAX_ATTEMPTS_SHOWN = 100


@strawberry.enum(name="WebhookEvent", description="What an endpoint can subscribe to.")
class WebhookEventType(Enum):
    ALL = strawberry.enum_value(models.WebhookEvent.ALL, description="Every event below.")
    ARTICLE_PUBLISHED = strawberry.enum_value(
        models.WebhookEvent.ARTICLE_PUBLISHED,
        description="An article became public (also when a scheduled article's time arrives).",
    )
    ARTICLE_UNPUBLISHED = strawberry.enum_value(
        models.WebhookEvent.ARTICLE_UNPUBLISHED,
        description="A public article was taken down (back to draft, or archived).",
    )
    ARTICLE_UPDATED = strawberry.enum_value(
        models.WebhookEvent.ARTICLE_UPDATED,
        description="A public article changed and stays public.",
    )
    ARTICLE_DELETED = strawberry.enum_value(
        models.WebhookEvent.ARTICLE_DELETED, description="A public article was deleted."
    )
    TAG_UPDATED = strawberry.enum_value(
        models.WebhookEvent.TAG_UPDATED, description="A tag was renamed or described."
    )


@strawberry.enum(description="Where a delivery stands.")
class WebhookDeliveryState(Enum):
    PENDING = strawberry.enum_value(
        models.DeliveryState.PENDING, description="Waiting to be sent, being sent, or to retry."
    )
    SENT = strawberry.enum_value(models.DeliveryState.SENT, description="The endpoint took it.")
    FAILED = strawberry.enum_value(
        models.DeliveryState.FAILED,
        description="Given up: refused, out of attempts, or the endpoint was disabled.",
    )


@strawberry.enum(description="What one attempt came to.")
class WebhookAttemptOutcome(Enum):
    SENT = strawberry.enum_value(models.AttemptOutcome.SENT, description="Answered 2xx.")
    RETRY = strawberry.enum_value(
        models.AttemptOutcome.RETRY, description="Failed; the delivery is tried again later."
    )
    FAILED = strawberry.enum_value(
        models.AttemptOutcome.FAILED, description="Failed; the delivery is not tried again."
    )


@strawberry.type(
    description="How long recent attempts took, from resolving the name to the end "
    "of the answer (the last 100 per endpoint)."
)
class WebhookLatency:
    samples: int = strawberry.field(description="How many attempts these figures cover.")
    average_ms: float = strawberry.field(description="Mean, in milliseconds.")
    p50_ms: float = strawberry.field(description="Median, in milliseconds.")
    p95_ms: float = strawberry.field(description="95th percentile, in milliseconds.")
    max_ms: float = strawberry.field(description="Slowest, in milliseconds.")


@strawberry.type(description="Deliveries waiting now, and totals since the endpoints were added.")
class WebhookStats:
    pending: int = strawberry.field(description="Deliveries not finished yet (due or retrying).")
    sent: int = strawberry.field(description="Deliveries the endpoints took.")
    failed: int = strawberry.field(description="Deliveries given up.")
    attempts: int = strawberry.field(description="POSTs made, retries included.")
    latency: WebhookLatency | None = strawberry.field(
        description="Durations of recent attempts; null before the first."
    )

    @classmethod
    def of(cls, stats: endpoints.Stats) -> Self:
        latency = stats.latency
        return cls(
            pending=stats.pending,
            sent=stats.sent,
            failed=stats.failed,
            attempts=stats.attempts,
            latency=WebhookLatency(
                samples=latency.samples,
                average_ms=latency.average_ms,
                p50_ms=latency.p50_ms,
                p95_ms=latency.p95_ms,
                max_ms=latency.max_ms,
            )
            if latency
            else None,
        )


@strawberry.type(description="One POST of a delivery.")
class WebhookAttempt:
    number: int = strawberry.field(description="1 for the first attempt.")
    at: datetime = strawberry.field(description="When it finished (UTC).")
    duration_ms: float = strawberry.field(description="How long it took, in milliseconds.")
    status_code: int | None = strawberry.field(description="The HTTP status, if one came back.")
    error: str | None = strawberry.field(description="What went wrong, if anything.")
    outcome: WebhookAttemptOutcome = strawberry.field(description="What came of it.")

    @classmethod
    def of(cls, attempt: models.Attempt) -> Self:
        return cls(
            number=attempt.number,
            at=attempt.at,
            duration_ms=attempt.duration_ms,
            status_code=attempt.status,
            error=attempt.error,
            outcome=WebhookAttemptOutcome(attempt.outcome),
        )


@strawberry.type(description="One event for one endpoint.")
class WebhookDelivery:
    id: strawberry.ID = strawberry.field(
        description="Sent as `Newsroom-Delivery` and in the body: receivers drop repeats by it."
    )
    event: WebhookEventType = strawberry.field(description="What happened.")
    event_id: str = strawberry.field(description="The event's unique id on the event log.")
    seq: int = strawberry.field(description="The event's position on the event log.")
    slug: str | None = strawberry.field(description="The article's or tag's slug.")
    state: WebhookDeliveryState = strawberry.field(description="Where it stands.")
    attempt_count: int = strawberry.field(description="Attempts made so far.")
    created_at: datetime = strawberry.field(description="When it was queued (UTC).")
    next_attempt_at: datetime | None = strawberry.field(
        description="When it is tried again, while pending after a failed attempt."
    )
    finished_at: datetime | None = strawberry.field(description="When it was sent or given up.")
    last_status_code: int | None = strawberry.field(description="The last attempt's HTTP status.")
    last_error: str | None = strawberry.field(description="Why the last attempt failed.")
    body: str = strawberry.field(description="The JSON sent (the same at every attempt).")
    record: strawberry.Private[models.Delivery]

    @classmethod
    def of(cls, delivery: models.Delivery) -> Self:
        return cls(
            id=strawberry.ID(delivery.id),
            event=WebhookEventType(delivery.event),
            event_id=delivery.event_id,
            seq=delivery.seq,
            slug=delivery.slug,
            state=WebhookDeliveryState(delivery.state),
            attempt_count=delivery.attempts,
            created_at=delivery.created_at,
            next_attempt_at=delivery.next_attempt_at,
            finished_at=delivery.finished_at,
            last_status_code=delivery.last_status,
            last_error=delivery.last_error,
            body=delivery.body,
            record=delivery,
        )

    @strawberry.field(description="Its attempts, the latest first.")
    async def attempts(
        self,
        first: Annotated[
            int, strawberry.argument(description=f"How many, 0 to {MAX_ATTEMPTS_SHOWN}.")
        ] = 10,
    ) -> list[WebhookAttempt]:
        limit = page_size(first, maximum=MAX_ATTEMPTS_SHOWN)
        found = await history.attempts_of(self.record, limit=limit)
        return [WebhookAttempt.of(attempt) for attempt in found]


@strawberry.type(description="A URL that gets a signed POST for each event it subscribed to.")
class WebhookEndpoint:
    id: strawberry.ID = strawberry.field(description="Its ID, for the webhook mutations.")
    url: str = strawberry.field(description="Where deliveries are POSTed.")
    events: list[WebhookEventType] = strawberry.field(description="What it subscribed to.")
    enabled: bool = strawberry.field(
        description="False once disabled after repeated failures; `enableWebhookEndpoint` "
        "turns it back on."
    )
    disabled_at: datetime | None = strawberry.field(description="When it was disabled.")
    disabled_reason: str | None = strawberry.field(description="Why it was disabled.")
    consecutive_failures: int = strawberry.field(
        description="Failed deliveries since the last one it took."
    )
    created_at: datetime = strawberry.field(description="When it was added (UTC).")
    created_by: str = strawberry.field(description="Who added it.")
    stats: WebhookStats = strawberry.field(description="Its deliveries waiting, and its totals.")
    record: strawberry.Private[models.Endpoint]

    @classmethod
    def of(cls, observed: endpoints.Observed) -> Self:
        """From one observation, so its state and its stats agree."""
        endpoint = observed.endpoint
        return cls(
            id=strawberry.ID(endpoint.id),
            url=endpoint.url,
            events=[WebhookEventType(event) for event in endpoint.events],
            enabled=endpoint.enabled,
            disabled_at=endpoint.disabled_at,
            disabled_reason=endpoint.disabled_reason,
            consecutive_failures=endpoint.consecutive_failures,
            created_at=endpoint.created_at,
            created_by=endpoint.created_by,
            stats=WebhookStats.of(observed.stats),
            record=endpoint,
        )

    @strawberry.field(description="Its deliveries, newest event first.")
    async def deliveries(
        self,
        first: Annotated[int, strawberry.argument(description="How many, 0 to 100.")] = 20,
        state: Annotated[
            WebhookDeliveryState | None, strawberry.argument(description="Only in this state.")
        ] = None,
    ) -> list[WebhookDelivery]:
        found = await history.deliveries_of(
            self.record,
            limit=page_size(first),
            state=models.DeliveryState[state.name] if state else None,
        )
        return [WebhookDelivery.of(delivery) for delivery in found]
