"""The event loop's worst lag while something runs: a standing measure for any work that must not
block the loop (hostile requests, password hashing, image work, imports).

A watcher sleeps `interval` again and again; each time it wakes later than asked, the delay is how
long the loop was held by something else. The app under `httpx.ASGITransport` runs on the test's
own loop, so this sees what a real server's other requests would wait.

A wake can also be late because the machine gave the process no CPU at all (a busy CI machine
running two test workers, their stores and browsers on two cores). That is not the code holding
the loop, and this process spent no CPU on it: so each delay counts at most the CPU time the
process spent meanwhile (`time.process_time`, all its threads). Work that holds the loop (parsing,
rendering, hashing on it, or another thread holding the interpreter lock) spends CPU and counts
in full; a wait the OS imposed on the whole process does not. `worst_wall` keeps the raw delay for
reports. A blocking call that sleeps without CPU (`time.sleep` on the loop) is not seen; code
review and the linters are the guard against those.

A test worker's heap holds what hundreds of earlier tests left; a full garbage collection of it
can take a tenth of a second on the loop whatever the block does. So the heap as it stands when
watching starts is collected and frozen (`gc.freeze`) for the block: collections during it walk
only what the block itself made, which still counts in full.
"""

import asyncio
import contextlib
import gc
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

INTERVAL = 0.005


@dataclass
class LoopLag:
    """The worst delay seen (seconds of CPU this process spent while the loop was late), the worst
    raw delay, and how many times the watcher woke."""

    worst: float = 0.0
    worst_wall: float = 0.0
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
            spent = time.process_time()
            await asyncio.sleep(interval)
            late = max(0.0, loop.time() - asked - interval)
            busy = time.process_time() - spent
            lag.worst = max(lag.worst, min(late, busy))
            lag.worst_wall = max(lag.worst_wall, late)
            lag.ticks += 1
            woke.set()

    gc.collect()
    gc.freeze()
    watcher = asyncio.create_task(watch())
    await woke.wait()  # watching before the block starts
    try:
        yield lag
    finally:
        try:
            # A block that held the loop just before the end is counted on the watcher's next wake.
            woke.clear()
            await woke.wait()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        finally:
            gc.unfreeze()
