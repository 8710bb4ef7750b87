"""Who may read what: the one rule every read of articles goes through."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from cms.clock import utcnow
from cms.status import PUBLIC_STATUSES, ArticleStatus


class Audience(StrEnum):
    """Who a read is for. The API picks it per request; every read in `cms` takes it."""

    PUBLIC = "public"  # anonymous readers, and token holders who did not ask for a preview
    PREVIEW = "preview"  # previewers, editors and admins asking for a preview: every status


def readable(audience: Audience, now: datetime | None = None) -> dict[str, Any]:
    """A MongoDB filter matching the articles `audience` may read at `now`."""
    if audience is Audience.PREVIEW:
        return {}
    now = now or utcnow()
    return {
        "status": {"$in": sorted(PUBLIC_STATUSES)},
        "published_at": {"$lte": now},
        "$or": [{"unpublish_at": None}, {"unpublish_at": {"$gt": now}}],
    }


def is_readable(
    audience: Audience,
    status: ArticleStatus,
    published_at: datetime,
    now: datetime,
    unpublish_at: datetime | None = None,
) -> bool:
    """`readable` for one article already in hand."""
    return audience is Audience.PREVIEW or (
        status in PUBLIC_STATUSES
        and published_at <= now
        and (unpublish_at is None or now < unpublish_at)
    )


def awaits_publication(status: ArticleStatus, published_at: datetime, now: datetime) -> bool:
    """Public-to-be: it becomes readable by everyone at `published_at`, with no further write."""
    return status in PUBLIC_STATUSES and published_at > now


def awaits_unpublication(
    status: ArticleStatus, published_at: datetime, unpublish_at: datetime | None, now: datetime
) -> bool:
    """Public (or to be) until `unpublish_at`: it leaves public view then, with no further write."""
    return (
        status in PUBLIC_STATUSES
        and unpublish_at is not None
        and unpublish_at > now
        and unpublish_at > published_at
    )
