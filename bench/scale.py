"""A newspaper's archive at 46, 10,000 and 100,000 articles: rates, load, memory, start-up.

For each size, in one embedded store: a generated archive (`bench.newspaper`: Zipf-like text over
the demo's vocabulary, 15 years of dates) is

1. inserted raw (`insert_many` of the documents the write path stores, 400 at a time, slug index
   unique) into a database of its own: the floor of a load;
2. loaded through the write path (`import_content`: journal, events, revisions, search index,
   related lists) into another, timed, then inserted raw again into a third: the load ratio is
   the load over the mean of the two floors, one taken before it and one after (at 100,000, the
   floor alone moved from 84 s to 124 s between two runs on the same code);
3. served by one `newsroom serve` process (response cache off), timed from its start to the first
   front page whose `totalCount` is the whole archive: it reads every article, as the first
   process after a load does;
4. asked each reader's question over HTTP, one at a time (median of `--rounds`): the article page,
   its related items, the front page, the commonest tag's and section's pages, and searches for
   "troops", "election", "climate" and a word in three articles. Sizes after the first are asked
   with the first size's archive served beside them, asked the same question in turn, round by
   round: both medians come from the same minutes (this machine's speed drifts by a quarter and
   more between the first size's measurement and a large archive's, a quarter of an hour later);
5. sent an editor's save (`updateArticle`, with a token), after which the process's resident
   memory (VmRSS) is read: a writing process holds the related-items model too; then seven more
   saves, timed (the first reads that model, the next ones show what an editor waits for), of
   three articles of any age in turn (one older than the profiles the process holds reads those
   around it), then seven of the newest article (what an editor saves most);
6. left running until it has taken a snapshot of its catalog (`cms.reading.snapshots`), then
   stopped; a second process is timed as in 3: it starts from the snapshot, as a process
   joining or replacing a running one does.

Printed: each question's median and its rate at each size over its rate at 46 (beside it), the load
against its floor (and the CPU seconds it cost in every process, with the least wall time those
allow on this machine's cores: `bench.cpu`), the memory before and after the save, and the time
to a complete front page.

    python -m bench.scale [--sizes 46,10000,100000] [--rounds 40]
"""

import argparse
import asyncio
import contextlib
import gc
import os
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.examples import ARTICLE_PAGE_QUERY, TAG_PAGE_QUERY
from bench import cpu
from bench.api import FRONT_PAGE
from bench.bulk import documents, inserted
from bench.discovery import RELATED, SEARCH, each
from bench.newspaper import RARE, Newspaper, generate
from bench.servers import NEWSROOM, free_port, stop
from cms.access import Actor, Role
from cms.config import Settings
from cms.database import open_store
from cms.reading import snapshots
from cms.reading.catalog import Catalog
from cms.related import state as related_state
from cms.store.embedded import embedded_server
from cms.tokens import create_token
from cms.workflow.imports import import_content

BENCH = Actor.local("bench")
SECTION_PAGE = """
query ($section: String!) { articles(first: 20, filter: {section: $section}) {
  totalCount nodes { headline slug excerpt publishedAt } } }
"""
COUNT = "{ articles(first: 1) { totalCount } }"
FIND = "query ($slug: String!) { article(slug: $slug) { id version } }"
SAVE = """
mutation ($id: ID!, $version: Int!, $excerpt: String!) {
  updateArticle(id: $id, version: $version, input: {excerpt: $excerpt}) {
    __typename
  }
}
"""
SEARCHES = ("troops", "election", "climate", RARE)
# (rate at a size over the rate at 46) the issue asks for.
TARGETS = {"search": 0.5, "other": 0.8}
RSS_LIMIT_MB = 300
START_LIMIT_S = 15
# Saves timed after the first (which reads the related-items model): a median of these.
SAVES = 7


@dataclass
class Size:
    size: int
    floor: float = 0.0
    floor_after: float = 0.0
    load: float = 0.0
    # The first floor's and the load's CPU seconds by process role (`bench.cpu`), where measured.
    floor_cpu: dict[str, float] | None = None
    load_cpu: dict[str, float] | None = None
    start: float = 0.0
    start_from_snapshot: float = 0.0
    rss_before: float = 0.0
    rss_after: float = 0.0
    first_save: float = 0.0
    next_saves: list[float] = field(default_factory=list)
    recent_saves: list[float] = field(default_factory=list)
    catalog_bytes: int = 0
    model_bytes: int = 0
    medians: dict[str, float] = field(default_factory=dict)
    # The first size's medians, measured beside this size's, round by round.
    beside: dict[str, float] = field(default_factory=dict)

    @property
    def mean_floor(self) -> float:
        return (self.floor + self.floor_after) / 2


@dataclass(frozen=True)
class Served:
    """An archive loaded for serving, and what to ask it."""

    size: int
    env: dict[str, str]
    slugs: list[str]
    tag: str
    section: str
    # The newest article: what an editor saves most.
    newest: str


