"""Work too long for the event loop, done in a process of its own.

Rendering a long Markdown body or analysing its words for the index takes from a tenth of a
second to seconds of pure-Python CPU. On the loop, every other request of the process waits that
long. On a thread it waits too: the loop gives up the interpreter lock at each system call and
gets it back only when the busy thread's switch interval (5 ms) runs out, so one round of the
loop with twenty calls waits a tenth of a second. So such work runs in one worker process per
API process, which holds no lock of ours: the loop waits only to hand the text over (a
millisecond for the longest body). One worker bounds it to one core's worth however much is
asked for at once, and it runs at a lower priority than the API, so that a long render takes
what the loop leaves. It starts at the first such call (on a thread: spawning a process takes a
tenth of a second), and again if it dies; it stops with the app (`stop`), and on its own if its
process is killed.
"""

import asyncio
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

# Below the API's own priority (0), as `nice` counts.
NICENESS = 10

_pool: ProcessPoolExecutor | None = None
_starting = threading.Lock()


def _set_up(parent: int) -> None:
    """In the worker: yield the CPU to the API, and exit once the process that started it is
    gone (killed, say), since nothing else would ever tell it to."""
    os.nice(NICENESS)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="newsroom-offload-parent", daemon=True).start()


def _ready() -> None:
    """Nothing: a first call that waits for the worker to be up."""


def _started() -> ProcessPoolExecutor:
    """The worker, up and running (blocks while it starts: call it off the loop)."""
    global _pool
    with _starting:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1,
                # Spawned, not forked: this process runs threads (the loop's helpers, PyMongo's).
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_set_up,
                initargs=(os.getpid(),),
            )
            _pool.submit(_ready).result()
        return _pool


def stop() -> None:
    """Stop the worker (after the call it is running, if any); a later call starts another."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


async def off_loop[*A, T](work: Callable[[*A], T], *args: *A) -> T:
    """`work(*args)` in the worker process (`work` a module-level function, the arguments and
    result plain data)."""
    global _pool
    loop = asyncio.get_running_loop()
    try:
        pool = _pool or await asyncio.to_thread(_started)
        return await loop.run_in_executor(pool, work, *args)
    except BrokenProcessPool:
        # The worker died (killed, out of memory): a new one takes this call and the next.
        _pool = None
        pool = await asyncio.to_thread(_started)
        return await loop.run_in_executor(pool, work, *args)
