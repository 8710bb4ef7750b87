"""Loads through the write path, against a raw `insert_many` floor, with the API serving beside.

Each round, in fresh embedded stores (so the same starting size: a seed of 100 articles):

- **floor**: `insert_many` of the new articles' documents, exactly as the write path stores
  them, 400 at a time, into a collection with the articles' unique index;
- **load**: `import_content` of the same articles through the write path (journal, events,
  revisions, search index, related lists: all of it), alone, as the floor is;
- **load beside the API**: the same load into a third store, while `newsroom serve` runs on it
  (response cache off) and a reader asks it for `/healthz` and an article page, one after the
  other, as fast as they answer: the worst answer of each during the load (the API and the
  reader take a share of the two CPUs the load and the store would have);
- **re-load**: the same articles again, nothing changed.

Printed: the median of the rounds for each, and the ratios to the floor (each round's own); and
for the load alone, the CPU seconds it cost in every process (`bench.cpu`) and the least wall time
those allow on this machine's cores, against the floor.

    python -m bench.bulk [--size 10000] [--repeats 3]
"""

import argparse
import asyncio
import multiprocessing
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from api.examples import ARTICLE_PAGE_QUERY
from bench import cpu, servers
from cms.access import Actor
from cms.clock import utcnow
from cms.config import Settings
from cms.database import open_store
from cms.fixtures.synthetic import generate_archive
from cms.store.embedded import embedded_server
from cms.workflow.imports import ImportedArticle, import_content
from cms.workflow.plans import plan_create

SEED = 100
BATCH = 400
ACTOR = Actor.local("bench")


@dataclass
class Round:
    floor: float
    alone: float
    load: float
    reload: float
    worst: dict[str, float]
    # The floor's and the load alone's CPU seconds by process role (`bench.cpu`), where measured.
    floor_spent: dict[str, float] | None
    spent: dict[str, float] | None


def documents(articles: list[ImportedArticle]) -> list[dict[str, Any]]:
    """The articles' documents as the write path stores them."""
    found = []
    for item in articles:
        values, digest = item.values(), item.digest()
        operation, _ = plan_create(actor=ACTOR, values=values, now=utcnow(), loaded=digest)
        change = operation.changes[0]
        found.append({**change.document, "_id": change.target, "recent_ops": [operation.id]})
    return found


async def floor(
    data_dir: Path, seed: list[ImportedArticle], new: list[ImportedArticle]
) -> tuple[float, dict[str, float] | None]:
    """Seconds to `insert_many` the new articles' documents into a store holding the seed, and
    the CPU seconds that cost."""
    async with (
        embedded_server(data_dir) as uri,
        open_store(Settings(mongodb_uri=uri, database="floor")) as store,
    ):
        raw = store.database["raw_articles"]
        await raw.create_index("slug", unique=True)
        await raw.insert_many(documents(seed))
        return await inserted(raw, documents(new))


async def inserted(
    collection: Any, writes: list[dict[str, Any]]
) -> tuple[float, dict[str, float] | None]:
    """Seconds to `insert_many` `writes` into `collection`, `BATCH` at a time (a floor), and
    the CPU seconds that cost."""
    with cpu.Meter() as meter:
        for offset in range(0, len(writes), BATCH):
            await collection.insert_many(writes[offset : offset + BATCH])
    return meter.seconds, meter.spent


QUESTIONS = ("/healthz", "page")


def _ask(url: str, slug: str, events: tuple[Any, Any, Any], worst: Any) -> None:
    """The reader's process: asks each question in turn until `stop`, keeping in `worst` the
    slowest answer of each asked and answered while `counting`; `answered` once each was."""
    answered, counting, stop = events
    page = {"query": ARTICLE_PAGE_QUERY, "variables": {"slug": slug}}
    with httpx.Client(base_url=url, timeout=300) as http:
        while not stop.is_set():
            for index, name in enumerate(QUESTIONS):
                # Only answers asked for during the load: the first one, which also starts the
                # API's rendering worker, can take seconds on a busy machine.
                asked = counting.is_set()
                started = time.perf_counter()
                answer = http.post("/graphql", json=page) if name == "page" else http.get(name)
                took = time.perf_counter() - started
                if answer.status_code != 200:
                    raise SystemExit(f"{name} answered {answer.status_code}: {answer.text}")
                if asked and counting.is_set():
                    worst[index] = max(worst[index], took)
            answered.set()


