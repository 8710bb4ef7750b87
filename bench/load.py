"""Newsroom under real HTTP load, as ratios to a floor measured in the same run.

The floor is `{ __typename }` on a plain Strawberry app (no Newsroom code) served by uvicorn on
the same machine. Every figure is wrk's requests per second (`-t1 -c16`), the median of
`--repeats` runs, divided by the floor's median. Newsroom runs with its default settings (one
`newsroom serve` worker, embedded store), except where a line says otherwise: the mixed traffic
raises the per-address vote limit (`NEWSROOM_VOTE_LIMIT_PER_ADDRESS=0`), since every vote comes
from one address; the "cache off" lines set `NEWSROOM_RESPONSE_CACHE=false`.

    python -m bench.load [--seconds 8] [--repeats 3] [--archive 10000]
"""

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from strawberry import relay

from api.examples import ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES
from bench import servers
from bench.wrk import Load, lua_post, run_wrk
from cms.access import Actor
from cms.articles import Article
from cms.config import Settings
from cms.database import open_store
from cms.fixtures.loader import load_fixtures
from cms.fixtures.reader import read_fixtures
from cms.fixtures.synthetic import generate_archive
from cms.persisted_documents import digest
from cms.store.embedded import embedded_server
from cms.workflow.imports import import_content

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TYPENAME = {"query": "{ __typename }"}
RELATED = """
query ($slug: String!) { article(slug: $slug) { related(first: 12) { slug headline excerpt } } }
"""
FRONT = "{ articles(first: 20) { totalCount nodes { slug headline excerpt publishedAt } } }"
TAG_PAGE = """
query ($slug: String!) {
  tag(slug: $slug) { name articleCount articles(first: 20) { nodes { slug headline publishedAt } } }
}
"""
VOTE = "mutation ($id: ID!) { vote(articleId: $id, stars: 4) { __typename } }"


