"""Rate limits on votes: per voter and per client address, behind proxies only if trusted."""

from datetime import timedelta
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from api.settings import Settings
from cms.clock import utcnow
from cms.engagement import rate_limits as ratelimits
from tests.conftest import serving
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import vote_operation

VOTE = vote_operation("__typename ... on RateLimited { code message retryAfter }")


def limited(settings: Settings, **limits: Any) -> Settings:
    return Settings.model_validate(settings.model_dump() | limits)


async def vote(
    reader: GraphQLClient, article_id: str, stars: int = 4
) -> tuple[dict[str, Any], Any]:
    response = await reader.http.post(
        "/graphql", json={"query": VOTE, "variables": {"articleId": article_id, "stars": stars}}
    )
    return response.json()["data"]["vote"], response.headers


@pytest.mark.slow
async def test_a_voter_past_the_limit_is_told_when_to_come_back(settings: Settings) -> None:
    async with serving(limited(settings, vote_limit_per_voter=3, rate_limit_window=600)) as client:
        articles = [global_id(await make_article()) for _ in range(5)]
        reader = client.new_reader()

        # The first vote issues the cookie (a new voter id has no history: only the address
        # counts it); the limit holds for the votes that come with the cookie.
        allowed = [(await vote(reader, article_id))[0] for article_id in articles[:4]]
        refused, headers = await vote(reader, articles[4])
        other, _ = await vote(client.new_reader(), articles[4])

    assert [result["__typename"] for result in allowed] == ["VoteSuccess"] * 4
    assert refused["__typename"] == "RateLimited"
    assert refused["code"] == "RATE_LIMITED"
    assert 0 < refused["retryAfter"] <= 600
    assert headers["retry-after"] == str(refused["retryAfter"])
    assert other["__typename"] == "VoteSuccess"  # another reader is not held back


@pytest.mark.slow
async def test_an_office_of_readers_behind_one_address_all_vote(client: GraphQLClient) -> None:
    """Default limits: 40 readers on one address, three articles each, every vote counts."""
    articles = [global_id(await make_article()) for _ in range(3)]
    readers = [client.new_reader() for _ in range(40)]

    results = [await vote(reader, article_id) for reader in readers for article_id in articles]

    assert {result["__typename"] for result, _ in results} == {"VoteSuccess"}


async def test_a_script_without_cookies_is_stopped_by_the_address_limit(settings: Settings) -> None:
    async with serving(limited(settings, vote_limit_per_address=5)) as client:
        article_id = global_id(await make_article())

        # A fresh reader every time: no cookie, so only the address can stop it.
        results = [(await vote(client.new_reader(), article_id))[0] for _ in range(8)]

    kinds = [result["__typename"] for result in results]
    assert kinds == ["VoteSuccess"] * 5 + ["RateLimited"] * 3


@pytest.mark.parametrize(
    ("forwarded", "limited_after"),
    [
        # The proxy appends the address it saw; what the client wrote before it is ignored.
        (["203.0.113.7", "1.1.1.1, 203.0.113.7", "2.2.2.2, 203.0.113.7"], 2),
        (["203.0.113.7, 10.0.0.9", "203.0.113.7", "203.0.113.7, 10.0.0.5"], 2),
    ],
)
async def test_behind_a_trusted_proxy_the_forwarded_client_counts(
    settings: Settings, forwarded: list[str], limited_after: int
) -> None:
    configured = limited(settings, vote_limit_per_address=2, trusted_proxies="10.0.0.0/8")
    async with serving(configured, peer=("10.0.0.2", 4000)) as client:
        article_id = global_id(await make_article())

        results = [
            (await vote(client.new_reader({"x-forwarded-for": hops}), article_id))[0]
            for hops in forwarded
        ]
        elsewhere, _ = await vote(
            client.new_reader({"x-forwarded-for": "198.51.100.4"}), article_id
        )

    kinds = [result["__typename"] for result in results]
    assert kinds == ["VoteSuccess"] * limited_after + ["RateLimited"]
    assert elsewhere["__typename"] == "VoteSuccess"


async def test_forwarded_addresses_from_an_untrusted_peer_are_ignored(settings: Settings) -> None:
    configured = limited(settings, vote_limit_per_address=2, trusted_proxies="10.0.0.0/8")
    async with serving(configured, peer=("192.0.2.50", 4000)) as client:
        article_id = global_id(await make_article())

        results = [
            (await vote(client.new_reader({"x-forwarded-for": f"198.51.100.{n}"}), article_id))[0]
            for n in range(3)
        ]

    assert [result["__typename"] for result in results] == ["VoteSuccess"] * 2 + ["RateLimited"]


async def test_addresses_are_stored_only_as_keyed_hashes(settings: Settings) -> None:
    async with serving(settings, peer=("192.0.2.77", 4000)) as client:
        await vote(client.new_reader(), global_id(await make_article()))
    store: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(settings.mongodb_uri)
    try:
        windows = await store[settings.database].rate_limits.find().to_list()
    finally:
        await store.close()

    assert len(windows) == 1
    assert "192.0.2.77" not in str(windows)
    assert windows[0]["_id"].startswith("vote:address:")


async def test_ended_windows_are_pruned(client: GraphQLClient) -> None:
    await vote(client.new_reader(), global_id(await make_article()))

    kept = await ratelimits.prune()
    pruned = await ratelimits.prune(now=utcnow() + timedelta(seconds=601))

    assert (kept, pruned) == (0, 1)