async def _save(http: httpx.AsyncClient, secret: str, slug: str, number: int) -> float:
    """An editor's save of one article's excerpt: how long it took."""
    found = (await _post(http, FIND, {"slug": slug}))["article"]
    edit = {
        "id": found["id"],
        "version": found["version"],
        "excerpt": f"Corrected by the desk ({number}).",
    }
    started = time.perf_counter()
    await _post(http, SAVE, edit, secret)
    return time.perf_counter() - started


async def _post(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str = ""
) -> Any:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    answer = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    if answer.status_code != 200 or "errors" in answer.json():
        raise RuntimeError(answer.text)
    return answer.json()["data"]


def _cases(http: httpx.AsyncClient, served: Served) -> dict[str, Callable[[], Awaitable[object]]]:
    """Each reader's question to the archive `http` serves."""

    async def page(slug: str) -> None:
        await _post(http, ARTICLE_PAGE_QUERY, {"slug": slug})

    async def related(slug: str) -> None:
        await _post(http, RELATED, {"slug": slug})

    return {
        "article page": each(served.slugs, page),
        "related items": each(served.slugs, related),
        "front page": lambda: _post(http, FRONT_PAGE, {}),
        "tag page": lambda: _post(http, TAG_PAGE_QUERY, {"slug": served.tag}),
        "section page": lambda: _post(http, SECTION_PAGE, {"section": served.section}),
    } | {
        f'search "{term}"': (lambda term=term: _post(http, SEARCH, {"term": term}))
        for term in SEARCHES
    }


