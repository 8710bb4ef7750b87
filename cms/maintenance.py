"""Background upkeep every web process runs: announcing arrivals, completing, pruning, webhooks.

Each task is safe to run in several processes at once (the work is idempotent), so there is no
leader to elect: every API worker runs the loop, and the first to get to a piece of work does it.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial

from pymongo.errors import PyMongoError

from cms import discovery, followers, preview_links
from cms.clock import utcnow
from cms.config import Settings
from cms.engagement import rate_limits
from cms.media import renditions, staging
from cms.people import links, login, sessions
from cms.spine import arrivals, events, journal, liveness, loads
from cms.webhooks import history

log = logging.getLogger(__name__)

SWEEP_EVERY = 10.0
PRUNE_EVERY = 3600.0


async def run_once(
    settings: Settings,
    *,
    sweep: bool = True,
    prune: bool = True,
    stopping: asyncio.Event | None = None,
) -> None:
    """One round of upkeep. Once `stopping` is set, the round ends after the step under way: a
    process stopping waits for one step, not for the rest of a round (a round with the sweeps
    and pruning took a fifth of a second, a test's whole app often less)."""
    steps: list[Callable[[], Awaitable[object]]] = [arrivals.announce_due]
    if sweep:
        steps += [partial(_sweep, settings), liveness.prune, rate_limits.prune]
        steps.append(partial(sessions.prune, lifetime=login.lifetime(settings)))
    if prune:
        steps += [partial(_prune, settings), links.prune, preview_links.prune, _renditions_swept]
    for step in steps:
        if stopping is not None and stopping.is_set():
            return
        await step()


async def _sweep(settings: Settings) -> None:
    grace = timedelta(seconds=settings.journal_grace)
    await journal.sweep(older_than=grace)
    await loads.sweep(older_than=grace)
    # After the two above: what they complete may be what writes an upload's image.
    await staging.sweep(older_than=grace)
    # What a load that died noted for search and related items, once its sweep above
    # completed it. Never while a load runs: its loader takes in the whole load at its end,
    # and taking it piecemeal here meanwhile costs that many single writes.
    if not await loads.in_progress():
        await discovery.take_pending()


async def _prune(settings: Settings) -> None:
    cutoff = utcnow() - timedelta(days=settings.event_retention_days)
    pruned = await events.prune(before=cutoff)
    if pruned:
        log.info("Pruned %d events older than %s", pruned, cutoff.isoformat())
    cutoff = utcnow() - timedelta(days=settings.webhooks_retention_days)
    pruned = await history.prune(before=cutoff)
    if pruned:
        log.info("Pruned %d webhook deliveries finished before %s", pruned, cutoff.isoformat())


async def _renditions_swept() -> None:
    removed = await renditions.sweep()
    if removed:
        log.warning("Removed %d rendition files or claims left by renditions cut short", removed)


async def maintain(settings: Settings, stopping: asyncio.Event) -> None:
    """Run until `stopping` is set: arrivals every tick, the sweeps and pruning less often, and
    the durable followers of the event log (webhooks, `cms.followers`) all along.

    It stops between two rounds, never in the middle of one, which would strand a socket.
    """
    durable = followers.durable_followers(settings)
    for follower in durable:
        await follower.start()
    try:
        await _upkeep(settings, stopping)
    finally:
        for follower in reversed(durable):
            await follower.stop()


async def _upkeep(settings: Settings, stopping: asyncio.Event) -> None:
    last_sweep = last_prune = float("-inf")
    while not stopping.is_set():
        now = time.monotonic()
        sweep, prune = now - last_sweep >= SWEEP_EVERY, now - last_prune >= PRUNE_EVERY
        try:
            await run_once(settings, sweep=sweep, prune=prune, stopping=stopping)
        except PyMongoError as error:
            log.warning("Background upkeep failed, retrying: %s", error)
        else:
            last_sweep = now if sweep else last_sweep
            last_prune = now if prune else last_prune
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), settings.arrival_check_interval)
