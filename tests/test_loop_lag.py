"""The loop-lag helper sees a loop held by work, and none when the work awaits or the machine is
merely busy."""

import asyncio
import os
import time

from tests.loop_lag import loop_lag


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
