"""Client addresses as limits count them, and addresses webhooks may not reach.

An IPv6 client holds a whole /64 and may use any address in it, so every per-client limit (votes,
notes, live subscriptions) counts an IPv6 client by its /64; an IPv4-mapped IPv6 address is the
IPv4 address it carries.
"""

import contextlib
import ipaddress
import os
import uuid
from collections.abc import Iterator

import pytest

from api.settings import Settings
from cms.engagement.rate_limits import client_of
from cms.webhooks.guard import is_public
from tests.conftest import Tokens, serving
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.live_client import wait_for_subscriptions
from tests.servers import served
from tests.test_live import error_code, subscribed
from tests.test_rate_limits import limited, vote
from tests.test_webhooks_guard import ADD


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("[2001:db8:1:2::9]", "2001:db8:1:2::/64"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        ("not an address", "not an address"),
    ],
)
def test_a_client_is_an_ipv4_address_or_an_ipv6_64(address: str, client: str) -> None:
    assert client_of(address) == client


async def test_every_address_of_an_ipv6_64_shares_one_vote_limit(settings: Settings) -> None:
    configured = limited(settings, vote_limit_per_address=2, trusted_proxies="10.0.0.0/8")
    async with serving(configured, peer=("10.0.0.2", 4000)) as client:
        article_id = global_id(await make_article())

        # A fresh reader (no cookie) from a fresh address of the same /64 each time.
        same_64 = [
            (
                await vote(
                    client.new_reader({"x-forwarded-for": f"2001:db8:1:2::{n:x}"}), article_id
                )
            )[0]
            for n in range(1, 4)
        ]
        next_64, _ = await vote(
            client.new_reader({"x-forwarded-for": "2001:db8:1:3::1"}), article_id
        )

    assert [result["__typename"] for result in same_64] == ["VoteSuccess"] * 2 + ["RateLimited"]
    assert next_64["__typename"] == "VoteSuccess"


async def test_an_ipv4_mapped_address_is_the_ipv4_client(settings: Settings) -> None:
    configured = limited(settings, vote_limit_per_address=1, trusted_proxies="10.0.0.0/8")
    async with serving(configured, peer=("10.0.0.2", 4000)) as client:
        article_id = global_id(await make_article())

        results = [
            (await vote(client.new_reader({"x-forwarded-for": hop}), article_id))[0]
            for hop in ("::ffff:198.51.100.4", "198.51.100.4")
        ]

    assert [result["__typename"] for result in results] == ["VoteSuccess", "RateLimited"]


async def test_a_proxy_that_connects_over_ipv4_mapped_ipv6_is_trusted(settings: Settings) -> None:
    """A dual-stack socket reports an IPv4 proxy as `::ffff:10.0.0.2`: still that proxy."""
    configured = limited(settings, vote_limit_per_address=1, trusted_proxies="10.0.0.0/8")
    async with serving(configured, peer=("::ffff:10.0.0.2", 4000)) as client:
        article_id = global_id(await make_article())

        results = [
            (await vote(client.new_reader({"x-forwarded-for": hop}), article_id))[0]
            for hop in ("198.51.100.4", "198.51.100.5")
        ]

    # Two clients behind the proxy, not one proxy voting twice.
    assert [result["__typename"] for result in results] == ["VoteSuccess", "VoteSuccess"]


async def test_a_direct_ipv6_peer_is_counted_by_its_64_too(settings: Settings) -> None:
    configured = limited(settings, vote_limit_per_address=1)
    article_id = ""
    results = []
    for peer in ("2001:db8:9:9::1", "2001:db8:9:9::2"):
        async with serving(configured, peer=(peer, 4000)) as client:
            article_id = article_id or global_id(await make_article())
            results.append((await vote(client.new_reader(), article_id))[0]["__typename"])

    assert results == ["VoteSuccess", "RateLimited"]


@pytest.fixture(scope="module")
def capped(mongodb_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server allowing two live subscriptions per client, behind a proxy on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("capped")
    env = {
        "NEWSROOM_MONGODB_URI": mongodb_uri,
        "NEWSROOM_DATABASE": f"test_{uuid.uuid4().hex[:16]}",
        "NEWSROOM_DATA_DIR": str(folder / "data"),
        "NEWSROOM_LIVE_MAX_SUBSCRIPTIONS_PER_CLIENT": "2",
        "NEWSROOM_TRUSTED_PROXIES": "127.0.0.1",
    }
    with served(os.environ | env, folder / "server.log") as url:
        yield url


@pytest.mark.processes
async def test_live_subscriptions_are_capped_per_ipv6_64(capped: str) -> None:
    async with contextlib.AsyncExitStack() as held:
        for address in ("2001:db8:7:7::1", "2001:db8:7:7::2"):
            await held.enter_async_context(subscribed(capped, address))
        await wait_for_subscriptions(capped, 2)

        async with subscribed(capped, "2001:db8:7:7::3") as same_64:
            refused = await error_code(same_64)
        async with subscribed(capped, "2001:db8:7:8::1") as next_64:
            await wait_for_subscriptions(capped, 3)
            assert next_64.socket.close_code is None

    assert refused == "TOO_MANY_SUBSCRIPTIONS"


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible (deprecated): some stacks reach 127.0.0.1
        "::169.254.169.254",
        "fec0::1",  # site-local (deprecated), private in effect
        "3fff::1",  # documentation (RFC 9637)
        "5f00::1",  # SRv6 segment ids (RFC 9602)
        "::",
        "100::1",  # discard-only
        "2001:db8::1",  # documentation
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2001::1",  # Teredo
        "64:ff9b:1::a00:1",  # local-use NAT64 (RFC 8215)
        "240.0.0.1",
        "198.18.0.1",  # benchmarking
        "192.0.0.8",
        "ff0e::1",  # global-scope multicast
    ],
)
def test_special_addresses_are_not_public(address: str) -> None:
    assert not is_public(ipaddress.ip_address(address))


@pytest.fixture
def admin(client: GraphQLClient, tokens: Tokens) -> GraphQLClient:
    return client.as_token(tokens.admin)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """As in production: private addresses refused."""
    return settings.model_copy(update={"webhooks_allow_private": False})


@pytest.mark.parametrize("host", ["[::127.0.0.1]", "[::7f00:1]", "[fec0::1]", "[fec0::7f00:1]"])
async def test_webhooks_to_deprecated_ipv6_forms_are_refused(
    admin: GraphQLClient, host: str
) -> None:
    refused = (await admin.data(ADD, {"url": f"http://{host}/hook"}))["addWebhookEndpoint"]

    assert refused["__typename"] == "WebhookUrlRefused"
    assert "which is not a public internet address" in refused["message"]
