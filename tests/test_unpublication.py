"""Scheduled unpublication: an article leaves public view at its `unpublishAt`, with no job and
no write, and its departure (`article.unpublished`) is announced once, whoever announces it,
through the API, the CLI and fixture files alike."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from api.settings import Settings
from cms.spine import arrivals
from cms.spine.events import EventReader, EventType
from cms.workflow.articles import update_article
from tests.cli import load_counts, newsroom
from tests.factories import FACTORY, global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import update_article_operation
from tests.servers import served_beside_the_loop
from tests.test_fixtures_cli import GOOD_ARTICLE, write_set

PUBLIC = "query ($slug: String!) { article(slug: $slug) { slug unpublishAt } }"
COUNT = "{ articles { totalCount } }"
PREVIEW = 'query { article(slug: "brief", preview: true) { status version unpublishAt } }'
UPDATE = update_article_operation(
    "__typename ... on ArticleSaved { article { unpublishAt version } } "
    "... on InvalidInput { problems { field message } }"
)


def soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


async def departures_of(subject: str) -> list[tuple[EventType, str]]:
    found = await EventReader(0).read(limit=10_000)
    return [
        (event.type, event.actor)
        for event in found
        if event.subject == subject and event.type is EventType.ARTICLE_UNPUBLISHED
    ]


@pytest.mark.slow
async def test_an_article_leaves_public_view_at_its_time_announced_once(
    editor: GraphQLClient, client: GraphQLClient
) -> None:
    article = await make_article(slug="brief")
    await make_article(slug="stays")
    at = soon(1.5)

    saved = await editor.data(
        UPDATE,
        {"id": global_id(article), "version": 1, "input": {"unpublishAt": at.isoformat()}},
    )
    before = await client.data(PUBLIC, {"slug": "brief"})
    counted_before = await client.data(COUNT)
    for _ in range(100):
        if (await client.data(PUBLIC, {"slug": "brief"}))["article"] is None:
            break
        await asyncio.sleep(0.05)
    # The app's upkeep announces it within its check interval (0.1 s in tests); then several
    # announcers at once find nothing left to announce.
    for _ in range(50):
        if await departures_of(str(article.id)):
            break
        await asyncio.sleep(0.05)
    await asyncio.gather(*(arrivals.announce_due() for _ in range(3)))
    after = await client.data(PUBLIC, {"slug": "brief"})
    counted_after = await client.data(COUNT)
    preview = await editor.data(PREVIEW)

    assert saved["updateArticle"]["__typename"] == "ArticleSaved"
    assert before["article"]["slug"] == "brief"
    assert before["article"]["unpublishAt"] is not None
    assert counted_before["articles"]["totalCount"] == 2
    assert after["article"] is None
    assert counted_after["articles"]["totalCount"] == 1
    assert await departures_of(str(article.id)) == [
        (EventType.ARTICLE_UNPUBLISHED, "system:scheduler")
    ]
    # Leaving is not an edit: the status stays and the version does not move.
    assert preview["article"]["status"] == "PUBLISHED"
    assert preview["article"]["version"] == 2


async def test_an_unpublication_before_the_publication_time_is_refused(
    editor: GraphQLClient,
) -> None:
    article = await make_article(slug="brief")

    refused = await editor.data(
        UPDATE,
        {"id": global_id(article), "version": 1, "input": {"unpublishAt": "2001-01-01T00:00:00Z"}},
    )

    assert refused["updateArticle"]["__typename"] == "InvalidInput"
    assert refused["updateArticle"]["problems"][0]["field"] == "unpublishAt"
    assert "later than the publication time" in refused["updateArticle"]["problems"][0]["message"]


@pytest.mark.slow
async def test_a_save_after_the_time_announces_the_departure_itself(
    client: GraphQLClient,
) -> None:
    article = await make_article(slug="gone-soon")
    await update_article(
        actor=FACTORY,
        article_id=str(article.id),
        changes={"unpublish_at": soon(0.3)},
        base_version=1,
    )
    await asyncio.sleep(0.4)

    # Whoever gets there first, the upkeep loop or this save, it is announced once.
    await update_article(
        actor=FACTORY, article_id=str(article.id), changes={"body": "More."}, base_version=2
    )
    await asyncio.sleep(0.3)
    await arrivals.announce_due()

    assert len(await departures_of(str(article.id))) == 1


@pytest.mark.slow
async def test_fixtures_carry_unpublish_at_and_the_cli_sets_and_cancels_it(
    tmp_path: Path, cli_env: dict[str, str], client: GraphQLClient
) -> None:
    leaving = GOOD_ARTICLE.replace("section: asia", "section: asia\nunpublish_at: 2999-01-01")
    root = write_set(tmp_path / "content", {"a.md": leaving})

    loaded = newsroom("fixtures", "load", str(root), env=cli_env)
    newsroom("fixtures", "export", str(tmp_path / "out"), env=cli_env)
    exported = (tmp_path / "out" / "articles" / "quake-hits-myanmar.md").read_text()
    cancelled = newsroom("articles", "unpublish", "quake-hits-myanmar", "--cancel", env=cli_env)
    scheduled = newsroom(
        "articles", "unpublish", "quake-hits-myanmar", "--at", "2998-06-01T10:00:00Z", env=cli_env
    )
    read = await client.data(PUBLIC, {"slug": "quake-hits-myanmar"})
    refused = newsroom(
        "articles", "unpublish", "quake-hits-myanmar", "--at", "2000-01-01T00:00:00Z", env=cli_env
    )

    assert load_counts(loaded.stdout, "articles") == (1, 0, 0)
    assert "unpublish_at: '2999-01-01T00:00:00Z'" in exported
    assert cancelled.returncode == 0, cancelled.stderr
    assert "has no scheduled unpublication" in cancelled.stdout
    assert scheduled.returncode == 0, scheduled.stderr
    assert "leaves public view at 2998-06-01T10:00:00" in scheduled.stdout
    assert read["article"]["unpublishAt"].startswith("2998-06-01T10:00:00")
    assert refused.returncode == 1
    assert "later than the publication time" in refused.stderr


@pytest.mark.processes
async def test_two_api_processes_announce_a_departure_once(
    settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**cli_env, "NEWSROOM_ARRIVAL_CHECK_INTERVAL": "0.1", "NEWSROOM_LOG_LEVEL": "warning"}
    root = write_set(tmp_path / "content", {"a.md": GOOD_ARTICLE})
    assert newsroom("fixtures", "load", str(root), env=env).returncode == 0

    async with (
        served_beside_the_loop(env, tmp_path / "first.log"),
        served_beside_the_loop(env, tmp_path / "second.log"),
    ):
        at = soon(4)
        done = await asyncio.to_thread(
            newsroom, "articles", "unpublish", "quake-hits-myanmar", "--at", at.isoformat(), env=env
        )
        assert done.returncode == 0, done.stderr
        raw: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri)
        try:
            events = raw[settings.database].events
            for _ in range(200):
                if await events.count_documents({"type": "article.unpublished"}):
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(1)  # both processes checked again meanwhile
            found = await events.find({"type": "article.unpublished"}).to_list()
            waiting = await raw[settings.database].departures.count_documents({})
        finally:
            await raw.close()

    assert [event["actor"] for event in found] == ["system:scheduler"]
    assert waiting == 0
