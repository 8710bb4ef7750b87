"""Rate limits on what anonymous readers may send, per client address and per voter."""

import contextlib
from collections.abc import AsyncIterator
from typing import Literal

from api.context import Info
from api.metrics import RATE_LIMIT_HITS
from api.nodes import node_id_or
from api.settings import Settings
from api.voters import Visitor
from cms.engagement import rate_limits
from cms.engagement.rate_limits import Limit
from cms.errors import ArticleNotFoundError, RateLimitedError

# What readers send about an article, each under limits of its own.
ReaderAction = Literal["vote", "feedback"]


def allowance(settings: Settings, action: ReaderAction) -> tuple[int, int]:
    """How many of `action` one client address, and one voter, may send per window (0: any)."""
    if action == "vote":
        return settings.vote_limit_per_address, settings.vote_limit_per_voter
    return settings.feedback_limit_per_address, settings.feedback_limit_per_voter


async def hold(info: Info, *, action: ReaderAction) -> None:
    """Count this request of `action` against the reader's limits.

    RateLimitedError if one is exceeded, with the HTTP `Retry-After` header set to match. A
    voter id issued by this very request has no history, so only the address counts for it.
    """
    context = info.context
    settings = context.settings
    visitor = context.visitor()
    window = settings.rate_limit_window
    per_address, per_voter = allowance(settings, action)
    checks = [(Limit(f"{action}:address", per_address, window), visitor.address)]
    if not visitor.new_voter:
        checks.append((Limit(f"{action}:voter", per_voter, window), visitor.voter))
    try:
        await rate_limits.take(checks, secret=settings.secret_key.get_secret_value())
    except RateLimitedError as error:
        RATE_LIMIT_HITS.labels(scope=action).inc()
        if context.response is not None:
            context.response.headers["Retry-After"] = str(error.retry_after)
        raise


@contextlib.asynccontextmanager
async def reader_request(
    info: Info, article_id: str, *, action: ReaderAction
) -> AsyncIterator[tuple[Visitor, str]]:
    """How a reader's vote or note on an article starts: counted against the reader's limits
    (`hold`), then the id inside the article's global ID; the reader and that id.

    ArticleNotFoundError if `article_id` names no article, here or in the block, always with
    the ID the caller sent rather than the id inside it.
    """
    visitor = info.context.visitor()
    await hold(info, action=action)
    node_id = node_id_or(article_id, "Article", ArticleNotFoundError(article_id))
    try:
        yield visitor, node_id
    except ArticleNotFoundError:
        raise ArticleNotFoundError(article_id) from None
