"""The embedded store's own file: refused with one sentence when it cannot be used, never
replaced by an empty store, and not restarted for ever when it keeps failing."""

import asyncio
import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from pymongo import AsyncMongoClient

from cms.store.embedded import embedded_server
from tests.cli import NEWSROOM, newsroom
from tests.servers import free_port, newsroom_servers
from tests.test_embedded_store import embedded_env, wait_until_stopped
from tests.test_store_faults import store_pid, until

# Each test here starts `newsroom serve` or the store's supervisor: not in `make test-fast`.
pytestmark = pytest.mark.processes

PAGE = 4096


async def make_store(data_dir: Path) -> Path:
    """A store with a few documents in it, its server stopped; its file."""
    async with embedded_server(data_dir) as uri:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
        await client.newsroom.notes.insert_many([{"n": n, "text": "x" * 500} for n in range(50)])
        await client.close()
    await wait_until_stopped(data_dir)
    return data_dir / "store.sqlite"


def damage(store_file: Path) -> None:
    """Overwrite the first pages after SQLite's header (the schema's and the data's) with
    garbage, and the write-ahead log too: what a failing disk or a stray `dd` leaves."""
    garbage = b"\xde\xad\xbe\xef" * PAGE
    with store_file.open("r+b") as handle:
        handle.seek(100)
        handle.write(garbage)
    wal = store_file.with_name(store_file.name + "-wal")
    if wal.exists():
        wal.write_bytes(garbage)


def _file_instead_of_directory(data_dir: Path) -> Path:
    data_dir.write_text("not a directory\n")
    return data_dir


def _empty(data_dir: Path) -> Path:
    data_dir.mkdir(mode=0o700)
    (data_dir / "store.sqlite").touch()
    return data_dir / "store.sqlite"


def _not_sqlite(data_dir: Path) -> Path:
    data_dir.mkdir(mode=0o700)
    (data_dir / "store.sqlite").write_text("Once upon a time\n")
    return data_dir / "store.sqlite"


HAZARDS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "data-dir-is-a-file": (_file_instead_of_directory, "is a file, not a directory"),
    "empty-store-file": (_empty, "is empty (0 bytes)"),
    "not-sqlite": (_not_sqlite, "is not a SQLite database"),
}


def assert_one_clear_line(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = [line for line in result.stderr.splitlines() if "The store is unavailable" in line]
    assert message in line


def serve_briefly(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """`newsroom serve`, as an operator starts it; it must refuse to start, not hang."""
    return subprocess.run(
        [NEWSROOM, "serve", "--port", str(free_port())],
        env=embedded_env(data_dir),
        cwd=data_dir.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("hazard", list(HAZARDS))
def test_a_store_path_that_cannot_be_used_is_one_sentence_and_a_failure(
    tmp_path: Path, hazard: str
) -> None:
    make, message = HAZARDS[hazard]
    data_dir = tmp_path / "data"
    path = make(data_dir)
    before = path.read_bytes()

    command = newsroom("tokens", "list", env=embedded_env(data_dir))
    served = serve_briefly(data_dir)

    assert_one_clear_line(command, message)
    assert_one_clear_line(served, message)
    assert path.read_bytes() == before  # never replaced by an empty store


def test_the_default_data_directory_serves_every_command_after_the_first(tmp_path: Path) -> None:
    # `.newsroom`, relative to where the commands run, as in a clone after `make serve`
    env = {
        key: value for key, value in embedded_env(tmp_path).items() if key != "NEWSROOM_DATA_DIR"
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [NEWSROOM, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120
        )

    created = run("tokens", "create", "--name", "site-build", "--role", "previewer")
    # The second command finds the store file the first one made, and checks it before use.
    listed = run("tokens", "list")

    assert created.returncode == 0, created.stderr
    assert listed.returncode == 0, listed.stderr
    assert "site-build" in listed.stdout
    assert (tmp_path / ".newsroom" / "store.sqlite").is_file()


async def test_a_damaged_store_file_is_refused_as_it_is(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    store_file = await make_store(data_dir)
    damage(store_file)
    before = store_file.read_bytes()

    command = newsroom("tokens", "list", env=embedded_env(data_dir))
    served = serve_briefly(data_dir)

    assert_one_clear_line(command, "is damaged")
    assert_one_clear_line(served, "is damaged")
    assert "newsroom backup restore" in command.stderr
    assert store_file.read_bytes() == before


@pytest.fixture
def serving_store(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`newsroom serve` on an embedded store of its own; its URL and data directory."""
    data_dir = tmp_path / "data"
    with newsroom_servers(1, embedded_env(data_dir)) as (url,):
        yield url, data_dir


async def health(url: str) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.get(f"{url}/healthz")


@pytest.mark.parametrize(
    ("harm", "reason"),
    [(damage, "is damaged"), (Path.unlink, "has disappeared while Newsroom was using it")],
    ids=["damaged", "removed"],
)
async def test_a_store_that_keeps_failing_is_given_up_and_health_says_why(
    serving_store: tuple[str, Path], harm: Callable[[Path], None], reason: str
) -> None:
    url, data_dir = serving_store
    assert (await health(url)).status_code == 200
    store_file = data_dir / "store.sqlite"
    pid = store_pid(data_dir)
    assert pid is not None

    # When its file is harmed under it, and it dies
    harm(store_file)
    os.kill(pid, signal.SIGKILL)

    # Then the supervisor tries a bounded number of times, gives up, and health says why
    async def given_up() -> httpx.Response | None:
        answer = await health(url)
        return answer if "reason" in answer.json() else None

    answer = await until(given_up, timeout=60)
    assert answer is not None
    assert answer.status_code == 503
    assert reason in answer.json()["reason"]
    assert "no longer restarted" in answer.json()["reason"]
    await asyncio.sleep(1)
    assert store_pid(data_dir) is None  # not started again and again
    if harm is Path.unlink:
        assert not store_file.exists()  # no empty store in its place