class Bench:
    def __init__(self, seconds: int, repeats: int) -> None:
        self.seconds = seconds
        self.repeats = repeats
        self.rows: list[tuple[str, Load, str]] = []
        self.floor: float = 0.0

    def measure(self, url: str, script: str) -> Load:
        """The median run of wrk against `url` (a full URL with `?`: as is; else `/graphql`)."""
        target = url if "?" in url else f"{url}/graphql"
        runs = [run_wrk(target, script=script, seconds=self.seconds) for _ in range(self.repeats)]
        runs.sort(key=lambda load: load.requests_per_second)
        return runs[len(runs) // 2]

    def add(self, name: str, load: Load, target: str = "") -> None:
        self.rows.append((name, load, target))
        ratio = load.requests_per_second / self.floor if self.floor else 1.0
        print(
            f"  {name:<58}{load.requests_per_second:>9.0f}/s{ratio:>7.2f}x"
            f"  p99 {load.p99_ms:>7.1f} ms  {target}",
            flush=True,
        )


def page(slug: str) -> dict[str, Any]:
    return {"query": ARTICLE_PAGE_QUERY, "variables": {"slug": slug}}


async def load_demo(uri: str, database: str) -> list[Article]:
    async with open_store(Settings(mongodb_uri=uri, database=database)):
        await load_fixtures(read_fixtures(FIXTURES), actor=Actor("bench"))
        return await Article.find_all().to_list()


async def load_archive(uri: str, database: str, size: int) -> list[Any]:
    """The archive, loaded through the write path (how fast: `python -m bench.bulk`)."""
    archive = generate_archive(size)
    async with open_store(Settings(mongodb_uri=uri, database=database)):
        await import_content(actor=Actor("bench"), tags=archive.tags, articles=archive.articles)
    return archive.articles


def propagation(first: str, second: str, article_id: str, rounds: int = 15) -> float:
    """Median seconds from a vote on one process to the other's cached page showing it."""
    body = page(ARTICLE_PAGE_VARIABLES["slug"])
    samples = []
    with httpx.Client(timeout=30) as http:
        for _ in range(rounds):
            http.post(f"{second}/graphql", json=body)
            before = http.post(f"{second}/graphql", json=body).json()["data"]["article"]["rating"]
            http.cookies.clear()  # a new reader each time: a re-vote of the same stars is no news
            started = time.perf_counter()
            http.post(f"{first}/graphql", json={"query": VOTE, "variables": {"id": article_id}})
            while True:
                now = http.post(f"{second}/graphql", json=body).json()["data"]["article"]["rating"]
                if now["count"] != before["count"]:
                    break
                if time.perf_counter() - started > 10:
                    raise SystemExit("a vote did not reach the other process's cache in 10 s")
            samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def run(args: argparse.Namespace) -> None:
    bench = Bench(args.seconds, args.repeats)
    with tempfile.TemporaryDirectory() as data_dir:
        asyncio.run(_run(bench, args, Path(data_dir)))


async def _run(bench: Bench, args: argparse.Namespace, data_dir: Path) -> None:
    async with embedded_server(data_dir) as uri:
        articles = await load_demo(uri, "bench_demo")
        env = {key: value for key, value in os.environ.items() if "MONGODB_URI" not in key}
        env |= {"NEWSROOM_MONGODB_URI": uri, "NEWSROOM_DATABASE": "bench_demo"}
        print(
            f"Machine: {os.cpu_count()} CPUs. wrk -t1 -c16, {args.seconds} s a run, "
            f"median of {args.repeats}."
        )
        with servers.floor(env) as url:
            floor = bench.measure(url, lua_post([TYPENAME]))
        bench.floor = floor.requests_per_second
        bench.add("floor: plain Strawberry { __typename }", floor)
        await asyncio.to_thread(_newsroom_figures, bench, env, articles)
        if args.archive:
            await _archive_figures(bench, env, uri, args.archive)


def _newsroom_figures(bench: Bench, env: dict[str, str], articles: list[Article]) -> None:
    seed = ARTICLE_PAGE_VARIABLES["slug"]
    pages = [page(article.slug) for article in articles]
    seed_id = _global_id(next(article for article in articles if article.slug == seed))
    with servers.newsroom(env) as url:
        cached = bench.measure(url, lua_post([page(seed)]))
        bench.add("article page, POST, cache on", cached, ">= 2x")
        extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest(ARTICLE_PAGE_QUERY)}}
        httpx.post(f"{url}/graphql", json=page(seed) | {"extensions": extensions})
        parameters = {"extensions": json.dumps(extensions), "variables": json.dumps({"slug": seed})}
        get_url = f"{url}/graphql?{httpx.QueryParams(parameters)}"
        apq = bench.measure(get_url, 'wrk.method = "GET"')
        bench.add("article page, APQ GET, cache on", apq, ">= 2x")
    voting = env | {"NEWSROOM_VOTE_LIMIT_PER_ADDRESS": "0"}
    with servers.newsroom(voting) as url:
        votes = [{"query": VOTE, "variables": {"id": _global_id(article)}} for article in articles]
        mixed = bench.measure(url, lua_post(pages, vote_share=0.05, votes=votes))
        bench.add("mixed: 95% pages of 46 articles, 5% votes", mixed, ">= 0.5x")
    with servers.newsroom(voting) as first, servers.newsroom(voting) as second:
        seconds = propagation(first, second, seed_id)
        print(
            f"  vote on one process -> the other's cache shows it: {seconds * 1000:.0f} ms (median)"
        )
    off = env | {"NEWSROOM_RESPONSE_CACHE": "false"}
    with servers.newsroom(off) as url:
        bench.add("{ __typename }, cache off", bench.measure(url, lua_post([TYPENAME])), ">= 0.85x")
        _content_figures(bench, url, seed, _most_used_tag(articles), "46 articles")


def _content_figures(bench: Bench, url: str, slug: str, tag: str, size: str) -> None:
    figures = [
        (f"article page, cache off, {size}", page(slug), ">= 0.2x"),
        (
            f"related(first: 12), cache off, {size}",
            {"query": RELATED, "variables": {"slug": slug}},
            ">= 0.4x",
        ),
        (f"front page of 20, cache off, {size}", {"query": FRONT}, ">= 0.2x"),
        (
            f"tag page of 20, cache off, {size}",
            {"query": TAG_PAGE, "variables": {"slug": tag}},
            ">= 0.2x",
        ),
    ]
    for name, body, target in figures:
        bench.add(name, bench.measure(url, lua_post([body])), target)


async def _archive_figures(bench: Bench, env: dict[str, str], uri: str, size: int) -> None:
    items = await load_archive(uri, "bench_archive", size)
    tags = Counter(tag for item in items for tag in item.content.tags)
    slug = items[len(items) // 2].content.slug
    off = env | {"NEWSROOM_RESPONSE_CACHE": "false", "NEWSROOM_DATABASE": "bench_archive"}

    def figures() -> None:
        with servers.newsroom(off) as url:
            _content_figures(bench, url, slug, tags.most_common(1)[0][0], f"{size:,} articles")

    await asyncio.to_thread(figures)


def _most_used_tag(articles: list[Article]) -> str:
    return Counter(tag for article in articles for tag in article.tags).most_common(1)[0][0]


def _global_id(article: Article) -> str:
    return str(relay.GlobalID("Article", str(article.id)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--archive", type=int, default=10_000, help="0: skip the large archive")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