class Reader:
    """Asks `/healthz` and an article page in turn until stopped; the worst answer of each.

    In a process of its own, as a reader is: a thread of the loader's process would take turns
    with the load for that process's interpreter lock, and slow both."""

    def __init__(self, url: str, slug: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._answered, self._counting, self._stop = (context.Event() for _ in range(3))
        self._worst = context.Array("d", len(QUESTIONS))
        events = (self._answered, self._counting, self._stop)
        self._process = context.Process(
            target=_ask, args=(url, slug, events, self._worst), daemon=True
        )

    @property
    def counting(self) -> bool:
        return self._counting.is_set()

    @counting.setter
    def counting(self, value: bool) -> None:
        if value:
            self._counting.set()
        else:
            self._counting.clear()

    @property
    def worst(self) -> dict[str, float]:
        return {name: self._worst[index] for index, name in enumerate(QUESTIONS)}

    def start(self) -> None:
        """Start asking; back once each question was answered (the process and the API's first
        answers take seconds on a busy machine)."""
        self._process.start()
        if not self._answered.wait(timeout=300):
            raise SystemExit("the reader got no answer in 5 minutes")

    def stop(self) -> None:
        self._stop.set()
        self._process.join()
        if self._process.exitcode:
            raise SystemExit(f"the reader failed (exit code {self._process.exitcode})")


async def load_alone(
    data_dir: Path, seed: list[ImportedArticle], new: list[ImportedArticle], tags: list[Any]
) -> tuple[float, dict[str, float] | None]:
    """Seconds to load the new articles into a store holding the seed, nothing else running, and
    the CPU seconds that cost."""
    async with (
        embedded_server(data_dir) as uri,
        open_store(Settings(mongodb_uri=uri, database="bench_load")),
    ):
        await import_content(actor=ACTOR, tags=tags, articles=seed)
        with cpu.Meter() as meter:
            await import_content(actor=ACTOR, tags=tags, articles=new)
        return meter.seconds, meter.spent


async def load(
    data_dir: Path, seed: list[ImportedArticle], new: list[ImportedArticle], tags: list[Any]
) -> tuple[float, float, dict[str, float]]:
    """Seconds to load the new articles beside a serving API, and to load them again; the worst
    answers the API gave during the first."""
    async with embedded_server(data_dir) as uri:
        settings = Settings(mongodb_uri=uri, database="bench_load")
        async with open_store(settings):
            await import_content(actor=ACTOR, tags=tags, articles=seed)
            env = {key: value for key, value in os.environ.items() if "MONGODB_URI" not in key}
            env |= {
                "NEWSROOM_MONGODB_URI": uri,
                "NEWSROOM_DATABASE": settings.database,
                "NEWSROOM_RESPONSE_CACHE": "false",
            }
            with servers.newsroom(env) as url:
                reader = Reader(url, seed[0].content.slug)
                reader.start()
                await asyncio.sleep(1)  # answering steadily before the load starts
                reader.counting = True
                started = time.perf_counter()
                await import_content(actor=ACTOR, tags=tags, articles=new)
                loaded = time.perf_counter() - started
                reader.counting = False
                reader.stop()
            started = time.perf_counter()
            report = await import_content(actor=ACTOR, tags=tags, articles=new)
            reloaded = time.perf_counter() - started
            assert report.counts["articles"]["unchanged"] == len(new), report.counts
    return loaded, reloaded, reader.worst


async def one_round(size: int) -> Round:
    archive = generate_archive(SEED + size)
    seed, new = archive.articles[:SEED], archive.articles[SEED:]
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        floor_seconds, floor_spent = await floor(Path(first), seed, new)
        alone, spent = await load_alone(Path(second), seed, new, archive.tags)
    with tempfile.TemporaryDirectory() as third:
        loaded, reloaded, worst = await load(Path(third), seed, new, archive.tags)
    return Round(floor_seconds, alone, loaded, reloaded, worst, floor_spent, spent)


def report(size: int, rounds: list[Round]) -> None:
    def median(values: list[float]) -> float:
        return statistics.median(values)

    floor = median([r.floor for r in rounds])
    print(
        f"\n{size:,} new articles into {SEED} (fresh embedded store each); median of "
        f"{len(rounds)}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(f"  {'raw insert_many (floor)':<44}{floor:>8.1f} s")
    rows = [
        ("load through the write path", [r.alone for r in rounds], "<= 2x"),
        ("the same load beside a serving API", [r.load for r in rounds], ""),
        ("re-load, nothing changed", [r.reload for r in rounds], "<= 0.5x"),
    ]
    for name, values, target in rows:
        ratio = median([value / r.floor for value, r in zip(values, rounds, strict=True)])
        wanted = f"  (target {target})" if target else ""
        print(f"  {name:<44}{median(values):>8.1f} s{ratio:>7.2f}x{wanted}")
    for name in ("/healthz", "page"):
        worst = median([r.worst[name] for r in rounds])
        print(f"  worst {name} answer during the load{'':<13}{worst:>8.2f} s  (target < 1 s)")
    for number, r in enumerate(rounds, 1):
        print(f"  round {number}, the floor: {cpu.describe(r.floor_spent, r.floor)}")
        print(f"  round {number}, the load alone: {cpu.describe(r.spent, r.floor)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rounds = []
    for index in range(args.repeats):
        rounds.append(asyncio.run(one_round(args.size)))
        latest = rounds[-1]
        print(
            f"round {index + 1}: floor {latest.floor:.1f} s, load {latest.alone:.1f} s, "
            f"beside the API {latest.load:.1f} s, "
            f"re-load {latest.reload:.1f} s, worst /healthz {latest.worst['/healthz']:.2f} s, "
            f"page {latest.worst['page']:.2f} s",
            flush=True,
        )
    report(args.size, rounds)


if __name__ == "__main__":
    main()
