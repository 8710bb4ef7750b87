"""A starting process reads the catalog's snapshot and the log since, not every article."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from api.settings import Settings
from cms.articles import Article
from cms.reading import snapshots
from cms.reading.catalog import Catalog
from cms.spine import events
from cms.spine.feed import Feed
from cms.status import ArticleStatus
from tests.conftest import serving
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import UPDATE_ARTICLE

DELETE = "mutation ($id: ID!) { deleteArticle(id: $id) { __typename } }"
STARTED = "Started the catalog from a snapshot"


@pytest.fixture(autouse=True)
def small(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(snapshots, "MIN_ENTRIES", 1)
    monkeypatch.setattr(snapshots, "CHUNK", 3)  # several documents for a handful of articles


async def archive() -> list[Article]:
    """Articles that use every field the catalog holds."""
    soon = datetime.now(UTC) + timedelta(days=1)
    return [
        await make_article(slug="plain"),
        await make_article(slug="tagged", tags=["world-news"], section="sport"),
        await make_article(slug="leaving", unpublish_at=soon, author="Ann Writer"),
        await make_article(slug="waiting", status=ArticleStatus.SCHEDULED, published_at=soon),
        await make_article(slug="drafted", status=ArticleStatus.DRAFT),
        await make_article(slug="no-image", image=None),
        await make_article(slug="updated", updated_at=datetime(2025, 5, 1, 9, 30, tzinfo=UTC)),
    ]


async def test_a_snapshot_holds_every_entry_as_the_catalog_did(client: GraphQLClient) -> None:
    await archive()
    feed = Feed(poll_interval=60)
    catalog = await snapshots.start(feed)  # none yet: every article read
    assert len(catalog) == 7
    assert await snapshots.read() is None
    assert await snapshots.write(catalog, feed)

    taken = await snapshots.read()
    assert taken is not None
    assert taken.position == feed.position
    assert {entry.id: entry for entry in taken.entries} == catalog.entries
    assert not await snapshots.due(catalog, feed)


async def test_a_process_started_from_a_snapshot_replays_the_log_since(
    client: GraphQLClient,
    editor: GraphQLClient,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    plain, tagged, *_ = await archive()
    feed = Feed(poll_interval=60)
    assert await snapshots.write(await snapshots.start(feed), feed)

    # After it: an edit, a deletion, an article loaded, one scheduled.
    patch = {"headline": "Edited after the snapshot"}
    variables = {"id": global_id(plain), "version": plain.version, "input": patch}
    assert (await editor.data(UPDATE_ARTICLE, variables))["updateArticle"]["__typename"]
    await editor.data(DELETE, {"id": global_id(tagged)})
    await make_article(slug="after")
    await make_article(
        slug="after-scheduled",
        status=ArticleStatus.SCHEDULED,
        published_at=datetime.now(UTC) + timedelta(hours=2),
    )

    with caplog.at_level(logging.INFO, logger=snapshots.__name__):
        async with serving(settings) as joined:
            assert STARTED in caplog.text
            assert joined.catalog.differences(await Catalog.load()) == []
            assert joined.catalog.by_slug("after") is not None
            assert joined.catalog.by_slug("tagged") is None
            edited = joined.catalog.by_slug("plain")
            assert edited is not None
            assert edited.headline == patch["headline"]


async def test_a_snapshot_the_log_no_longer_reaches_is_not_used(
    client: GraphQLClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    await archive()
    feed = Feed(poll_interval=60)
    assert await snapshots.write(await snapshots.start(feed), feed)
    await make_article(slug="after")
    # Every event so far pruned: the log's floor is past the snapshot's position.
    await events.prune(before=datetime.now(UTC) + timedelta(days=1))
    assert await snapshots.read() is None

    with caplog.at_level(logging.INFO, logger=snapshots.__name__):
        async with serving(settings) as joined:
            assert STARTED not in caplog.text
            assert joined.catalog.differences(await Catalog.load()) == []
            assert len(joined.catalog) == 8


async def test_a_snapshot_is_taken_only_forward_and_when_due(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await archive()
    ahead, behind = Feed(poll_interval=60), Feed(poll_interval=60)
    old = await snapshots.start(behind)
    await make_article(slug="after")
    new = await snapshots.start(ahead)
    assert await snapshots.write(new, ahead)
    # A process behind the newest snapshot does not replace it.
    assert not await snapshots.write(old, behind)
    assert (await snapshots.read() or pytest.fail("no snapshot")).position == ahead.position
    assert await snapshots.collection().count_documents({"_id": {"$ne": snapshots.HEAD_ID}}) == 3

    monkeypatch.setattr(snapshots, "EVERY_EVENTS", 1)
    assert not await snapshots.due(new, ahead)
    await make_article(slug="later")
    await ahead.catch_up()
    assert await snapshots.due(new, ahead)
