"""Votes and rate limits hold across API processes: two `newsroom serve` on one store."""

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest

from api.voters import COOKIE
from cms.engagement.ratings import STARS
from cms.engagement.votes import Vote
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import vote_operation
from tests.servers import newsroom_servers

# Each test here runs API or store processes of its own: not in `make test-fast`.
pytestmark = pytest.mark.processes

VOTE = vote_operation("__typename ... on VoteSuccess { rating { count } }")
RATING = (
    "query ($slug: String!) { article(slug: $slug) { rating { count distribution { count } } } }"
)


class Reader:
    """A browser of its own: its voter cookie goes to whichever server it reaches."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.cookie: str | None = None

    async def vote(self, url: str, article_id: str, stars: int) -> dict[str, Any]:
        headers = {"cookie": f"{COOKIE}={self.cookie}"} if self.cookie else {}
        response = await self.http.post(
            f"{url}/graphql",
            json={"query": VOTE, "variables": {"articleId": article_id, "stars": stars}},
            headers=headers,
        )
        self.cookie = self.cookie or response.cookies.get(COOKIE)
        result: dict[str, Any] = response.json()["data"]["vote"]
        return result


@contextlib.asynccontextmanager
async def readers(count: int) -> AsyncIterator[list[Reader]]:
    async with contextlib.AsyncExitStack() as stack:
        # A connection per request: uvicorn drops connections idle for 5 s, and a request sent
        # on one just as it goes fails for no fault of the votes (slow rounds on a busy machine).
        fresh = httpx.Limits(max_keepalive_connections=0)
        clients = [
            await stack.enter_async_context(httpx.AsyncClient(timeout=60, limits=fresh))
            for _ in range(count)
        ]
        yield [Reader(http) for http in clients]


def distribution(final_stars: dict[int, int]) -> list[int]:
    return [sum(1 for stars in final_stars.values() if stars == s) for s in STARS]


async def test_votes_and_re_votes_on_two_processes_count_exactly(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    article = await make_article(slug="contested")
    article_id = global_id(article)
    chance = random.Random(6)
    env = cli_env | {"NEWSROOM_VOTE_LIMIT_PER_ADDRESS": "0", "NEWSROOM_VOTE_LIMIT_PER_VOTER": "0"}
    last: dict[int, int] = {}  # the model: each reader's last stars

    async def round_of_votes(
        voters: Sequence[Reader], urls: Sequence[str], who: Sequence[int]
    ) -> list[dict[str, Any]]:
        stars = {index: chance.choice(list(STARS)) for index in who}
        last.update(stars)
        return await asyncio.gather(
            *(voters[i].vote(chance.choice(urls), article_id, stars[i]) for i in who)
        )

    async with readers(30) as voters:
        with newsroom_servers(2, env) as urls:
            first = await round_of_votes(voters, urls, range(30))
            await round_of_votes(voters, urls, range(30))
            await round_of_votes(voters, urls, chance.sample(range(30), 15))
            # One reader's concurrent votes on both servers: whichever lands last is theirs.
            raced = await asyncio.gather(
                *(voters[0].vote(url, article_id, stars) for url in urls for stars in (1, 5))
            )
        racer = voters[0].cookie

    rating = (await client.data(RATING, {"slug": "contested"}))["article"]["rating"]
    ledger = await Vote.find(Vote.article == article.id).to_list()
    assert racer is not None
    last[0] = next(entry.stars for entry in ledger if racer.startswith(f"{entry.voter}."))

    assert sorted(result["rating"]["count"] for result in first) == list(range(1, 31))
    assert {result["__typename"] for result in raced} == {"VoteSuccess"}
    assert len(ledger) == 30
    assert rating["count"] == 30
    assert [bucket["count"] for bucket in rating["distribution"]] == distribution(last)


async def test_rate_limits_are_shared_by_the_processes(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    article_id = global_id(await make_article())
    env = cli_env | {"NEWSROOM_VOTE_LIMIT_PER_ADDRESS": "5"}

    # A script that drops its cookies and spreads its votes over both workers.
    async with readers(8) as script:
        with newsroom_servers(2, env) as urls:
            results = [
                await reader.vote(urls[n % 2], article_id, 5) for n, reader in enumerate(script)
            ]

    kinds = [result["__typename"] for result in results]
    assert kinds == ["VoteSuccess"] * 5 + ["RateLimited"] * 3
