"""The event loop's worst lag while something runs: a standing measure for any work that must not
block the loop (hostile requests, password hashing, image work, imports).

A watcher sleeps `interval` again and again; each time it wakes later than asked, the delay is how
long the loop was held by something else. The app under `httpx.ASGITransport` runs on the test's
own loop, so this sees what a real server's other requests would wait.

A wake can also be late because the loop's thread got no CPU: a busy CI machine running two test
workers, their stores and browsers on two cores; this process's own threads working in parallel
as they should (argon2's lanes, four per hash); or the hypervisor not running the virtual CPU at
all for a while (these machines are virtual; the guest sees it as stolen time). None of that is
the code holding the loop, so three things are taken off each delay, read from Linux's `/proc`:
- the time the loop's thread was ready to run but waited for a CPU (its schedstat run-queue wait);
- the time stolen from the CPU it slept or woke on (`/proc/stat`, to a clock tick: 10 ms here);
  never below what the thread itself ran meanwhile;
- anything beyond the CPU time the whole process spent meanwhile (`time.process_time`, all its
  threads): a process the OS stopped spent none.
Work that holds the loop counts in full: run on the loop's thread (parsing, rendering), or waited
for there while other threads of the process spend CPU (another thread holding the interpreter
lock, a C call on the loop whose work runs in threads of its own, as argon2's does). Where `/proc`
does not say, only the last bound applies. `worst_wall` keeps the raw delay for reports. A
blocking call that sleeps without CPU (`time.sleep` on the loop) is not seen; code review and the
linters are the guard against those.

A test worker's heap holds what hundreds of earlier tests left; a full garbage collection of it
can take a tenth of a second on the loop whatever the block does. So the heap as it stands when
watching starts is collected and frozen (`gc.freeze`) for the block: collections during it walk
only what the block itself made, which still counts in full.
"""

import asyncio
import contextlib
import gc
import os
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

INTERVAL = 0.005
TICKS = os.sysconf("SC_CLK_TCK")


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


@dataclass(frozen=True)
class _Moment:
    """What Linux says at one moment of the thread that read it: the seconds it has run and
    waited for a CPU, the CPU it is on, and the seconds stolen from each CPU."""

    ran: float = 0.0
    waited: float = 0.0
    cpu: int = 0
    stolen: tuple[float, ...] = ()

    @classmethod
    def read(cls) -> "_Moment":
        try:
            with open("/proc/thread-self/schedstat", "rb") as schedstat:
                # Nanoseconds run, nanoseconds waited on a run queue, times run.
                ran, waited, _ = schedstat.read().split()
            with open("/proc/thread-self/stat", "rb") as stat:
                # After the name in parentheses: state, then the 39th field, the CPU, is 37th.
                cpu = int(stat.read().rsplit(b")", 1)[1].split()[36])
            with open("/proc/stat", "rb") as cpus:
                # "cpuN user nice system idle iowait irq softirq steal ...", in clock ticks.
                stolen = tuple(int(line.split()[8]) / TICKS for line in cpus if line[3:4].isdigit())
        except (OSError, ValueError, IndexError):
            return cls()
        return cls(int(ran) / 1e9, int(waited) / 1e9, cpu, stolen)

    def held(self, before: "_Moment", late: float) -> float:
        """Of `late` seconds since `before`, the part neither a wait for a CPU nor stolen from the
        CPUs this thread slept or woke on; never less than the thread ran meanwhile, nor more than
        `late`."""
        ran = self.ran - before.ran
        waited = self.waited - before.waited
        stolen = max(
            (
                self.stolen[cpu] - before.stolen[cpu]
                for cpu in {before.cpu, self.cpu}
                if cpu < min(len(self.stolen), len(before.stolen))
            ),
            default=0.0,
        )
        return min(late, max(ran, late - waited - stolen))


@contextlib.asynccontextmanager
async def loop_lag(interval: float = INTERVAL) -> AsyncIterator[LoopLag]:
    """Watch the running loop for the duration of the block; read `.worst` after it."""
    lag = LoopLag()
    loop = asyncio.get_running_loop()
    woke = asyncio.Event()

    async def watch() -> None:
        # The first wake ends a wait that began before the block: it only says the watch is on.
        await asyncio.sleep(interval)
        woke.set()
        while True:
            asked = loop.time()
            spent = time.process_time()
            before = _Moment.read()
            await asyncio.sleep(interval)
            late = max(0.0, loop.time() - asked - interval)
            held = _Moment.read().held(before, late)
            busy = time.process_time() - spent
            lag.worst = max(lag.worst, min(held, busy))
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
