"""Feeds and sitemaps, as ratios to what they are compared with in the same run.

Uncached (the response cache off, in-process through the ASGI app, medians of `--rounds`): the
RSS feed of 20 against the front page's GraphQL query for the same 20 articles with their
excerpts (targets: at most 1.5x), in full-content mode against that query with
`body(format: HTML)` (at most 1.5x), and the fullest month's sitemap against the feed (at most
20x). Every other kind is timed too (Atom, JSON Feed, a tag's, a section's and an author's feed,
the index, the news sitemap), each with its slowest request and the longest the event loop was
held while it was asked (`tests.loop_lag`: the 100 ms rule). Cached (the response cache on,
`newsroom serve` under wrk, `-t1 -c16`, median of `--repeats`): the feed and the month's sitemap
against a plain Strawberry `{ __typename }` (at least 2x). At the demo's 46 articles and at
`--archive` (10,000) articles published over the year up to now (about 830 a month, 55 in the
news sitemap's 48 hours).

    python -m bench.distribution [--rounds 100] [--seconds 5] [--repeats 3] [--archive 10000]
"""

import argparse
import asyncio
import functools
import gc
import logging
import os
import statistics
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from api.settings import Settings
from bench import servers
from bench.api import timings
from bench.wrk import lua_post, run_wrk
from cms.access import Actor
from cms.clock import utcnow
from cms.database import open_store
from cms.distribution.sitemaps import months
from cms.fixtures.loader import load_fixtures
from cms.fixtures.reader import read_fixtures
from cms.fixtures.synthetic import generate_archive
from cms.reading.catalog import Catalog
from cms.store.embedded import embedded_server
from cms.workflow.imports import import_content
from newsroom.app import create_app
from tests.loop_lag import loop_lag

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BENCH = Actor.local("bench")
# What a feed item shows, as a frontend's front page would ask for it.
ITEM = "id headline url excerpt publishedAt updatedAt author tags { slug name } image { url }"
FRONT = "{ articles(first: 20) { nodes { %s } } }" % ITEM  # noqa: UP031  (GraphQL braces)
FRONT_FULL = "{ articles(first: 20) { nodes { %s body(format: HTML) } } }" % ITEM  # noqa: UP031
NEWEST = "{ articles(first: 1) { nodes { publishedAt section tags { slug } authors { slug } } } }"
MONTH = "month's sitemap"
CONTROL = "control: /healthz (one store ping)"


@dataclass(frozen=True, slots=True)
class Timing:
    median: float  # seconds a request took, median
    slowest: float  # the slowest request
    lag: float  # the longest the loop was held meanwhile (`tests.loop_lag`)


async def timed(operation: Callable[[], Awaitable[Any]], rounds: int) -> Timing:
    """`operation`'s median and slowest time, and the worst loop lag while it ran: the app runs
    on this loop (ASGI transport), so that is the longest any other request would have waited."""
    # Warmed before watching: what a first request does once (opening the store connections it
    # needs, whose handshakes run on the loop: 40 to 50 ms of it per lookup seen in asyncio's
    # debug mode at 10,000 articles) is not what each request holds the loop for.
    for _ in range(3):
        await operation()

    async def one_request() -> None:
        await operation()
        # A document served from memory awaits nothing: requests asked back to back from this one
        # task would never let the loop run between them, and the watcher would see a whole row
        # of them as one hold. A server's loop runs between requests (each a task of its own):
        # a yield after each does the same here.
        await asyncio.sleep(0)

    async with loop_lag() as lag:
        samples = await timings(one_request, rounds)
    return Timing(statistics.median(samples), max(samples), lag.worst)


async def settled(quiet: float = 0.02, window: float = 3.0, limit: float = 180.0) -> None:
    """Wait until the app's own start-up work leaves the loop alone (held at most `quiet` s for
    `window` s), so that the lags below begin with the documents' requests."""
    waited = 0.0
    while waited < limit:
        async with loop_lag() as lag:
            await asyncio.sleep(window)
        if lag.worst <= quiet:
            return
        waited += window
    print(f"  (the loop never settled in {limit:.0f} s: lags below include the app's own work)")


