"""How well search and "You may also like" rank the demo content: nDCG@5 on the relevance set.

The set (`tests/relevance_set.py`) says, for a dozen queries and a dozen articles, which stories a
reader expects first. Each query is asked through the API as a frontend asks it (the default
order, the first five), and the mean nDCG@5 is printed with each query's own score.

    python -m bench.relevance [--verbose]
"""

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from api.settings import Settings
from cms.access import Actor
from cms.fixtures.loader import load_fixtures
from cms.fixtures.reader import read_fixtures
from cms.store.embedded import embedded_server
from newsroom.app import create_app
from tests.relevance_set import RELATED, SEARCHES, mean_ndcg, ndcg

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SEARCH = """
query ($term: String!) { articles(first: 5, filter: {search: $term}) { nodes { slug } } }
"""
RELATED_ITEMS = "query ($slug: String!) { article(slug: $slug) { related(first: 5) { slug } } }"


async def rankings(http: httpx.AsyncClient) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The first five slugs the API gives for every search and every related list of the set."""

    async def data(query: str, variables: dict[str, str]) -> dict[str, object]:
        response = await http.post("/graphql", json={"query": query, "variables": variables})
        body = response.json()
        if "errors" in body:
            raise RuntimeError(body["errors"])
        found: dict[str, object] = body["data"]
        return found

    searched = {}
    for term in SEARCHES:
        found = await data(SEARCH, {"term": term})
        searched[term] = [node["slug"] for node in found["articles"]["nodes"]]  # type: ignore[index]
    related = {}
    for slug in RELATED:
        found = await data(RELATED_ITEMS, {"slug": slug})
        related[slug] = [item["slug"] for item in found["article"]["related"]]  # type: ignore[index]
    return searched, related


async def measure(verbose: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as data_dir:
        async with embedded_server(Path(data_dir)) as uri:
            settings = Settings(mongodb_uri=uri, database=f"relevance_{time.time_ns()}")
            app = create_app(settings)
            async with LifespanManager(app, startup_timeout=120) as manager:
                await load_fixtures(read_fixtures(FIXTURES), actor=Actor.local("bench"))
                transport = httpx.ASGITransport(app=manager.app)
                async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                    await app.state.feed.catch_up()
                    searched, related = await rankings(http)
    if verbose:
        for title, results, judgments in (
            ("search", searched, SEARCHES),
            ("related", related, RELATED),
        ):
            for query, ranked in results.items():
                print(f"{title:<8}{ndcg(ranked, judgments[query]):>6.2f}  {query}: {ranked}")
    return mean_ndcg(searched, SEARCHES), mean_ndcg(related, RELATED)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="Show every query's ranking.")
    args = parser.parse_args()
    search, related = asyncio.run(measure(args.verbose))
    print(f"relevance (nDCG@5, {len(SEARCHES)} searches): {search:.3f}")
    print(f"relevance (nDCG@5, {len(RELATED)} related lists): {related:.3f}")


if __name__ == "__main__":
    main()
