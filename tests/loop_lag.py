"""The event loop's worst lag while something runs: a standing measure for any work that must not
block the loop (hostile requests, password hashing, image work, imports).

A watcher sleeps `interval` again and again; each time it wakes later than asked, the delay is how
long the loop was held by something else. The app under `httpx.ASGITransport` runs on the test's
own loop, so this sees what a real server's other requests would wait.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

INTERVAL = 0.005


@dataclass
class LoopLag:
    """The worst delay seen, in seconds, and how many times the watcher woke."""

    worst: float = 0.0
    ticks: int = 0

    @property
    def worst_ms(self) -> float:
        return self.worst * 1000


@contextlib.asynccontextmanager
async def loop_lag(interval: float = INTERVAL) -> AsyncIterator[LoopLag]:
    """Watch the running loop for the duration of the block; read `.worst` after it."""
    lag = LoopLag()
    loop = asyncio.get_running_loop()
    woke = asyncio.Event()

    async def watch() -> None:
        while True:
            asked = loop.time()
            await asyncio.sleep(interval)
            lag.worst = max(lag.worst, loop.time() - asked - interval)
            lag.ticks += 1
            woke.set()

    watcher = asyncio.create_task(watch())
    await woke.wait()  # watching before the block starts
    try:
        yield lag
    finally:
        # A block that held the loop just before the end is counted on the watcher's next wake.
        woke.clear()
        await woke.wait()
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
