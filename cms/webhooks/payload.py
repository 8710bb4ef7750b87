"""Which events of the log become webhooks, and the JSON a receiver gets for each.

Every body says what to revalidate: `cache_tags`, the tags of the answers the change made stale
(the strings Newsroom sends as `Surrogate-Key` and `Cache-Tag`, `cms.cache_tags`), and `paths`,
the feeds and sitemaps that changed. Past `webhooks_max_cache_tags` both give way to the one
site-wide tag `site`, which every answer carries: a bulk change never makes a huge body.
"""

import base64
import json

from cms.cache_tags import SITE, Placement, paths_for, purge_for
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


def body(
    *,
    delivery: str,
    kind: WebhookEvent,
    event: StoredEvent,
    known: Placement | None = None,
    max_tags: int = 100,
) -> str:
    """The JSON a receiver gets: compact, ASCII, the same bytes at every attempt (`known`: where
    the article is listed, for an event that does not say)."""
    tags = sorted(purge_for(event, known))
    paths = paths_for(tags)
    if len(tags) > max_tags:
        tags, paths = [SITE], []
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
        "cache_tags": tags,
        "paths": paths,
    }
    return json.dumps(payload, separators=(",", ":"))
