"""Live updates: subscriptions over a real WebSocket, fed by writes from any process."""

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.cli import newsroom
from tests.conftest import REPO
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.live_client import LiveClient, wait_for_subscriptions
from tests.operations import VOTE
from tests.servers import served

RATING_CHANGED = """
subscription ($articleId: ID!) {
  ratingChanged(articleId: $articleId) { id average count distribution { stars count } }
}
"""
ARTICLE_PUBLISHED = "subscription { articlePublished { headline slug url rating { count } } }"
PUBLISHED_SLUGS = "{ articles(first: 100) { totalCount nodes { slug } } }"


async def vote(url: str, article_id: str, stars: int) -> None:
    # A new client each time: a new reader (no voter cookie), so every vote counts.
    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.post(
            f"{url}/graphql",
            json={"query": VOTE, "variables": {"articleId": article_id, "stars": stars}},
        )
    assert response.json()["data"]["vote"]["__typename"] == "VoteSuccess"


@pytest.mark.processes
async def test_a_subscriber_sees_every_vote_cast_on_another_process(
    client: GraphQLClient, cli_env: dict[str, str], tmp_path: Path
) -> None:
    article_id = global_id(await make_article(slug="watched"))

    with (
        served(cli_env, tmp_path / "watching.log") as watching,
        served(cli_env, tmp_path / "voting.log") as voting,
    ):
        async with LiveClient.connect(watching) as live:
            await live.subscribe("1", RATING_CHANGED, {"articleId": article_id})
            now = await live.receive()
            seen = [now["payload"]["data"]["ratingChanged"]]
            for stars in (5, 3, 4):
                await vote(voting, article_id, stars)
                update = await live.receive()
                seen.append(update["payload"]["data"]["ratingChanged"])

    assert [rating["count"] for rating in seen] == [0, 1, 2, 3]
    assert [rating["average"] for rating in seen] == [0.0, 5.0, 4.0, 4.0]
    assert [bucket["count"] for bucket in seen[-1]["distribution"]] == [0, 0, 1, 1, 1]
    assert len({rating["id"] for rating in seen}) == 1


@pytest.mark.processes
async def test_a_fixture_load_reaches_article_published_and_a_slow_subscriber_is_dropped(
    client: GraphQLClient, cli_env: dict[str, str], tmp_path: Path
) -> None:
    # The demo load publishes some 40 articles at once: more than 5 waiting updates, and more
    # than 16 KiB of them.
    cramped = cli_env | {"NEWSROOM_LIVE_QUEUE_SIZE": "5"}
    cramped_bytes = cli_env | {
        "NEWSROOM_LIVE_QUEUE_SIZE": "1000",
        "NEWSROOM_LIVE_QUEUE_BYTES": "16384",
    }

    with (
        served(cli_env, tmp_path / "roomy.log") as roomy,
        served(cramped, tmp_path / "cramped.log") as tight,
        served(cramped_bytes, tmp_path / "cramped-bytes.log") as narrow,
    ):
        async with (
            LiveClient.connect(roomy) as live,
            LiveClient.connect(tight) as slow,
            LiveClient.connect(narrow) as heavy,
        ):
            await live.subscribe("front", ARTICLE_PUBLISHED)
            await slow.subscribe("front", ARTICLE_PUBLISHED)
            await heavy.subscribe("front", ARTICLE_PUBLISHED)
            await wait_for_subscriptions(roomy, 1)
            await wait_for_subscriptions(tight, 1)
            await wait_for_subscriptions(narrow, 1)

            loaded = await asyncio.to_thread(
                newsroom, "fixtures", "load", str(REPO / "fixtures"), env=cli_env
            )
            assert loaded.returncode == 0, loaded.stderr
            published = (await client.data(PUBLISHED_SLUGS))["articles"]
            pushed = [await live.receive() for _ in range(published["totalCount"])]
            dropped = await slow.receive()
            completed = await slow.receive()
            dropped_by_bytes = await heavy.receive()

    articles = [message["payload"]["data"]["articlePublished"] for message in pushed]
    assert sorted(article["slug"] for article in articles) == sorted(
        node["slug"] for node in published["nodes"]
    )
    assert all(article["url"].endswith(f"/{article['slug']}") for article in articles)
    assert dropped["payload"]["errors"][0]["extensions"]["code"] == "TOO_SLOW"
    assert dropped_by_bytes["payload"]["errors"][0]["extensions"]["code"] == "TOO_SLOW"
    assert completed == {"id": "front", "type": "complete"}


