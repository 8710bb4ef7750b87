"""What every API process holds for each article, held once where articles share it, and the
memory a large read frees handed back to the system."""

import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import ObjectId
from pymongo import monitoring

from cms import memory
from cms.articles import Article
from cms.config import Settings
from cms.database import open_store
from cms.reading import snapshots
from cms.reading.catalog import Catalog, Entry
from cms.related import state as related_state
from cms.related.score import Profile
from cms.related.store import PROFILES, profile_document
from cms.status import ArticleStatus
from cms.store.batches import SCAN_BATCH


def stored(slug: str) -> dict[str, Any]:
    """An article as the store returns it: every string an object of its own."""
    return {
        "_id": ObjectId(),
        "slug": slug,
        "status": "published",
        "published_at": datetime(2025, 1, 1, tzinfo=UTC),
        "section": "".join(["wor", "ld"]),
        "tags": ["".join(["elec", "tions"]), "".join(["clim", "ate"])],
        "authors": ["".join(["ann-", "writer"])],
        "headline": slug.title(),
    }


def test_catalog_entries_share_their_sections_tags_and_authors() -> None:
    one, other = Entry.of(stored("one")), Entry.of(stored("other"))
    # As a starting process reads them from a snapshot, too.
    unpacked_one, unpacked_other = snapshots.unpack(snapshots.pack([one, other]))

    for first, second in ((one, other), (unpacked_one, unpacked_other), (one, unpacked_other)):
        assert first.section is second.section
        assert all(a is b for a, b in zip(first.tags, second.tags, strict=True))
        assert first.authors[0] is second.authors[0]


def test_memory_a_large_read_freed_is_given_back() -> None:
    if memory._trim() is None:
        pytest.skip("malloc_trim is glibc's")
    # In a process of its own, so that nothing else this process does counts.
    script = textwrap.dedent(
        """
        from pathlib import Path
        from cms.memory import give_back

        def resident() -> float:
            status = Path("/proc/self/status").read_text().splitlines()
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024

        # 200 MB in blocks the C allocator serves (not Python's small-object pools), and one
        # in 64 kept, so that the freed space is spread through the heap, not only at its top.
        blocks = [bytes(1000) + bytes([number % 256]) for number in range(200_000)]
        kept = blocks[::64]
        del blocks
        before = resident()
        give_back("a test's blocks")
        print(before, resident())
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    before, after = map(float, done.stdout.split())
    assert before - after > 100, (before, after)


class Batches(monitoring.CommandListener):
    """How many documents each reply of a read brought, by collection."""

    def __init__(self) -> None:
        self.collections: dict[int, str] = {}
        self.sizes: dict[str, list[int]] = {}

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in ("find", "getMore"):
            name = event.command.get("find") or event.command.get("collection")
            self.collections[event.request_id] = str(name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        name = self.collections.pop(event.request_id, None)
        if name is not None:
            cursor = event.reply["cursor"]
            batch = cursor.get("firstBatch", cursor.get("nextBatch", []))
            self.sizes.setdefault(name, []).append(len(batch))

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self.collections.pop(event.request_id, None)


async def test_a_whole_read_decodes_a_bounded_batch_at_a_time(settings: Settings) -> None:
    # What such a read keeps of each document would sit among the rest of a batch, freed: a
    # batch of the whole collection at once left a catalog read at 30,000 articles taking 2.3
    # times what `tracemalloc` counts it holds (docs/operations/scale.md).
    count = 2 * SCAN_BATCH + 100
    batches = Batches()
    async with open_store(settings, event_listeners=[batches]) as store:
        articles = [stored(f"story-{number}") for number in range(count)]
        await store.database[Article.Settings.name].insert_many(articles)
        profiles = [
            profile_document(
                Profile(
                    article["_id"],
                    article["slug"],
                    ArticleStatus.PUBLISHED,
                    article["published_at"],
                    article["section"],
                    {"troops": 1.0},
                    {"elections": 1.0},
                ),
                1,
                None,
            )
            for article in articles
        ]
        await store.database[PROFILES].insert_many(profiles)
        batches.sizes.clear()

        assert len(await Catalog.load()) == count
        assert len((await related_state.load()).model.profiles) == count

    for name in (Article.Settings.name, PROFILES):
        assert sum(batches.sizes[name]) == count
        assert max(batches.sizes[name]) <= SCAN_BATCH