async def uncached(uri: str, database: str, rounds: int) -> tuple[dict[str, Timing], str]:
    """The timings of every feed and sitemap kind, and of the queries they are compared with;
    and the path of the month's sitemap measured."""
    results: dict[str, Timing] = {}
    month = ""
    for full in (False, True):
        settings = Settings(
            mongodb_uri=uri, database=database, response_cache=False, feeds_full_content=full
        )
        app = create_app(settings)
        async with LifespanManager(app, startup_timeout=120, shutdown_timeout=120) as manager:
            transport = httpx.ASGITransport(app=manager.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:

                async def get(path: str) -> None:
                    response = await http.get(path)
                    response.raise_for_status()

                async def post(query: str) -> None:
                    response = await http.post("/graphql", json={"query": query})
                    if response.status_code != 200 or "errors" in response.json():
                        raise RuntimeError(response.text)

                await settled()
                if not full:
                    results[CONTROL] = await timed(functools.partial(get, "/healthz"), rounds)
                mode = "full content" if full else "excerpt"
                query = FRONT_FULL if full else FRONT
                results[f"front page query, {mode}"] = await timed(
                    functools.partial(post, query), rounds
                )
                results[f"RSS feed of 20, {mode}"] = await timed(
                    functools.partial(get, "/feeds/rss.xml"), rounds
                )
                if not full:
                    found = await paths(http, app.state.catalog)
                    for name, path in found.items():
                        results[name] = await timed(functools.partial(get, path), rounds)
                    month = found[MONTH]
    return results, month


async def paths(http: httpx.AsyncClient, catalog: Catalog) -> dict[str, str]:
    """Every other kind of feed and sitemap, by name: a tag's, section's and author's feeds
    named by the newest article, and the sitemap of the month with the most articles."""
    newest = (await http.post("/graphql", json={"query": NEWEST})).json()
    article = newest["data"]["articles"]["nodes"][0]
    fullest = max(months(catalog, utcnow()), key=lambda month: month.count)
    found = {
        "Atom feed of 20": "/feeds/atom.xml",
        "JSON feed of 20": "/feeds/feed.json",
        "a tag's RSS feed": f"/feeds/tags/{article['tags'][0]['slug']}/rss.xml",
        "a section's RSS feed": f"/feeds/sections/{article['section']}/rss.xml",
        MONTH: f"/sitemaps/articles/{fullest.name}.xml",
        "sitemap index": "/sitemaps/sitemap.xml",
        "news sitemap": "/sitemaps/news.xml",
    }
    if article["authors"]:
        found["an author's RSS feed"] = f"/feeds/authors/{article['authors'][0]['slug']}/rss.xml"
    return found


def report(size: int, results: dict[str, Timing]) -> None:
    print(f"\n{size} articles, uncached (in-process, response cache off):")
    print(
        f"  {'operation':<36}{'median ms':>10}{'max ms':>9}{'lag ms':>9}{'ratio':>8}  target"
        "  (lag: the loop held at most, <= 100 ms)"
    )
    compared = {
        "RSS feed of 20, excerpt": ("front page query, excerpt", "<= 1.5x"),
        "RSS feed of 20, full content": ("front page query, full content", "<= 1.5x"),
        MONTH: ("RSS feed of 20, excerpt", "<= 20x the feed"),
    }
    for name, timing in results.items():
        against, target = compared.get(name, (None, ""))
        ratio = f"{timing.median / results[against].median:.2f}x" if against else ""
        print(
            f"  {name:<36}{timing.median * 1000:>10.2f}{timing.slowest * 1000:>9.1f}"
            f"{timing.lag * 1000:>9.1f}{ratio:>8}  {target}"
        )


def cached(env: dict[str, str], month: str, seconds: int, repeats: int) -> None:
    """The feed and a month's sitemap (at `month`, a path) from the response cache under wrk."""

    def measure(url: str, script: str) -> float:
        runs = sorted(
            run_wrk(url, script=script, seconds=seconds).requests_per_second for _ in range(repeats)
        )
        return runs[len(runs) // 2]

    with servers.floor(env) as url:
        floor = measure(f"{url}/graphql", lua_post([{"query": "{ __typename }"}]))
    print(f"  {'floor: plain Strawberry { __typename }':<44}{floor:>9.0f}/s")
    with servers.newsroom(env) as url:
        for name, path in (
            ("RSS feed, cached", "/feeds/rss.xml"),
            ("month's sitemap, cached", month),
        ):
            # Built once and kept: wrk measures the cached answer (its timeout is 2 s).
            httpx.get(f"{url}{path}", timeout=120).raise_for_status()
            rate = measure(f"{url}{path}", "")
            print(f"  {name:<44}{rate:>9.0f}/s{rate / floor:>7.2f}x  >= 2x")


async def load_archive(uri: str, size: int) -> None:
    # Up to now: the news sitemap lists the last 48 hours' (about 55).
    archive = generate_archive(size, years=1, end=utcnow())
    async with open_store(Settings(mongodb_uri=uri, database="bench_archive")):
        await import_content(actor=BENCH, tags=archive.tags, articles=archive.articles)


async def run(args: argparse.Namespace, data_dir: Path) -> None:
    print(f"Machine: {os.cpu_count()} CPUs (shared: read the ratios, not the times).")
    async with embedded_server(data_dir) as uri:
        sizes: list[tuple[int, str]] = []
        async with open_store(Settings(mongodb_uri=uri, database="bench_demo")):
            loaded = await load_fixtures(read_fixtures(FIXTURES), actor=BENCH)
        sizes.append((loaded.counts["articles"]["created"], "bench_demo"))
        if args.archive:
            await load_archive(uri, args.archive)
            sizes.append((args.archive, "bench_archive"))
        # The generated archive is gone: collecting its heap is not the app's loop lag.
        gc.collect()
        env = {key: value for key, value in os.environ.items() if "MONGODB_URI" not in key}
        for size, database in sizes:
            results, month = await uncached(uri, database, args.rounds)
            report(size, results)
            print(f"{size} articles, cached (newsroom serve, wrk -t1 -c16, {args.seconds} s):")
            served = env | {"NEWSROOM_MONGODB_URI": uri, "NEWSROOM_DATABASE": database}
            await asyncio.to_thread(cached, served, month, args.seconds, args.repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--archive", type=int, default=10_000)
    args = parser.parse_args()
    # Handlers set here: the app then leaves logging alone, and requests are not logged.
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as data_dir:
        asyncio.run(run(args, Path(data_dir)))


if __name__ == "__main__":
    main()
