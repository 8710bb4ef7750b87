"""Search and related items at 46 and at 10,000 articles on the embedded store, as rates.

Two archives from the shared generator (`cms.fixtures.synthetic`), each loaded through the write
path's batch entry point into its own database, are asked the same questions through the API:

- `search`: `articles(first: 10, filter: {search: ...})` for a few generated words;
- `related`: an article page's `related(first: 6)` for a few articles;
- `$regex search`: the query every search made before the index, straight to the store (a
  case-insensitive `$regex` over headline, excerpt and body, newest first, with its count);
- the floor: one `find_one` by `_id`, the least any request that touches the store costs.

With the response cache off, each prints its median, its rate (requests per second) and the
rate at 10,000 over the rate at 46 measured in the same run; a noisy machine moves both sizes
alike.

    python -m bench.discovery [--rounds N] [--size N]
"""

import argparse
import asyncio
import itertools
import re
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from api.settings import Settings
from bench.api import median_seconds
from cms.access import Actor
from cms.articles import Article
from cms.fixtures.synthetic import generate_archive
from cms.store.embedded import embedded_server
from cms.visibility import Audience, readable
from cms.workflow.imports import import_content
from newsroom.app import create_app

SMALL = 46
SEARCH = """
query ($term: String!) {
  articles(first: 10, filter: {search: $term}) { totalCount nodes { slug headline excerpt } }
}
"""
RELATED = """
query ($slug: String!) {
  article(slug: $slug) { related(first: 6) { slug headline excerpt publishedAt image { url } } }
}
"""
# Words of the generator's topics (every archive has them), one and two at a time.
TERMS = ("aftershock", "glacier emissions", "striker transfer")


Operation = Callable[[], Awaitable[object]]
BENCH = Actor.local("bench")


def each[T](values: Sequence[T], run: Callable[[T], Awaitable[None]]) -> Operation:
    """An operation that runs `run` on each of `values` in turn, round and round."""
    turn = itertools.count()

    def call() -> Awaitable[None]:
        return run(values[next(turn) % len(values)])

    return call


async def measure_size(uri: str, size: int, rounds: int) -> tuple[dict[str, float], float]:
    """Medians (seconds) of each case on an archive of `size` articles, and its load time."""
    # The response cache off: each request is answered by the search index and stored lists.
    settings = Settings(
        mongodb_uri=uri, database=f"discovery_{size}_{time.time_ns()}", response_cache=False
    )
    archive = generate_archive(size)
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=600, shutdown_timeout=120) as manager:
        started = time.perf_counter()
        await import_content(actor=BENCH, tags=archive.tags, articles=archive.articles)
        load_seconds = time.perf_counter() - started
        await app.state.feed.catch_up()
        collection = Article.get_pymongo_collection()
        slugs = [archive.articles[index * size // 3].content.slug for index in range(3)]
        seed = await collection.find_one({"slug": slugs[0]}, {"_id": 1})
        assert seed is not None
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

            async def post(query: str, variables: dict[str, str]) -> None:
                body = {"query": query, "variables": variables}
                response = await http.post("/graphql", json=body)
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(response.text)

            async def regex_search(term: str) -> None:
                pattern = {"$regex": re.escape(term), "$options": "i"}
                query = {
                    "$and": [
                        readable(Audience.PUBLIC),
                        {"$or": [{field: pattern} for field in ("headline", "excerpt", "body")]},
                    ]
                }
                newest = {"published_at": -1, "_id": -1}
                await asyncio.gather(
                    collection.find(query).sort(newest).limit(11).to_list(),
                    collection.count_documents(query),
                )

            cases: dict[str, Operation] = {
                "floor: find_one by _id": lambda: collection.find_one({"_id": seed["_id"]}),
                "search": each(TERMS, lambda term: post(SEARCH, {"term": term})),
                "related": each(slugs, lambda slug: post(RELATED, {"slug": slug})),
                "$regex search (before)": each(TERMS, regex_search),
            }
            results = {name: await median_seconds(case, rounds) for name, case in cases.items()}
        await collection.database.client.drop_database(settings.database)
    return results, load_seconds


async def run(rounds: int, size: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        async with embedded_server(Path(data_dir)) as uri:
            small, small_load = await measure_size(uri, SMALL, rounds)
            large, large_load = await measure_size(uri, size, rounds)
    print(f"load: {SMALL} articles in {small_load:.1f} s, {size} articles in {large_load:.1f} s")
    print(f"{'operation':<26}{f'ms at {SMALL}':>12}{f'ms at {size}':>14}{'rate ratio':>12}")
    for name in small:
        ratio = small[name] / large[name]  # rate at `size` over rate at SMALL
        print(f"{name:<26}{small[name] * 1000:>12.2f}{large[name] * 1000:>14.2f}{ratio:>12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=60)
    parser.add_argument("--size", type=int, default=10_000, help="The large archive's size.")
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.size))


if __name__ == "__main__":
    main()
