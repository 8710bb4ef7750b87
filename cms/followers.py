"""Who follows a write, in order: the one list of them.

A write runs as one journaled operation (`cms.spine.journal`). Once its changes are applied:

1. Search and related items (`cms.discovery`), inside the write, before its events are
   announced, so whoever reads after the write sees both; for a load, staged beside the live
   documents before its reveal and merged after it (`cms.spine.loads`). `follow_writes` installs
   both; opening the store calls it (`cms.database.open_store`), so no process writes without
   them.
2. The write's events go onto the event log (`cms.spine.events`), which every process reads.

Each web process follows the log once (`cms.spine.feed`) and hands every batch of events, in
the order of `FeedStage`, to:

3. the catalog of articles (`cms.reading.catalog`) that every read is answered from;
4. the response cache, which purges the answers the events touch (the API's);
5. live updates, after the catalog, so that a published article is in it (the API's);
6. the renditions kept in memory, which forget a deleted image's (the web edge's `/media`).

And, with a position of its own in the store, so that a restart loses nothing:

7. webhooks (`cms.webhooks`), run by every web process's upkeep (`cms.maintenance`).
"""

import asyncio
from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any, Protocol

from cms.config import Settings
from cms.spine import journal, loads
from cms.spine.feed import Feed, Subscriber
from cms.spine.journal import Operation

# Search and related items (`cms.discovery`) import the text analysis, the ranking and numpy:
# half a second of every command's start. They are imported by the first write that needs
# them, so that a command that only reads (`newsroom tokens list`) never pays for them.


async def _discovery_follows(operations: Sequence[Operation]) -> None:
    from cms import discovery

    await discovery.follow(operations)


async def _discovery_begins(
    load: str, operations: Sequence[journal.Operation], committed: asyncio.Event
) -> "asyncio.Task[Any] | None":
    from cms import discovery

    return await discovery.begin_load(load, operations, committed)


async def _discovery_stages(load: str) -> bool:
    from cms import discovery

    return await discovery.stage_load(load)


async def _discovery_merges(load: str, position: int) -> list[str]:
    from cms import discovery

    return await discovery.merge_load(load, position)


# Followers that run inside every write, in this order.
IN_WRITE: tuple[journal.Hook, ...] = (_discovery_follows,)


def follow_writes() -> None:
    """Install the followers that run inside every write, and what every load derives before
    its reveal (again is harmless)."""
    for hook in IN_WRITE:
        journal.on_applied(hook)
    loads.derive_with(
        loads.Derivation(begin=_discovery_begins, stage=_discovery_stages, merge=_discovery_merges)
    )


class FeedStage(IntEnum):
    """The order in which a web process's followers hear about each batch of events."""

    CATALOG = 1
    RESPONSE_CACHE = 2
    LIVE_UPDATES = 3
    MEDIA = 4


def follow_feed(feed: Feed, followers: Iterable[tuple[FeedStage, Subscriber]]) -> None:
    """Subscribe these followers to `feed` in the order of their stages."""
    for _, subscriber in sorted(followers, key=lambda follower: follower[0]):
        feed.subscribe(subscriber)


class DurableFollower(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


def durable_followers(settings: Settings) -> list[DurableFollower]:
    """The readers of the log that keep their position in the store, to run beside upkeep."""
    from cms.webhooks.service import WebhookService  # httpx: for web processes only

    return [WebhookService(settings)]
