"""The one rule that decides what the public may read. Every public read goes through it."""

from datetime import datetime
from typing import Any

from cms.clock import utcnow

# Scheduled articles become public when their time comes, with no job to flip their status.
PUBLIC_STATUSES = ("published", "scheduled")


def visible(now: datetime | None = None) -> dict[str, Any]:
    """A MongoDB filter matching the articles the public may see at `now`."""
    return {
        "status": {"$in": list(PUBLIC_STATUSES)},
        "published_at": {"$lte": now or utcnow()},
    }
