"""Loads are seen whole: readers see the old set or the new one, even if the loader is killed."""

import asyncio
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from cms.fixtures.synthetic import generate_archive
from cms.spine import loads
from cms.workflow.imports import ImportedArticle, import_content
from tests.factories import FACTORY
from tests.graphql_client import GraphQLClient

LIST = "{ articles(first: 100) { totalCount nodes { slug headline } } }"
OLD, NEW = generate_archive(120, seed=1), generate_archive(120, seed=1)


def renamed(items: list[ImportedArticle], word: str) -> list[ImportedArticle]:
    return [
        ImportedArticle(
            content=item.content.model_copy(update={"headline": f"{word} {item.content.headline}"}),
            status=item.status,
            updated_at=item.updated_at,
        )
        for item in items
    ]


async def snapshot(client: GraphQLClient) -> tuple[int, frozenset[str]]:
    data = (await client.data(LIST))["articles"]
    return data["totalCount"], frozenset(node["headline"].split()[0] for node in data["nodes"])


@pytest.mark.processes
async def test_a_reader_sees_a_load_whole_while_it_runs(client: GraphQLClient) -> None:
    first = renamed(OLD.articles[:60], "Old")
    await import_content(actor=FACTORY, tags=OLD.tags, articles=first)
    second = renamed(OLD.articles[:60], "New") + renamed(OLD.articles[60:], "New")
    seen: set[tuple[int, frozenset[str]]] = set()
    loading = asyncio.create_task(import_content(actor=FACTORY, tags=[], articles=second))

    while not loading.done():
        seen.add(await snapshot(client))
        await asyncio.sleep(0)
    await loading
    seen.add(await snapshot(client))

    # Only ever 60 old articles, or 120 new ones: never some of each.
    assert seen <= {(60, frozenset({"Old"})), (120, frozenset({"New"}))}
    assert (120, frozenset({"New"})) in seen


KILLER = """
import asyncio, os, signal, sys
from cms.spine import journal
from cms.access import Actor
from cms.config import get_settings
from cms.fixtures.synthetic import generate_archive
from cms.database import open_store
from cms.workflow.imports import ImportedArticle, import_content
from tests.test_loads import renamed, OLD

stage = sys.argv[1]
applied = 0
original = journal.apply_batch

async def die_after_one_chunk(operations):
    global applied
    if applied == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    applied += 1
    return await original(operations)

async def main():
    from cms.spine import loads
    loads.CHUNK = 25  # several chunks, so that it dies with some applied and some not
    async with open_store(get_settings()):
        if stage == "apply":
            journal.apply_batch = die_after_one_chunk
        else:
            async def die(*args, **kwargs):
                os.kill(os.getpid(), signal.SIGKILL)
            loads.Load.get_pymongo_collection = lambda: type("X", (), {"insert_one": die})()
        articles = renamed(OLD.articles[:60], "New") + renamed(OLD.articles[60:], "New")
        await import_content(actor=Actor("killed-loader"), tags=[], articles=articles)

asyncio.run(main())
"""


@pytest.mark.processes
@pytest.mark.parametrize(("stage", "after_sweep"), [("stage", 60), ("apply", 120)])
async def test_a_load_killed_half_way_is_never_seen_half_done(
    client: GraphQLClient, cli_env: dict[str, str], stage: str, after_sweep: int
) -> None:
    await import_content(actor=FACTORY, tags=OLD.tags, articles=renamed(OLD.articles[:60], "Old"))
    repo = Path(__file__).resolve().parent.parent
    killed = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILLER), stage],
        env=cli_env,
        cwd=repo,
        timeout=300,
        check=False,
    )

    after_kill = await snapshot(client)
    await loads.sweep(older_than=timedelta(0))
    after_sweep_seen = await snapshot(client)
    rerun = await import_content(
        actor=FACTORY,
        tags=[],
        articles=renamed(OLD.articles[:60], "New") + renamed(OLD.articles[60:], "New"),
    )
    after_rerun = await snapshot(client)

    assert killed.returncode == -9
    assert after_kill == (60, frozenset({"Old"}))
    # Killed while staging: nothing was committed, the sweep drops it. Killed while applying:
    # it was committed, the sweep completes it.
    expected_word = "Old" if after_sweep == 60 else "New"
    assert after_sweep_seen == (after_sweep, frozenset({expected_word}))
    assert after_rerun == (120, frozenset({"New"}))
    assert not rerun.conflicts
