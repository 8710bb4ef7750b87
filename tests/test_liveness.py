"""A running process is never taken for dead, and a process that is gone is known at once."""

import asyncio
import contextlib
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from cms.reading.catalog import Catalog
from cms.spine import liveness, loads
from tests.graphql_client import GraphQLClient

REPO = Path(__file__).resolve().parent.parent

SLOW_LOADER = """
import asyncio, sys, time
from cms.spine import journal, liveness
from cms.access import Actor
from cms.config import get_settings
from cms.fixtures.synthetic import generate_archive
from cms.database import open_store
from cms.workflow.imports import import_content

liveness.BEAT_EVERY = 0.2
original = journal.apply_batch

async def slow(operations, **options):
    # One batch that keeps the event loop busy far longer than a heartbeat's silence is allowed
    # (as ranking a whole archive does).
    time.sleep(float(sys.argv[1]))
    return await original(operations, **options)

journal.apply_batch = slow

async def main():
    archive = generate_archive(60, seed=3)
    async with open_store(get_settings()) as store, liveness.heartbeat(store):
        await import_content(actor=Actor("slow"), tags=archive.tags, articles=archive.articles)

asyncio.run(main())
"""


@pytest.mark.processes
async def test_a_loader_busy_for_longer_than_any_silence_is_never_taken_for_dead(
    client: GraphQLClient,
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(liveness, "SILENCE", timedelta(seconds=1))
    loader = await asyncio.create_subprocess_exec(
        sys.executable, "-c", textwrap.dedent(SLOW_LOADER), "2.5", env=cli_env, cwd=REPO
    )

    completed = 0
    while loader.returncode is None:
        completed += await loads.sweep(older_than=timedelta(0))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(loader.wait(), 0.2)

    assert loader.returncode == 0
    assert completed == 0
    assert "left unfinished" not in caplog.text
    assert len(await Catalog.load()) == 60


BEATING = """
import asyncio, os, signal
from cms.spine import liveness
from cms.config import get_settings
from cms.database import open_store

async def main():
    async with open_store(get_settings()) as store, liveness.heartbeat(store):
        print(liveness.PROCESS_ID, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)

asyncio.run(main())
"""


@pytest.mark.processes
async def test_a_process_killed_on_this_machine_is_dead_at_once(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    beating = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        textwrap.dedent(BEATING),
        env=cli_env,
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
    )
    said, _ = await beating.communicate()

    assert beating.returncode == -9
    # Its heartbeat is fresh (well within `SILENCE`), but its process is gone.
    assert await liveness.alive([said.decode().strip()]) == set()
    assert await liveness.alive([liveness.PROCESS_ID]) == {liveness.PROCESS_ID}