@pytest.fixture(scope="module")
def bounded(mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One server with small live limits, on a database of its own."""
    folder = tmp_path_factory.mktemp("bounded")
    env = {
        "NEWSROOM_MONGODB_URI": mongodb_uri,
        "NEWSROOM_DATABASE": f"test_{uuid.uuid4().hex[:16]}",
        "NEWSROOM_DATA_DIR": str(folder / "data"),
        "NEWSROOM_LIVE_MAX_SUBSCRIPTIONS": "3",
        "NEWSROOM_LIVE_MAX_SUBSCRIPTIONS_PER_CLIENT": "2",
        "NEWSROOM_LIVE_INIT_TIMEOUT": "0.5",
        "NEWSROOM_LIVE_IDLE_TIMEOUT": "1",
        # Client addresses come from X-Forwarded-For, as behind a proxy.
        "NEWSROOM_TRUSTED_PROXIES": "127.0.0.1",
        "NEWSROOM_CORS_ORIGINS": "https://www.example.com",
    }
    with served(os.environ | env, folder / "server.log") as url:
        yield url


@contextlib.asynccontextmanager
async def subscribed(url: str, client: str) -> AsyncIterator[LiveClient]:
    async with LiveClient.connect(url, forwarded_for=client) as live:
        await live.subscribe("1", ARTICLE_PUBLISHED)
        yield live


async def error_code(live: LiveClient) -> Any:
    message = await live.receive()
    return message["payload"]["errors"][0]["extensions"]["code"]


@pytest.mark.processes
async def test_subscriptions_are_capped_per_client_address_and_per_process(bounded: str) -> None:
    async with contextlib.AsyncExitStack() as held:
        for client in ("192.0.2.1", "192.0.2.1", "192.0.2.2"):
            await held.enter_async_context(subscribed(bounded, client))
        await wait_for_subscriptions(bounded, 3)

        async with subscribed(bounded, "192.0.2.2") as over_process:
            process_cap = await error_code(over_process)
    await wait_for_subscriptions(bounded, 0)
    async with contextlib.AsyncExitStack() as held:
        for client in ("192.0.2.1", "192.0.2.1"):
            await held.enter_async_context(subscribed(bounded, client))
        await wait_for_subscriptions(bounded, 2)
        async with subscribed(bounded, "192.0.2.1") as over_client:
            client_cap = await error_code(over_client)
        async with subscribed(bounded, "192.0.2.3") as another:
            await wait_for_subscriptions(bounded, 3)
            assert another.socket.close_code is None

    assert process_cap == client_cap == "TOO_MANY_SUBSCRIPTIONS"


@pytest.mark.processes
async def test_a_socket_that_never_initialises_or_sits_idle_is_closed(bounded: str) -> None:
    async with LiveClient.connect(bounded, init=False) as silent:
        with pytest.raises(ConnectionClosed) as never_initialised:
            await silent.receive(timeout=10)
    async with LiveClient.connect(bounded) as idle:
        with pytest.raises(ConnectionClosed) as idled:
            await idle.receive(timeout=10)
    async with subscribed(bounded, "192.0.2.9") as busy:
        await asyncio.sleep(2.5)  # more than twice the idle timeout
        still_open = busy.socket.close_code is None

    assert never_initialised.value.rcvd is not None
    assert never_initialised.value.rcvd.code == 4408
    assert idled.value.rcvd is not None
    assert idled.value.rcvd.reason.startswith("Idle")
    assert still_open


@pytest.mark.processes
async def test_a_page_on_another_origin_may_subscribe_only_if_listed(bounded: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with LiveClient.connect(bounded, origin="https://evil.example"):
            pass
    async with LiveClient.connect(bounded, origin="https://www.example.com") as listed:
        assert listed.socket.close_code is None
    async with LiveClient.connect(bounded, origin=bounded) as same_origin:
        assert same_origin.socket.close_code is None

    assert refused.value.response.status_code == 403


@pytest.mark.processes
async def test_a_socket_carries_subscriptions_only(bounded: str) -> None:
    async with LiveClient.connect(bounded) as live:
        await live.subscribe("q", "{ articles { totalCount } }")
        query = await live.receive()
        await live.subscribe("m", 'mutation { vote(articleId: "x", stars: 5) { __typename } }')
        mutation = await live.receive()
        await live.subscribe("r", RATING_CHANGED, {"articleId": "QXJ0aWNsZTpub3BlCg=="})
        unknown = await live.receive()

    assert query["type"] == mutation["type"] == "error"
    assert "subscriptions only" in query["payload"][0]["message"]
    assert "subscriptions only" in mutation["payload"][0]["message"]
    assert unknown["payload"]["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "None" not in unknown["payload"]["errors"][0]["message"]


@pytest.mark.processes
@pytest.mark.parametrize(
    "message",
    [
        "[1, 2]",
        '"subscribe"',
        '{"type": 7}',
        '{"id": {"a": 1}, "type": "subscribe", "payload": {"query": "subscription { x }"}}',
        '{"id": "1", "type": "subscribe", "payload": null}',
        '{"id": "1", "type": "subscribe", "payload": {"query": 7}}',
        '{"id": "1", "type": "subscribe", "payload": {"query": "{ x }", "variables": [1]}}',
        '{"id": "1", "type": "subscribe", "payload": {"query": "\\ud800"}}',
        '{"id": ["1"], "type": "complete"}',
        '{"type": "ping", "payload": "x"}',
        '{"type": "ping", "payload": {"n": ' + "7" * 5000 + "}}",
        '{"type": "ping", "payload": {"n": NaN}}',
        "[" * 5000 + "]" * 5000,
    ],
)
async def test_a_malformed_message_closes_the_socket_with_4400(bounded: str, message: str) -> None:
    async with LiveClient.connect(bounded) as live:
        await live.socket.send(message)
        with pytest.raises(ConnectionClosed) as closed:
            await live.receive(timeout=10)

    # graphql-transport-ws: "an immediate socket closure with the event 4400"; each of these
    # raised inside the handler before, and the socket dropped with no close code.
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4400


@pytest.mark.processes
async def test_a_null_payload_is_allowed_where_the_protocol_allows_one(bounded: str) -> None:
    async with LiveClient.connect(bounded, init=False) as live:
        await live.send({"type": "connection_init", "payload": None})
        ack = await live.receive()
        await live.send({"type": "ping", "payload": None})
        pong = await live.receive()

    assert ack == {"type": "connection_ack"}
    assert pong == {"type": "pong"}
