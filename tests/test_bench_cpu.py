"""The CPU seconds the load benchmarks report: every process a load keeps busy, counted once."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bench.cpu import Meter, describe, difference, role

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

# Spends `before` CPU seconds, says so, waits for a line, spends `after` more, and ends.
BURNER = """
import sys, time
def burn(seconds):
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass
burn(float(sys.argv[1]))
print("ready", flush=True)
sys.stdin.readline()
burn(float(sys.argv[2]))
"""


@contextmanager
def burner(before: float, after: float) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(
        [sys.executable, "-c", BURNER, str(before), str(after)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline() == "ready\n"
            yield process
        finally:
            process.kill()


TICKS_A_SECOND = os.sysconf("SC_CLK_TCK")


def _ticks(seconds: float) -> int:
    """Seconds read from /proc back in the clock ticks they were counted in: compared so, the
    same count is equal however the two sides' sums and quotients round."""
    return round(seconds * TICKS_A_SECOND)


def _own_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_A_SECOND


def _go_on(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.write("go\n")
    process.stdin.flush()


def test_a_worker_running_at_the_end_counts_as_a_worker_and_only_inside_the_block() -> None:
    with burner(0.3, 0.4) as process:
        before = _own_seconds(process.pid)
        with Meter() as meter:
            _go_on(process)
            # Still running when the block ends, a quarter of a second of its own later.
            while _own_seconds(process.pid) < before + 0.25:
                pass
        after = _own_seconds(process.pid)
        assert meter.spent is not None
        own = _ticks(after) - _ticks(before)
        assert own - _ticks(0.03) <= _ticks(meter.spent["workers"]) <= own
        # No less wall time than the worker's CPU inside it, to its counters' ticks.
        assert meter.seconds >= meter.spent["workers"] - 0.03


def test_a_worker_that_ends_and_is_waited_for_inside_the_block_counts_once() -> None:
    with burner(0.5, 0.2) as process:
        with Meter() as meter:
            _go_on(process)
            process.wait()
        assert meter.spent is not None
        # Its seconds moved to this process (its parent) when it was waited for: the 0.5 it
        # spent before the block are not the block's.
        assert all(seconds >= 0 for seconds in meter.spent.values())
        assert 0.15 <= sum(meter.spent.values()) <= 0.4
        assert meter.spent.get("workers", 0.0) < 0.05


def test_a_role_that_lost_seconds_to_its_parent_spends_nothing() -> None:
    spent = difference({"loader": 1.0, "workers": 5.0}, {"loader": 7.5, "workers": 0.0})
    assert spent == {"loader": 1.5, "workers": 0.0}


def test_roles() -> None:
    assert role(10, "python -m bench.bulk", 10) == "loader"
    assert role(11, "/venv/bin/python -m cms.store.embedded /tmp/x", 10) == "store"
    assert role(12, "python -c from multiprocessing.spawn import spawn_main", 10) == "workers"


def test_the_bound_is_the_seconds_over_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bench.cpu.cores", lambda: 2)
    line = describe({"loader": 6.0, "store": 4.0, "workers": 0.01}, floor=2.5)
    assert line == "CPU 10.0 s (loader 6.0, store 4.0): on 2 CPUs at least 5.0 s, 2.00x the floor"
    assert describe(None, floor=1.0) == "CPU not measured (no /proc)"
