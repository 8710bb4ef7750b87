"""The loop-lag helper sees a loop held by work, on it or by a thread holding the interpreter lock,
and none when the work awaits, runs in parallel, or the machine is merely busy."""

import asyncio
import json
import os
import sys
import time

import pytest

from tests.loop_lag import _Moment, loop_lag


def spin(seconds: float) -> None:
    """Hold the loop with CPU work, as a parser or a hash on the loop would."""
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


async def test_work_on_the_loop_is_seen_as_lag() -> None:
    async with loop_lag() as lag:
        spin(0.2)

    assert lag.worst >= 0.15


async def test_a_block_at_the_very_end_is_counted() -> None:
    async with loop_lag() as lag:
        await asyncio.sleep(0.02)
        spin(0.15)

    assert lag.worst >= 0.1


async def test_a_thread_holding_the_interpreter_lock_is_seen_as_lag() -> None:
    """A C call that keeps the lock (a big power here; a binding that never releases it in
    general) holds the loop from another thread."""
    base, exponent = 7, 2_000_000  # about 0.4 s of CPU on these machines, in one call

    async with loop_lag() as lag:
        await asyncio.to_thread(pow, base, exponent)

    assert lag.worst >= 0.1


STARVED = """
import asyncio, json, os, threading
from concurrent.futures import ThreadPoolExecutor
from argon2.low_level import Type, hash_secret_raw
from tests.loop_lag import loop_lag

def hashing():
    # One lane: the whole hash is one C call of this thread, without the interpreter lock, and
    # neither starts threads nor maps memory after its first pass.
    return hash_secret_raw(b"secret", b"saltsalt", time_cost=1000, memory_cost=8192,
                           parallelism=1, hash_len=32, type=Type.ID)

async def main():
    # One CPU, eight hashes at full priority, the loop's thread at the lowest: the OS keeps the
    # loop waiting although nothing of it holds the loop.
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    loop = asyncio.get_running_loop()
    threads = ThreadPoolExecutor(8)
    hashes = [loop.run_in_executor(threads, hashing) for _ in range(8)]
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    await asyncio.sleep(0.3)  # past the first passes, which take the hashes' memory from the OS
    async with loop_lag() as lag:
        await asyncio.sleep(1)
    running = not any(each.done() for each in hashes)
    print(json.dumps({"worst": lag.worst, "wall": lag.worst_wall, "running": running}))
    os._exit(0)  # without waiting for the rest of the hashes

asyncio.run(main())
"""


async def test_threads_working_in_parallel_are_not_lag() -> None:
    """Threads of this process hashing outside the interpreter lock, as they should, keep the
    loop's thread from the one CPU it may use: the loop is late but held by nothing it runs. In
    a child process, whose loop thread can be given the lowest priority for good."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", STARVED, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await child.communicate()
    assert child.returncode == 0
    seen = json.loads(out)

    assert seen["running"], "a hash ended before the block did: the OS was not tested"
    assert seen["wall"] >= 0.1, seen
    assert seen["worst"] < 0.05, seen


async def test_awaiting_work_leaves_the_loop_free() -> None:
    async with loop_lag() as lag:
        await asyncio.sleep(0.1)
        await asyncio.to_thread(time.sleep, 0.1)

    assert lag.ticks > 5
    assert lag.worst < 0.1


async def test_a_process_the_machine_does_not_run_is_not_lag() -> None:
    """Stopped for 0.3 s by the OS (as a starved CI machine would), the loop is late, but nothing
    of this process held it."""
    async with loop_lag() as lag:
        await asyncio.sleep(0.02)
        # A child stops this process and continues it; the loop itself does nothing meanwhile.
        pid = os.getpid()
        child = await asyncio.create_subprocess_exec(
            "sh", "-c", f"kill -STOP {pid}; sleep 0.3; kill -CONT {pid}"
        )
        await child.wait()
        await asyncio.sleep(0.02)

    assert lag.worst_wall >= 0.25
    assert lag.worst < 0.1


def test_a_wait_for_a_cpu_is_taken_off_a_delay() -> None:
    before = _Moment(ran=1.0, waited=2.0, cpu=0, stolen=(5.0, 7.0))
    after = _Moment(ran=1.001, waited=2.09, cpu=0, stolen=(5.0, 7.0))

    assert after.held(before, 0.1) == pytest.approx(0.01)


def test_time_stolen_counts_only_on_the_cpus_the_thread_slept_or_woke_on() -> None:
    before = _Moment(ran=1.0, waited=2.0, cpu=0, stolen=(5.0, 7.0, 9.0))
    stolen_elsewhere = _Moment(ran=1.0, waited=2.0, cpu=0, stolen=(5.0, 7.1, 9.0))
    stolen_where_it_slept = _Moment(ran=1.0, waited=2.0, cpu=1, stolen=(5.1, 7.0, 9.0))
    stolen_where_it_woke = _Moment(ran=1.0, waited=2.0, cpu=2, stolen=(5.0, 7.0, 9.1))

    assert stolen_elsewhere.held(before, 0.1) == pytest.approx(0.1)
    assert stolen_where_it_slept.held(before, 0.1) == pytest.approx(0.0)
    assert stolen_where_it_woke.held(before, 0.1) == pytest.approx(0.0)


def test_what_the_thread_ran_counts_whatever_was_stolen_and_never_beyond_the_delay() -> None:
    before = _Moment(ran=1.0, waited=2.0, cpu=0, stolen=(5.0,))

    assert _Moment(ran=1.08, waited=2.0, cpu=0, stolen=(5.1,)).held(before, 0.1) == (
        pytest.approx(0.08)
    )
    assert _Moment(ran=1.3, waited=2.0, cpu=0, stolen=(5.0,)).held(before, 0.1) == (
        pytest.approx(0.1)
    )


def test_without_proc_the_whole_delay_counts() -> None:
    assert _Moment().held(_Moment(), 0.1) == pytest.approx(0.1)