async def _side_by_side(
    one: Callable[[], Awaitable[object]], other: Callable[[], Awaitable[object]], rounds: int
) -> tuple[float, float]:
    """The medians of `one` and `other`, timed in turn, round by round, after warming both."""
    for _ in range(max(3, rounds // 10)):
        await one()
        await other()
    ones: list[float] = []
    others: list[float] = []
    for _ in range(rounds):
        for operation, samples in ((one, ones), (other, others)):
            started = time.perf_counter()
            await operation()
            samples.append(time.perf_counter() - started)
    return statistics.median(ones), statistics.median(others)


def _commonest(values: list[list[str]]) -> str:
    counts = Counter(value for group in values for value in group)
    return counts.most_common(1)[0][0]


async def _held(read: Callable[[], Awaitable[object]]) -> int:
    """Bytes what `read` returns holds (Python's allocations, measured by `tracemalloc`)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = await read()
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    del kept
    return held


async def _floor(
    uri: str, paper: Newspaper, database: str
) -> tuple[float, dict[str, float] | None]:
    async with open_store(Settings(mongodb_uri=uri, database=database)) as store:
        raw = store.database["raw_articles"]
        await raw.create_index("slug", unique=True)
        floor = await inserted(raw, documents(paper.articles))
        await store.client.drop_database(database)
    return floor


async def _snapshot_taken(timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while await snapshots.collection().find_one({"_id": snapshots.HEAD_ID}) is None:
        if time.monotonic() > deadline:
            raise RuntimeError("no catalog snapshot was taken")
        await asyncio.sleep(0.5)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@contextlib.contextmanager
def _serve(env: dict[str, str], size: int) -> Iterator[tuple[str, int, float]]:
    """`newsroom serve` on a free port; its URL, pid, and the seconds from its start to a front
    page that counts the whole archive."""
    port = free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [NEWSROOM, "serve", "--port", str(port)],
        env=env,
        cwd=tempfile.gettempdir(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=60) as http:
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"newsroom serve exited with {process.returncode}")
                with contextlib.suppress(httpx.TransportError):
                    answer = http.post("/graphql", json={"query": COUNT})
                    counted = answer.status_code == 200 and answer.json()["data"]["articles"]
                    if counted and counted["totalCount"] == size:
                        break
                time.sleep(0.05)
        yield url, process.pid, time.perf_counter() - started
    finally:
        stop(process, 60)


async def measure(uri: str, size: int, rounds: int, beside: Served | None) -> tuple[Size, Served]:
    """One size measured; its questions timed beside `beside`'s if given. The archive is kept
    (and returned) when nothing is beside it: it is the one the others are compared with."""
    row = Size(size)
    paper = generate(size)
    database = f"scale_{size}_{time.time_ns()}"
    row.floor, row.floor_cpu = await _floor(uri, paper, f"{database}_floor")
    async with open_store(Settings(mongodb_uri=uri, database=database)):
        with cpu.Meter() as meter:
            await import_content(actor=BENCH, tags=paper.tags, articles=paper.articles)
        row.load, row.load_cpu = meter.seconds, meter.spent
    # Outside the load's store: opening and closing another rebinds the documents' collections.
    row.floor_after, _ = await _floor(uri, paper, f"{database}_floor_after")
    async with open_store(Settings(mongodb_uri=uri, database=database)) as store:
        _, secret = await create_token(actor=BENCH, name="bench", role=Role.EDITOR)
        # What every API process holds, and what a writing process holds besides.
        row.catalog_bytes = await _held(Catalog.load)
        row.model_bytes = await _held(related_state.load)
        print(
            f"{size:,}: floor {row.floor:.1f} s, load {row.load:.1f} s, floor again "
            f"{row.floor_after:.1f} s, catalog "
            f"{row.catalog_bytes / size:,.0f} and model {row.model_bytes / size:,.0f} bytes an "
            "article",
            flush=True,
        )
        env = {key: value for key, value in os.environ.items() if "MONGODB_URI" not in key}
        env |= {
            "NEWSROOM_MONGODB_URI": uri,
            "NEWSROOM_DATABASE": database,
            "NEWSROOM_RESPONSE_CACHE": "false",
            "NEWSROOM_LOG_LEVEL": "warning",
        }
        served = Served(
            size,
            env,
            [paper.articles[index * size // 3].content.slug for index in range(3)],
            _commonest([article.content.tags for article in paper.articles]),
            _commonest([[article.content.section] for article in paper.articles]),
            max(paper.articles, key=lambda article: article.content.published_at).content.slug,
        )
        with _serve(env, size) as (url, pid, row.start):
            async with httpx.AsyncClient(base_url=url, timeout=120) as http:
                # The first size is asked beside each later one, not alone.
                if beside is not None:
                    ours = _cases(http, served)
                    with _serve(beside.env, beside.size) as (other_url, _, _):
                        async with httpx.AsyncClient(base_url=other_url, timeout=120) as other:
                            theirs = _cases(other, beside)
                            for name, case in ours.items():
                                row.medians[name], row.beside[name] = await _side_by_side(
                                    case, theirs[name], rounds
                                )
                row.rss_before = _rss_mb(pid)
                for number in range(SAVES + 1):
                    slug = served.slugs[number % len(served.slugs)]
                    took = await _save(http, secret, slug, number)
                    if number == 0:
                        row.first_save = took
                        row.rss_after = _rss_mb(pid)
                    else:
                        row.next_saves.append(took)
                for number in range(SAVES):
                    row.recent_saves.append(await _save(http, secret, served.newest, number))
                if size >= snapshots.MIN_ENTRIES:
                    await _snapshot_taken()
        if size >= snapshots.MIN_ENTRIES:
            with _serve(env, size) as (_, _, row.start_from_snapshot):
                pass
        if beside is not None:
            await store.client.drop_database(database)
    return row, served


def report(rows: list[Size]) -> None:
    small, *large = rows
    print(
        f"\nMedians of one request at a time, response cache off; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    for r in large:
        print(f"\nAt {r.size:,} against {small.size:,} served beside it, round by round")
        print(f"{'':<22}{f'ms at {small.size:,}':>14}{f'ms at {r.size:,}':>14}{'x':>8}   target")
        for name, seconds in r.medians.items():
            # The rate at this size over the rate at the first size.
            ratio = r.beside[name] / seconds
            target = TARGETS["search" if name.startswith("search") else "other"]
            print(
                f"{name:<22}{r.beside[name] * 1000:>14.1f}{seconds * 1000:>14.1f}{ratio:>8.2f}"
                f"   >= {target}"
            )
    print()
    for r in rows:
        print(
            f"{r.size:,} articles:\n"
            f"  catalog {r.catalog_bytes / r.size:,.0f} bytes an article, related-items model "
            f"{r.model_bytes / r.size:,.0f} bytes an article (tracemalloc)\n"
            f"  load {r.load:.1f} s = {r.load / r.mean_floor:.2f}x raw insert_many (the mean of "
            f"{r.floor:.1f} s before and {r.floor_after:.1f} s after; target <= 2x)\n"
            f"  the first floor's {cpu.describe(r.floor_cpu, r.mean_floor)}\n"
            f"  the load's {cpu.describe(r.load_cpu, r.mean_floor)}\n"
            f"  start to a complete front page {r.start:.1f} s reading every article, "
            + (
                f"{r.start_from_snapshot:.1f} s from a snapshot"
                if r.start_from_snapshot
                else f"no snapshot below {snapshots.MIN_ENTRIES:,} articles"
            )
            + f" (target <= {START_LIMIT_S} s)\n"
            f"  resident {r.rss_before:.0f} MB, {r.rss_after:.0f} MB after an editor's save "
            f"(target < {RSS_LIMIT_MB} MB)\n"
            f"  an editor's save: the first {r.first_save * 1000:,.0f} ms (it reads the "
            f"related-items model), then a median of {statistics.median(r.next_saves) * 1000:,.0f}"
            f" ms over {len(r.next_saves)} (three articles of any age, in turn); of the newest "
            f"article, a median of {statistics.median(r.recent_saves) * 1000:,.0f} ms over "
            f"{len(r.recent_saves)}"
        )


async def run(sizes: list[int], rounds: int) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        async with embedded_server(Path(data_dir)) as uri:
            rows: list[Size] = []
            first: Served | None = None
            for size in sizes:
                row, served = await measure(uri, size, rounds, first)
                rows.append(row)
                first = first or served
    report(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="46,10000,100000",
        help="Comma-separated archive sizes; the first is what the others are compared with.",
    )
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    asyncio.run(run([int(size) for size in args.sizes.split(",")], args.rounds))


if __name__ == "__main__":
    main()
