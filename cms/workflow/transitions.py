"""The editorial workflow's one table of moves, and when a move publishes."""

from datetime import datetime

from cms.errors import InvalidTransitionError
from cms.status import ArticleStatus

DRAFT, REVIEW, SCHEDULED, PUBLISHED, ARCHIVED = (
    ArticleStatus.DRAFT,
    ArticleStatus.REVIEW,
    ArticleStatus.SCHEDULED,
    ArticleStatus.PUBLISHED,
    ArticleStatus.ARCHIVED,
)

# From each status, where an article may go. Back to draft is "unpublish" (or "withdraw").
TRANSITIONS: dict[ArticleStatus, frozenset[ArticleStatus]] = {
    DRAFT: frozenset({REVIEW, PUBLISHED, SCHEDULED}),
    REVIEW: frozenset({PUBLISHED, SCHEDULED, DRAFT}),
    SCHEDULED: frozenset({PUBLISHED, DRAFT}),
    PUBLISHED: frozenset({ARCHIVED, DRAFT}),
    ARCHIVED: frozenset({DRAFT}),
}


def publication_time(
    *,
    current: ArticleStatus,
    target: ArticleStatus,
    publish_at: datetime | None,
    published_at: datetime,
    ever_public: bool,
    now: datetime,
) -> datetime:
    """Check the move from `current` to `target`; the article's publication time after it.

    Scheduling needs a future time. Publishing takes `publish_at` if given (not in the future:
    that is scheduling), else now, except that an article that was public before keeps its date.
    Other moves keep the time as it is and take no `publish_at`.
    """
    if target not in TRANSITIONS[current]:
        raise InvalidTransitionError(current, target)
    if target is SCHEDULED:
        if publish_at is None or publish_at <= now:
            reason = "Scheduling needs a publication time in the future (`publishAt`)."
            raise InvalidTransitionError(current, target, reason)
        return publish_at
    if target is PUBLISHED:
        if publish_at is not None:
            if publish_at > now:
                reason = "To publish at a future time, schedule the article instead."
                raise InvalidTransitionError(current, target, reason)
            return publish_at
        return published_at if ever_public and current is not SCHEDULED else now
    if publish_at is not None:
        reason = f"A publication time only goes with publishing or scheduling, not {target}."
        raise InvalidTransitionError(current, target, reason)
    return published_at
