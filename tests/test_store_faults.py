"""A store that goes away: requests fail fast and say so plainly, and the store heals by itself."""

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager
from beanie import PydanticObjectId
from strawberry.relay import GlobalID

from api.settings import Settings
from cms.engagement.votes import Vote
from cms.spine.journal import Operation
from cms.store.embedded import embedded_server
from newsroom.app import create_app
from tests.cli import NEWSROOM, newsroom
from tests.factories import global_id, make_article
from tests.operations import vote_operation
from tests.servers import free_port
from tests.tcp_proxy import TcpProxy
from tests.test_embedded_store import embedded_env, ping, wait_until_stopped

# Each test here runs API or store processes of its own: not in `make test-fast`.
pytestmark = pytest.mark.processes

VOTE = vote_operation("__typename ... on VoteSuccess { rating { count } }")
RATING = 'query { article(slug: "voted") { rating { count } } }'
COUNT_ARTICLES = "{ articles { totalCount } }"
COUNT_TAGS = "{ tags { totalCount } }"
UNAVAILABLE = {
    "message": "The content store is unavailable; try again shortly.",
    "extensions": {"code": "SERVICE_UNAVAILABLE"},
}
# Far below PyMongo's own 30 s, with room for a loaded machine.
FAST = 10.0


def store_pid(data_dir: Path) -> int | None:
    """The process id of the embedded server serving `data_dir`, if one runs."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"cms.store.embedded" in arguments and str(data_dir).encode() in arguments:
            return int(entry.name)
    return None


async def until[T](check: Callable[[], Awaitable[T]], timeout: float = 60.0) -> T:
    """Poll `check()` until it returns something truthy; that."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := await check():
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"{check.__name__} did not happen in {timeout:.0f}s")


