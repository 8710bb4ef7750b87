"""Which events of the log become webhooks, and the JSON a receiver gets for each."""

import base64
import json

from cms.clock import as_utc
from cms.spine.events import EventType, StoredEvent
from cms.webhooks.models import WebhookEvent

_KINDS = {
    EventType.ARTICLE_PUBLISHED: WebhookEvent.ARTICLE_PUBLISHED,
    EventType.ARTICLE_UNPUBLISHED: WebhookEvent.ARTICLE_UNPUBLISHED,
    EventType.ARTICLE_UPDATED: WebhookEvent.ARTICLE_UPDATED,
    EventType.ARTICLE_DELETED: WebhookEvent.ARTICLE_DELETED,
    EventType.TAG_UPDATED: WebhookEvent.TAG_UPDATED,
}


def webhook_event(event: StoredEvent) -> WebhookEvent | None:
    """The webhook an event of the log makes, if any: only changes the public could see.

    The log's `article.updated` is already only for articles public before and after; a deleted
    article is announced only if it was public (a deleted draft changes no page).
    """
    kind = _KINDS.get(event.type)
    if kind is WebhookEvent.ARTICLE_DELETED and not event.data.get("was_public"):
        return None
    return kind


def global_id(type_name: str, node_id: str) -> str:
    """The ID the GraphQL API gives the node (Relay's `base64("<Type>:<id>")`), for `node(id:)`."""
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def body(*, delivery: str, kind: WebhookEvent, event: StoredEvent) -> str:
    """The JSON a receiver gets: compact, ASCII, the same bytes at every attempt."""
    subject, type_name = (
        ("tag", "Tag") if kind is WebhookEvent.TAG_UPDATED else ("article", "Article")
    )
    payload = {
        "id": delivery,
        "type": kind.value,
        "occurred_at": as_utc(event.at).isoformat(),
        "event": {"id": event.event_id, "seq": event.seq},
        # Who made the change: a person's account id and display name (never their email), a
        # token's name, or `cli:<user>`; events from before ids were kept have the name twice.
        "actor": {"id": event.actor_id or event.actor, "name": event.actor},
        subject: {"id": global_id(type_name, event.subject), "slug": event.slug},
    }
    return json.dumps(payload, separators=(",", ":"))
