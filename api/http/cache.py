"""The response cache: anonymous query answers kept in memory, purged by what changed.

A hit is answered from bytes before any GraphQL runs. Each entry is tagged with what its answer read
(`Tags`, filled by the loaders): the articles and tags it shows, their ratings, the slugs it looked
up (found or not), and `articles` when it depends on which articles exist, in which order (lists,
counts, related items). Every write announces itself on the event log, which each process follows
(`cms.spine.feed`); `purge_for` turns an event into the tags it touches, so a vote on one article
drops the answers showing that article's rating and leaves every other one.

Entries are bounded in bytes (least recently used out) and in time, and never outlive the next
scheduled publication: a cached list must not hide an article whose time has come.
"""

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from cms.cache_tags import Placement, purge_for
from cms.spine.events import EventType, StoredEvent


@dataclass
class Tags:
    """What one answer read, as the loaders report it."""

    found: set[str] = field(default_factory=set)

    def add(self, *tags: str) -> None:
        self.found.update(tags)

    def add_all(self, tags: Iterable[str]) -> None:
        self.found.update(tags)


@dataclass(slots=True)
class Entry:
    body: bytes
    etag: str
    tags: frozenset[str]
    expires: float  # monotonic
    # The `Last-Modified` date of a feed or sitemap (HTTP's format); GraphQL answers have none.
    modified: str | None = None


def request_key(*parts: Any) -> str:
    """One key for a request as sent: document (or persisted hash), operation and variables."""
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.blake2b(canonical.encode(), digest_size=20).hexdigest()


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


class ResponseCache:
    def __init__(self, *, max_bytes: int, ttl: float) -> None:
        self.max_bytes = max_bytes
        self.ttl = ttl
        self.size = 0
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._keys_by_tag: dict[str, set[str]] = {}
        # Nothing cached may outlive this moment (monotonic): the next scheduled publication.
        self.horizon = float("inf")
        # Where the next horizon comes from (the catalog), asked when one passes or on news.
        self.horizon_source: Callable[[], float] = lambda: float("inf")
        # Where an article is listed (the catalog), for the events that do not say (arrivals).
        self.placement_source: Callable[[str], Placement | None] = lambda article_id: None
        self.hits = self.misses = self.purged = 0
        # A clock that moves on every purge, and when each tag was last purged: an answer
        # computed while one of its tags was purged is stale before it is kept, and is not.
        self.clock = 0
        self._purged_at: dict[str, int] = {}
        self._all_purged_at = -1

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str) -> Entry | None:
        entry = self._entries.get(key)
        if entry is None:
            self.misses += 1
            return None
        if entry.expires <= time.monotonic():
            self._drop(key)
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(
        self,
        key: str,
        body: bytes,
        tags: Iterable[str],
        *,
        since: int | None = None,
        ttl: float | None = None,
        modified: str | None = None,
    ) -> Entry:
        """Keep an answer computed since `clock` was `since` (unless a purge overtook it)."""
        tags = frozenset(tags)
        if since is not None and (
            self._all_purged_at > since or any(self._purged_at.get(tag, -1) > since for tag in tags)
        ):
            return Entry(body=body, etag=etag_of(body), tags=tags, expires=0.0, modified=modified)
        if time.monotonic() >= self.horizon:
            self.horizon = self.horizon_source()
        lifetime = min(self.ttl if ttl is None else ttl, self.horizon - time.monotonic())
        entry = Entry(
            body=body,
            etag=etag_of(body),
            tags=tags,
            expires=time.monotonic() + max(lifetime, 0.0),
            modified=modified,
        )
        if lifetime <= 0 or len(body) > self.max_bytes:
            return entry  # answered, not kept
        self._drop(key)
        self._entries[key] = entry
        self.size += len(body)
        for tag in entry.tags:
            self._keys_by_tag.setdefault(tag, set()).add(key)
        while self.size > self.max_bytes:
            oldest = next(iter(self._entries))
            self._drop(oldest)
        return entry

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        self.size -= len(entry.body)
        for tag in entry.tags:
            keys = self._keys_by_tag.get(tag)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._keys_by_tag[tag]

    def purge(self, tags: Iterable[str]) -> int:
        """Drop every entry tagged with any of `tags`; how many went."""
        self.clock += 1
        keys = set()
        for tag in tags:
            self._purged_at[tag] = self.clock
            keys |= self._keys_by_tag.get(tag, set())
        for key in keys:
            self._drop(key)
        self.purged += len(keys)
        return len(keys)

    def purge_all(self) -> None:
        """Drop every entry; an answer computed since before this is not kept either."""
        self.clock += 1
        self._all_purged_at = self.clock
        self.purged += len(self._entries)
        self.clear()

    def clear(self) -> None:
        self._entries.clear()
        self._keys_by_tag.clear()
        self.size = 0

    def limit_to(self, deadline: float) -> None:
        """Nothing kept from now on lives past `deadline` (monotonic); entries that would are
        dropped."""
        self.horizon = deadline
        for key in [k for k, entry in self._entries.items() if entry.expires > deadline]:
            self._drop(key)

    async def on_events(self, found: Sequence[StoredEvent]) -> None:
        """Purge what the events make stale; a newly scheduled article may move the horizon."""
        if any(event.type is EventType.LOAD_REVEALED for event in found):
            # A process that started during the load held its articles back without their
            # events (`cms.reading.catalog`): what it answered meanwhile is not tagged by them.
            self.purge_all()
        stale: set[str] = set()
        for event in found:
            stale |= purge_for(event, self.placement_source(event.subject))
        if stale:
            self.purge(stale)
        self.limit_to(self.horizon_source())