@pytest.fixture
async def embedded_http(tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    """The app on an embedded store of its own, with a short store timeout."""
    settings = Settings(
        mongodb_uri=None,
        data_dir=tmp_path / "data",
        database="faults",
        store_timeout=1.0,
        # Votes cut by the kill are completed by the app's upkeep once this has passed.
        journal_grace=1.0,
    )
    async with LifespanManager(
        create_app(settings), startup_timeout=120, shutdown_timeout=120
    ) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://newsroom.test") as http:
            yield http


def assert_outage(body: dict[str, Any]) -> None:
    """An outage, said generically: no address, no port, no traceback, not the caller's fault."""
    assert body["errors"], body
    for error in body["errors"]:
        assert {key: error[key] for key in ("message", "extensions")} == UNAVAILABLE
    assert "127.0.0.1" not in str(body)


async def test_a_killed_store_heals_and_keeps_every_acknowledged_vote(
    embedded_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    # Given votes streaming in
    data_dir = tmp_path / "data"
    article_id = global_id(await make_article(slug="voted"))
    uri_before = (data_dir / "store.uri").read_text()
    acknowledged, attempted, outages = 0, 0, []
    killed = asyncio.Event()

    async def voter() -> None:
        nonlocal acknowledged, attempted
        # Votes go on until 30 have been counted since the kill (or a minute has passed).
        deadline = time.monotonic() + 60
        after_kill = 0
        while after_kill < 30 and time.monotonic() < deadline:
            attempted += 1
            # Each vote a new reader's (no voter cookie): one reader's votes count once.
            async with httpx.AsyncClient(
                transport=embedded_http._transport, base_url=embedded_http.base_url
            ) as reader:
                response = await reader.post(
                    "/graphql",
                    json={"query": VOTE, "variables": {"articleId": article_id, "stars": 4}},
                )
            body = response.json()
            if body.get("data") and body["data"]["vote"]["__typename"] == "VoteSuccess":
                acknowledged += 1
                after_kill += killed.is_set()
            else:
                outages.append(body)

    async def some_counted() -> bool:
        return acknowledged >= 20

    voters = [asyncio.create_task(voter()) for _ in range(4)]
    await until(some_counted)

    # When the store is killed under them
    pid = store_pid(data_dir)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    killed.set()
    await asyncio.gather(*voters)

    # Then it came back by itself, at the same address, with every acknowledged vote counted
    new_pid = store_pid(data_dir)
    assert new_pid is not None
    assert new_pid != pid
    assert (data_dir / "store.uri").read_text() == uri_before
    body = (await embedded_http.post("/graphql", json={"query": RATING})).json()
    counted = body["data"]["article"]["rating"]["count"]
    # A vote answered with an error may or may not have been counted; none is counted twice.
    assert acknowledged <= counted <= attempted
    for outage in outages:
        assert_outage(outage)
        assert outage["data"] is None
    health = await embedded_http.get("/healthz")
    assert health.status_code == 200

    # And the votes the kill cut in half (their requests failed; this process lives on) are
    # completed by the sweep: nothing is left in flight, and the counters equal the ledger.
    async def settled() -> bool:
        body = (await embedded_http.post("/graphql", json={"query": RATING})).json()
        in_ledger = await Vote.find(Vote.article == PydanticObjectId(node_id)).count()
        in_flight = await Operation.find_all().count()
        return in_flight == 0 and body["data"]["article"]["rating"]["count"] == in_ledger

    node_id = GlobalID.from_id(article_id).node_id
    await until(settled, timeout=60)


async def test_a_hung_store_fails_requests_and_health_checks_quickly(
    embedded_http: httpx.AsyncClient, tmp_path: Path
) -> None:
    # Given a store that answers
    assert (await embedded_http.post("/graphql", json={"query": COUNT_ARTICLES})).status_code == 200
    pid = store_pid(tmp_path / "data")
    assert pid is not None

    # When it stops answering (its connections stay open)
    os.kill(pid, signal.SIGSTOP)
    try:
        # Lists and counts of articles come from the in-memory catalog and still answer;
        # anything read from the store (tags here) fails fast.
        from_catalog = await embedded_http.post("/graphql", json={"query": COUNT_ARTICLES})
        started = time.monotonic()
        query = await embedded_http.post("/graphql", json={"query": COUNT_TAGS})
        query_seconds = time.monotonic() - started
        started = time.monotonic()
        health = await embedded_http.get("/healthz")
        health_seconds = time.monotonic() - started
    finally:
        os.kill(pid, signal.SIGCONT)

    # Then requests fail well before PyMongo's 30 s, and recover once it answers again
    assert from_catalog.json() == {"data": {"articles": {"totalCount": 0}}}
    assert query.status_code == 200
    assert_outage(query.json())
    assert query_seconds < FAST
    assert health.status_code == 503
    assert health_seconds < FAST

    async def answers() -> bool:
        body = (await embedded_http.post("/graphql", json={"query": COUNT_TAGS})).json()
        return "errors" not in body

    await until(answers)
    assert (await embedded_http.get("/healthz")).status_code == 200


@pytest.fixture
async def proxied_settings(
    settings: Settings,
) -> AsyncIterator[tuple[Settings, TcpProxy]]:
    """Settings that reach the test's MongoDB through a relay the test can stop and restart."""
    assert settings.mongodb_uri is not None
    server = urlsplit(settings.mongodb_uri)
    assert server.hostname is not None
    assert server.port is not None
    proxy = TcpProxy(server.hostname, server.port)
    await proxy.start()
    credentials = server.netloc.rpartition("@")[0]
    netloc = f"{credentials}@127.0.0.1:{proxy.port}" if credentials else f"127.0.0.1:{proxy.port}"
    # Straight to the relay, even for a replica set (which would otherwise go round it).
    options = dict(parse_qsl(server.query)) | {"directConnection": "true"}
    query = urlencode(options)
    uri = urlunsplit((server.scheme, netloc, server.path or "/", query, ""))
    yield (
        settings.model_copy(
            update={"mongodb_uri": uri, "store_timeout": 1.0, "environment": "production"}
        ),
        proxy,
    )
    await proxy.stop()


async def test_requests_fail_fast_while_mongodb_is_away_and_work_when_it_returns(
    proxied_settings: tuple[Settings, TcpProxy],
) -> None:
    settings, proxy = proxied_settings
    async with LifespanManager(
        create_app(settings), startup_timeout=120, shutdown_timeout=120
    ) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://newsroom.test") as http:
            # Given an API that works
            await make_article(slug="voted")
            before = (await http.post("/graphql", json={"query": COUNT_ARTICLES})).json()
            assert before == {"data": {"articles": {"totalCount": 1}}}

            # When the store goes away (tags, unlike the article list, are not yet in memory:
            # reading them needs the store)
            await proxy.stop()
            started = time.monotonic()
            during = (await http.post("/graphql", json={"query": COUNT_TAGS})).json()
            query_seconds = time.monotonic() - started
            started = time.monotonic()
            health = await http.get("/healthz")
            health_seconds = time.monotonic() - started

            # Then requests fail at once with a plain, unmasked error, and health says so
            assert_outage(during)
            assert query_seconds < FAST
            assert health.status_code == 503
            assert health_seconds < FAST

            # And when it comes back on the same address, the same API answers again
            await proxy.start()

            async def answers() -> dict[str, Any] | None:
                body: dict[str, Any] = (
                    await http.post("/graphql", json={"query": COUNT_TAGS})
                ).json()
                return None if "errors" in body else body

            assert await until(answers) == {"data": {"tags": {"totalCount": 0}}}
            assert (await http.get("/healthz")).status_code == 200


async def test_a_process_that_only_used_the_store_restarts_it(tmp_path: Path) -> None:
    """`newsroom serve` started the store and is frozen; a process that only uses it restarts it."""
    data_dir = tmp_path / "data"
    port = free_port()
    serve = subprocess.Popen(
        [NEWSROOM, "serve", "--port", str(port)],
        env=embedded_env(data_dir),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )

    def healthy() -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        except httpx.TransportError:
            return False

    try:
        await until(lambda: asyncio.to_thread(healthy))
        async with embedded_server(data_dir) as uri:
            # Given the starter cannot act, when its store is killed
            serve.send_signal(signal.SIGSTOP)
            try:
                pid = store_pid(data_dir)
                assert pid is not None
                os.kill(pid, signal.SIGKILL)
                # Then the mere user starts it again, at the address both hold
                await until(lambda: ping(uri))
                assert store_pid(data_dir) not in (None, pid)
            finally:
                serve.send_signal(signal.SIGCONT)
            # And the starter's API answers again without a restart
            await until(lambda: asyncio.to_thread(healthy))
            answer = httpx.post(
                f"http://127.0.0.1:{port}/graphql", json={"query": COUNT_ARTICLES}, timeout=5
            )
            assert answer.json() == {"data": {"articles": {"totalCount": 0}}}
            # (Stopped first, so that the store we restarted stops with us.)
            serve.terminate()
            output, _ = await asyncio.to_thread(serve.communicate, timeout=30)
    finally:
        if serve.poll() is None:
            serve.kill()
            serve.communicate()

    password = urlsplit(uri).password
    assert password
    assert password not in output, "the store's password must never be logged"
    await wait_until_stopped(data_dir)


def test_the_cli_names_no_address_when_the_store_is_away(cli_env: dict[str, str]) -> None:
    nowhere = f"mongodb://127.0.0.1:{free_port()}/?directConnection=true"

    result = newsroom(
        "tokens",
        "list",
        env=cli_env | {"NEWSROOM_MONGODB_URI": nowhere, "NEWSROOM_STORE_TIMEOUT": "0.3"},
    )

    assert result.returncode == 1
    assert "The store is unavailable" in result.stderr
    assert "127.0.0.1" not in result.stderr
    assert "Traceback" not in result.stderr
