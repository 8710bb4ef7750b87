"""`newsroom backup create | restore` on the embedded store, with `newsroom serve` running."""

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli import newsroom
from tests.conftest import REPO
from tests.operations import VOTE
from tests.servers import newsroom_servers
from tests.test_embedded_store import embedded_env

SLUG = "north-korea-sends-3000-more-troops-to-russia"
ANSWERS = {
    "front": "{ articles(first: 50) { totalCount nodes { slug headline rating { count } } } }",
    "tags": "{ tags(first: 50) { totalCount nodes { slug name articleCount } } }",
    "page": f'{{ article(slug: "{SLUG}") {{ id headline body rating {{ average count '
    "distribution { stars count } } related(first: 6) { slug } } }",
    "search": '{ articles(filter: {search: "troops"}) { totalCount nodes { slug } } }',
    "drafts": "{ articles(preview: true, filter: {status: DRAFT}) { totalCount } }",
}


async def answers(url: str, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=30) as http:
        found = {}
        for name, query in ANSWERS.items():
            headers = {"authorization": f"Bearer {token}"} if name == "drafts" else {}
            response = await http.post(f"{url}/graphql", json={"query": query}, headers=headers)
            found[name] = response.json()
        return found


async def vote(url: str, article_id: str, stars: int) -> None:
    # A new client each time: a new reader, so each vote counts.
    async with httpx.AsyncClient(timeout=30) as http:
        body = (
            await http.post(
                f"{url}/graphql",
                json={"query": VOTE, "variables": {"articleId": article_id, "stars": stars}},
            )
        ).json()
    assert body["data"]["vote"]["__typename"] == "VoteSuccess", body


def loaded(data_dir: Path, content: bool = True) -> tuple[dict[str, str], str]:
    """An embedded store holding an editor token and, unless not asked for, the demo content;
    its env and the token."""
    env = embedded_env(data_dir)
    if content:
        load = newsroom("fixtures", "load", str(REPO / "fixtures"), env=env)
        assert load.returncode == 0, load.stderr
    made = newsroom("tokens", "create", "--name", "desk", "--role", "editor", env=env)
    assert made.returncode == 0, made.stderr
    return env, made.stdout.strip().splitlines()[-1]


@pytest.mark.processes
async def test_a_restored_backup_serves_the_same_answers(tmp_path: Path) -> None:
    data_dir, backup = tmp_path / "data", tmp_path / "backups" / "monday.sqlite"
    backup.parent.mkdir()
    env, token = loaded(data_dir)
    with newsroom_servers(1, env) as (url,):
        article_id = (await answers(url, token))["page"]["data"]["article"]["id"]
        for stars in (5, 4, 4, 2, 5):
            await vote(url, article_id, stars)
        before = await answers(url, token)

        # Given a backup taken while the API serves
        created = newsroom("backup", "create", str(backup), env=env)
        again = newsroom("backup", "create", str(backup), env=env)
        refused = newsroom("backup", "restore", str(backup), env=env)

        # When the store changes afterwards
        for stars in (1, 1, 1):
            await vote(url, article_id, stars)
        assert newsroom("tokens", "revoke", "desk", env=env).returncode == 0
        changed = await answers(url, token)

    restored = newsroom("backup", "restore", str(backup), env=env)
    with newsroom_servers(1, env) as (url,):
        after = await answers(url, token)

    # Then the restored store serves exactly what was served when the backup was taken
    assert created.returncode == 0, created.stderr
    assert "Backed up" in created.stdout
    assert backup.stat().st_mode & 0o777 == 0o600
    assert again.returncode == 1
    assert "never overwrites" in again.stderr
    assert refused.returncode == 1
    assert "Newsroom is running on" in refused.stderr
    assert changed != before
    assert restored.returncode == 0, restored.stderr
    assert "The store it replaced is kept as" in restored.stdout
    assert list(data_dir.glob("store.sqlite.before-restore-*"))
    assert after == before
    assert after["page"]["data"]["article"]["rating"]["count"] >= 5
    assert after["drafts"] == {"data": {"articles": {"totalCount": 0}}}


@pytest.mark.processes
async def test_a_backup_taken_under_a_stream_of_votes_is_consistent(tmp_path: Path) -> None:
    data_dir, backup = tmp_path / "data", tmp_path / "streamed.sqlite"
    env, token = loaded(data_dir)
    with newsroom_servers(1, env) as (url,):
        article_id = (await answers(url, token))["page"]["data"]["article"]["id"]
        stop = asyncio.Event()

        async def voter() -> None:
            while not stop.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    await vote(url, article_id, 3)

        voters = [asyncio.create_task(voter()) for _ in range(4)]
        await asyncio.sleep(2)
        created = await asyncio.to_thread(newsroom, "backup", "create", str(backup), env=env)
        await asyncio.sleep(1)
        stop.set()
        await asyncio.gather(*voters)

    # Restored elsewhere, the counters match the ledger once votes in flight are completed.
    elsewhere = embedded_env(tmp_path / "elsewhere")
    restored = newsroom("backup", "restore", str(backup), env=elsewhere)
    recount = newsroom("ratings", "rebuild", env=elsewhere)

    assert created.returncode == 0, created.stderr
    assert restored.returncode == 0, restored.stderr
    assert "kept as" not in restored.stdout  # there was no store there
    assert recount.returncode == 0, recount.stderr
    assert "No drift: every rating matches the ledger." in recount.stdout


@pytest.mark.slow
def test_a_backup_of_mongodb_points_to_its_own_tools(cli_env: dict[str, str]) -> None:
    result = newsroom("backup", "create", "/tmp/never-written.sqlite", env=cli_env)

    assert result.returncode == 1
    assert "mongodump" in result.stderr
    assert "mongorestore" in result.stderr
    assert not Path("/tmp/never-written.sqlite").exists()


@pytest.mark.slow
def test_a_file_that_is_not_a_backup_is_not_restored(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    # Any store will do: the refusal must leave its file as it was.
    env, _ = loaded(data_dir, content=False)
    store_before = (data_dir / "store.sqlite").read_bytes()
    bogus = tmp_path / "bogus.sqlite"
    bogus.write_text("not a backup")

    result = newsroom("backup", "restore", str(bogus), env=env)

    assert result.returncode == 1
    assert "is not a SQLite database: not a backup to restore" in result.stderr
    assert (data_dir / "store.sqlite").read_bytes() == store_before
