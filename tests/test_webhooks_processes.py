"""Several API processes on one database: every event is delivered, by one of them, once."""

import asyncio
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from api.settings import Settings
from tests.cli import newsroom
from tests.conftest import REPO
from tests.receiver import Receiver, eventually
from tests.servers import served_beside_the_loop

# Each test here runs API or store processes of its own: not in `make test-fast`.
pytestmark = pytest.mark.processes


async def test_two_api_processes_deliver_each_event_once(
    settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = {
        **cli_env,
        "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE": "true",
        "NEWSROOM_WEBHOOKS_POLL_INTERVAL": "0.05",
        "NEWSROOM_WEBHOOKS_RETRY_DELAYS": "[0.2]",
        "NEWSROOM_ARRIVAL_CHECK_INTERVAL": "0.1",
        "NEWSROOM_LOG_LEVEL": "warning",
    }

    async def cli(*args: str) -> subprocess.CompletedProcess[str]:
        # Beside the event loop: the receiver keeps answering while a command runs.
        done = await asyncio.to_thread(newsroom, *args, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
        return done

    async with (
        Receiver() as receiver,
        served_beside_the_loop(env, tmp_path / "first.log"),
        served_beside_the_loop(env, tmp_path / "second.log"),
    ):
        # Given an endpoint, and two API processes serving the same database
        await cli("webhooks", "add", receiver.url)
        # When a fixture load (a third process) publishes 46 articles...
        await cli("fixtures", "load", str(REPO / "fixtures"))
        loaded = await receiver.wait_for(46)
        # ...and one of them is taken down, then scheduled to come back, as both processes watch
        slug = loaded[0].json["article"]["slug"]
        await cli("articles", "unpublish", slug)
        at = datetime.now(UTC) + timedelta(seconds=8)
        await cli("articles", "schedule", slug, "--at", at.isoformat())
        received = await receiver.wait_for(48)

        raw: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri)
        database = raw[settings.database]
        try:

            async def all_sent() -> list[dict[str, Any]]:
                if await database.webhook_queue.count_documents({}):
                    return []
                return await database.webhook_deliveries.find({}).to_list()

            deliveries = await eventually(all_sent)
            revealed = await database.events.find_one({"type": "load.revealed"})
            attempts = await database.webhook_attempts.find({}).to_list()
        finally:
            await raw.close()

    # Then every event reached the receiver once, whichever process sent it
    ids = [r.headers["newsroom-delivery"] for r in received]
    # Which ones, if not: a failure (seen once in CI) should say what came.
    shown = [
        (r.headers["newsroom-delivery"], r.json["type"], r.json["article"]["slug"])
        for r in received
    ]
    assert len(ids) == len(set(ids)) == 48, shown
    assert len(receiver.received) == 48
    assert {d["state"] for d in deliveries} == {"sent"}
    assert len(deliveries) == 48
    assert len(attempts) == 48
    kinds = [r.json["type"] for r in received]
    assert kinds.count("article.published") == 47
    assert kinds[-2:] == ["article.unpublished", "article.published"]
    assert [r.json["article"]["slug"] for r in received[-2:]] == [slug, slug]
    # The load's deliveries were made once it was revealed: a frontend told can read them
    assert revealed is not None
    loaded_ids = {r.json["id"] for r in loaded[:46]}
    assert all(d["created_at"] >= revealed["at"] for d in deliveries if d["_id"] in loaded_ids)
    for name in ("first.log", "second.log"):
        assert "Traceback" not in (tmp_path / name).read_text()
