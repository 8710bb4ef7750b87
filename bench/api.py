"""How fast the API serves the demo content, as ratios against a floor measured in the same run.

The floor is one `find` by `_id` through the same PyMongo client and store: the least a request
that touches the store can cost. Each operation reports its median over many runs and that median
divided by the floor's, so numbers from a noisy shared machine still compare between runs.

    python -m bench.api [--rounds N]
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from api.examples import ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES
from api.settings import Settings
from cms.access import Actor
from cms.articles import Article
from cms.fixtures.loader import load_fixtures
from cms.fixtures.reader import read_fixtures
from cms.store.embedded import embedded_server
from newsroom.app import create_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

FRONT_PAGE = """
{ articles(first: 20) { totalCount nodes { headline excerpt image { url } tags { name }
  rating { average count } } } }
"""
VOTE = "mutation ($id: ID!) { vote(articleId: $id, stars: 4) { __typename } }"


async def timings(operation: Callable[[], Awaitable[object]], rounds: int) -> list[float]:
    """Seconds of each of `rounds` runs, after a few warm-up runs."""
    for _ in range(max(3, rounds // 10)):  # warm caches and connections
        await operation()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        await operation()
        samples.append(time.perf_counter() - started)
    return samples


async def median_seconds(operation: Callable[[], Awaitable[object]], rounds: int) -> float:
    return statistics.median(await timings(operation, rounds))


async def run(rounds: int, mongodb_uri: str | None) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        if mongodb_uri is None:
            async with embedded_server(Path(data_dir)) as uri:
                await measure(uri, rounds)
        else:
            await measure(mongodb_uri, rounds)


async def measure(uri: str, rounds: int) -> None:
    # One client casts every vote here: rate limits off, or it would measure refusals.
    settings = Settings(
        mongodb_uri=uri,
        database=f"bench_{time.time_ns()}",
        vote_limit_per_address=0,
        vote_limit_per_voter=0,
    )
    app = create_app(settings)
    async with LifespanManager(app) as manager:
        started = time.perf_counter()
        report = await load_fixtures(read_fixtures(FIXTURES), actor=Actor.local("bench"))
        load_seconds = time.perf_counter() - started
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            seed = await Article.find_one({"slug": ARTICLE_PAGE_VARIABLES["slug"]})
            assert seed is not None
            collection = Article.get_pymongo_collection()
            page: dict[str, object] = {
                "query": ARTICLE_PAGE_QUERY,
                "variables": ARTICLE_PAGE_VARIABLES,
            }
            node_id = (await http.post("/graphql", json=page)).json()["data"]["article"]["id"]

            async def post(body: dict[str, object]) -> None:
                response = await http.post("/graphql", json=body)
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(response.text)

            async def vote_as_new_reader(article_id: str) -> None:
                # No voter cookie: a reader's first vote, not a repeat that changes nothing.
                http.cookies.clear()
                await post({"query": VOTE, "variables": {"id": article_id}})

            cases: dict[str, Callable[[], Awaitable[object]]] = {
                "floor: find_one by _id": lambda: collection.find_one({"_id": seed.id}),
                "healthz (HTTP + ping)": lambda: http.get("/healthz"),
                "article page query": lambda: post(page),
                "front page, 20 articles": lambda: post({"query": FRONT_PAGE}),
                "vote mutation": lambda: vote_as_new_reader(node_id),
            }
            results = {name: await median_seconds(case, rounds) for name, case in cases.items()}
        await collection.database.client.drop_database(settings.database)
    floor = results["floor: find_one by _id"]
    articles = report.counts["articles"]["created"]
    print(f"fixtures load (in-process, {articles} articles): {load_seconds * 1000:.0f} ms")
    print(f"{'operation':<28}{'median ms':>10}{'x floor':>10}")
    for name, seconds in results.items():
        print(f"{name:<28}{seconds * 1000:>10.2f}{seconds / floor:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--mongodb-uri", default=None, help="Measure on this server instead.")
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.mongodb_uri))


if __name__ == "__main__":
    main()
