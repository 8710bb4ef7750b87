"""The loop-lag helper sees a blocked loop, and sees none when the work awaits."""

import asyncio
import time

from tests.loop_lag import loop_lag


async def test_a_blocking_call_is_seen_as_lag() -> None:
    async with loop_lag() as lag:
        time.sleep(0.2)  # holds the loop, as a CPU-bound request would

    assert lag.worst >= 0.15


async def test_a_block_at_the_very_end_is_counted() -> None:
    async with loop_lag() as lag:
        await asyncio.sleep(0.02)
        time.sleep(0.15)

    assert lag.worst >= 0.1


async def test_awaiting_work_leaves_the_loop_free() -> None:
    async with loop_lag() as lag:
        await asyncio.sleep(0.1)
        await asyncio.to_thread(time.sleep, 0.1)

    assert lag.ticks > 5
    assert lag.worst < 0.1
