"""The embedded store is its owner's alone: closed files, and a password on every connection.

Tests run as root, who can read anything; so they check the modes another user would meet and
that the server refuses connections without the password, rather than trying as another user.
"""

import logging
import stat
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from api.settings import Settings
from cms.store.embedded import embedded_server
from newsroom.app import create_app
from tests.test_embedded_store import wait_until_stopped


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_the_directory_and_every_file_are_closed_to_others(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    async with embedded_server(data_dir) as uri:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
        await client.newsroom.drafts.insert_many([{"n": n} for n in range(100)])
        await client.close()
        running = {path.name: mode(path) for path in data_dir.iterdir()}

    assert mode(data_dir) == 0o700
    # The SQLite file with its write-ahead log and shared memory, the URI, the locks.
    assert {"store.sqlite", "store.sqlite-wal", "store.sqlite-shm", "store.uri"} <= set(running)
    assert set(running.values()) == {0o600}, running
    assert {mode(path) for path in data_dir.iterdir()} == {0o600}


async def test_files_an_older_version_left_open_are_closed(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    async with embedded_server(data_dir):
        pass  # a store, whose files an older version left readable:
    await wait_until_stopped(data_dir)
    data_dir.chmod(0o755)
    for name in ("store.sqlite", "store.lock", "store.users"):
        (data_dir / name).chmod(0o644)

    async with embedded_server(data_dir):
        pass

    assert mode(data_dir) == 0o700
    assert {path.name: mode(path) for path in data_dir.iterdir()} == {
        "store.sqlite": 0o600,
        "store.lock": 0o600,
        "store.users": 0o600,
    }


async def test_connections_without_the_password_are_refused(tmp_path: Path) -> None:
    async with embedded_server(tmp_path) as uri:
        address = urlsplit(uri)
        anonymous = f"mongodb://{address.hostname}:{address.port}/?directConnection=true"
        wrong = uri.replace(f":{address.password}@", ":not-the-password@")
        refused = []
        for attempt in (anonymous, wrong):
            client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
                attempt, serverSelectionTimeoutMS=2000
            )
            with pytest.raises(OperationFailure) as error:
                await client.newsroom.drafts.find_one({})
            refused.append(str(error.value))
            await client.close()
        owner: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
        await owner.newsroom.drafts.insert_one({"_id": "kept"})
        found = await owner.newsroom.drafts.find_one({})
        await owner.close()

    assert "Authentication required" in refused[0]
    assert "Authentication failed" in refused[1]
    assert found == {"_id": "kept"}


async def test_the_password_is_never_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "data"
    settings = Settings(mongodb_uri=None, data_dir=data_dir, database=uuid.uuid4().hex)

    async with LifespanManager(
        create_app(settings), startup_timeout=120, shutdown_timeout=120
    ) as manager:
        password = urlsplit((data_dir / "store.uri").read_text()).password
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://newsroom.test") as http:
            health = (await http.get("/healthz")).json()
            await http.post("/graphql", json={"query": "{ articles { totalCount } }"})

    assert password
    assert "embedded store" in caplog.text
    assert password not in caplog.text
    assert password not in str(health)
