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
tenth of a second), and again if it dies; it stops with its process (at exit, or on its own if
its process is killed), not with an app: a process that runs several apps in turn (the tests
run hundreds) would otherwise start one for each, a second of CPU every time. A worker reads its
settings (`NEWSROOM_EMBED_HOSTS`, say) from the environment it started with, so a change to the
environment since (a test's) replaces it at the next call.

Work on a file read from the store in pieces (an image's original, in chunks) can start before
the last piece arrives (`off_loop_arriving`): the worker reads it as a file whose bytes are
still arriving, so decoding overlaps the reading, which the store does on another core. Such
work runs on a thread of the worker, so that the worker can take the pieces meanwhile: two first
renditions of different images asked at the same moment decode side by side (Pillow lets go of
the interpreter lock while it decodes), still at the worker's lower priority. The pieces reach
it through a block of shared memory, written once as they come and read in place.
"""

import asyncio
import atexit
import contextlib
import io
import itertools
import multiprocessing
import os
import threading
import time
from collections.abc import AsyncIterable, AsyncIterator, Buffer, Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.shared_memory import SharedMemory
from typing import IO, BinaryIO, cast

# Below the API's own priority (0), as `nice` counts.
NICENESS = 10

_pool: ProcessPoolExecutor | None = None
# The environment the worker started with.
_environment: dict[str, str] = {}
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
    """The worker, up and running with the environment as it is now (blocks while it starts:
    call it off the loop)."""
    global _pool, _environment
    with _starting:
        if _pool is not None and os.environ != _environment:
            stop()
        if _pool is None:
            _environment = dict(os.environ)
            _pool = _workers(1)
            _pool.submit(_ready).result()
        return _pool


def _workers(processes: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=processes,
        # Spawned, not forked: this process runs threads (the loop's helpers, PyMongo's).
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_set_up,
        initargs=(os.getpid(),),
    )


@contextlib.asynccontextmanager
async def batch_workers(processes: int) -> AsyncIterator[ProcessPoolExecutor]:
    """Worker processes of a batch job's own (`processes` of them, at the worker's priority),
    for a job whose work keeps every core busy, such as an import converting thousands of posts
    while its process only reads: the one worker of `off_loop` would leave the other cores idle.
    Stopped when the block ends (the work they are doing is cancelled with the job)."""
    pool = _workers(processes)
    try:
        yield pool
    finally:
        await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)


@atexit.register
def stop() -> None:
    """Stop the worker (after the call it is running, if any); a later call starts another."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


async def _current() -> ProcessPoolExecutor:
    """The worker, started (off the loop) unless one runs with the environment as it is now."""
    pool = _pool
    if pool is not None and os.environ == _environment:
        return pool
    return await asyncio.to_thread(_started)


async def off_loop[*A, T](work: Callable[[*A], T], *args: *A) -> T:
    """`work(*args)` in the worker process (`work` a module-level function, the arguments and
    result plain data)."""
    global _pool
    loop = asyncio.get_running_loop()
    try:
        return await loop.run_in_executor(await _current(), work, *args)
    except BrokenProcessPool:
        # The worker died (killed, out of memory): a new one takes this call and the next.
        _pool = None
        pool = await asyncio.to_thread(_started)
        return await loop.run_in_executor(pool, work, *args)


class Arriving(io.RawIOBase, BinaryIO):
    """A read-only file of `length` bytes that arrive in order while it is read (in the worker).

    A read waits until every byte it asks for (up to the end) is there, as a read of a whole
    file would give them: readers such as Pillow's take a short read for a truncated file.
    """

    def __init__(self, length: int, buffer: memoryview | None = None) -> None:
        super().__init__()
        # The bytes: in a block of shared memory the sender writes them into (`reach` says how
        # far it has), or else copied here as they come (`add`).
        self._data: bytearray | memoryview = bytearray(length) if buffer is None else buffer
        self._received = 0
        self._position = 0
        self._failed = False
        self._arrival = threading.Condition()

    def add(self, piece: bytes) -> None:
        with self._arrival:
            end = self._received + len(piece)
            if end > len(self._data):
                self._failed = True  # more than the file holds: not the file announced
            else:
                self._data[self._received : end] = piece
                self._received = end
            self._arrival.notify_all()

    def reach(self, end: int) -> None:
        """The sender wrote the bytes up to `end` into the shared buffer."""
        with self._arrival:
            if end > len(self._data):
                self._failed = True
            else:
                self._received = max(self._received, end)
            self._arrival.notify_all()

    def fail(self) -> None:
        """No more bytes will come: a read waiting for them raises."""
        with self._arrival:
            self._failed = True
            self._arrival.notify_all()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Buffer) -> int:
        with memoryview(buffer) as target, memoryview(self._data) as data:
            end = min(self._position + target.nbytes, len(data))
            with self._arrival:
                while self._received < end and not self._failed:
                    self._arrival.wait()
                if self._received < end:
                    raise OSError("the file stopped arriving before its end")
            size = max(0, end - self._position)
            target.cast("B")[:size] = data[self._position : end]
        self._position += size
        return size

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._data)}
        self._position = max(0, base[whence] + offset)
        return self._position

    def tell(self) -> int:
        return self._position


class _Arrival:
    """In the worker: one piece of work reading an `Arriving` file, on a thread of its own (so
    that the worker takes the file's next pieces meanwhile)."""

    def __init__(
        self,
        work: Callable[..., object],
        length: int,
        args: tuple[object, ...],
        shared: str | None,
    ) -> None:
        # The sender's block, attached only: the sender removes it (`track=False`: this process
        # must not remove it when it exits).
        self.shared = None if shared is None else SharedMemory(shared, track=False)
        self.file = Arriving(length, None if self.shared is None else self.shared.buf)
        self.result: object = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(work, args), daemon=True)
        self.thread.start()

    def _run(self, work: Callable[..., object], args: tuple[object, ...]) -> None:
        try:
            self.result = work(self.file, *args)
        except BaseException as error:  # raised again in the caller by `_finish`
            self.error = error

    def end(self) -> None:
        """No more bytes: wait for the work, then let go of the shared block."""
        self.file.fail()  # every piece was sent before this: a read for more would wait forever
        self.thread.join()
        if self.shared is not None:
            self.file = Arriving(0)  # the last view of the block
            self.shared.close()


# In the worker: the work reading arriving files, by job number.
_arrivals: dict[int, _Arrival] = {}
_jobs = itertools.count()


def _begin(
    job: int,
    work: Callable[..., object],
    length: int,
    args: tuple[object, ...],
    shared: str | None,
) -> None:
    _arrivals[job] = _Arrival(work, length, args, shared)


def _feed(job: int, piece: bytes | int) -> None:
    """The next piece, or (with a shared block) how far the bytes written into it reach."""
    arrival = _arrivals.get(job)
    if arrival is not None:
        if isinstance(piece, int):
            arrival.file.reach(piece)
        else:
            arrival.file.add(piece)


def _finish(job: int) -> object:
    arrival = _arrivals.pop(job)
    arrival.end()
    if arrival.error is not None:
        raise arrival.error
    return arrival.result


def _abandon(job: int) -> None:
    arrival = _arrivals.pop(job, None)
    if arrival is not None:
        arrival.end()


def _shared_block(length: int) -> SharedMemory | None:
    """A block of shared memory for a file of `length` bytes, or None where none can be had
    (an empty file; a full or missing `/dev/shm`, as in a small container): the pieces then go
    through the worker's pipe."""
    if length <= 0:
        return None
    try:
        block = SharedMemory(create=True, size=length)
    except OSError:
        return None
    try:
        # Its pages taken now: a full `/dev/shm` (64 MB in a default Docker container) fails
        # here, where writing into pages it cannot give would kill this process (SIGBUS).
        os.posix_fallocate(block._fd, 0, length)  # type: ignore[attr-defined]
    except OSError:
        block.close()
        block.unlink()
        return None
    return block


async def off_loop_arriving[*A, T](
    work: Callable[[IO[bytes], *A], T], length: int, pieces: AsyncIterable[bytes], *args: *A
) -> tuple[T, bytes]:
    """`work(file, *args)` in the worker, `file` holding the `length` bytes of `pieces` and
    readable from the moment the first arrives; its result, and the bytes. If the worker dies
    meanwhile, the work is done again, from the bytes in an `io.BytesIO`."""
    pool: ProcessPoolExecutor | None = await _current()

    def send(call: Callable[..., object], *call_args: object) -> Future[object] | None:
        nonlocal pool
        if pool is None:
            return None
        try:
            return pool.submit(call, *call_args)
        except BrokenProcessPool:
            pool = None
            return None

    job = next(_jobs)
    received: list[bytes] = []
    finished: Future[object] | None = None
    # The bytes go to the worker through shared memory: written once here, read in place there.
    # Through its pipe, each piece was pickled, written, read and unpickled (30 ms of both
    # processes' CPU for an 11.7 MB photo, while the store, this process and the worker's
    # decoding contend for the cores).
    shared = _shared_block(length)
    try:
        send(_begin, job, work, length, args, None if shared is None else shared.name)
        reached = 0
        async for piece in pieces:
            received.append(piece)
            if shared is None:
                send(_feed, job, piece)
                continue
            end = reached + len(piece)
            if end <= length:
                block = shared.buf
                assert block is not None  # open until `close`
                block[reached:end] = piece
            reached = end  # past the length: the worker's file fails, as with `add`
            send(_feed, job, reached)
        finished = send(_finish, job)
        if finished is not None:
            with contextlib.suppress(BrokenProcessPool):
                return cast(T, await asyncio.wrap_future(finished)), b"".join(received)
    finally:
        if finished is None and pool is not None:
            with contextlib.suppress(BrokenProcessPool, RuntimeError):
                pool.submit(_abandon, job)  # RuntimeError: the worker is being stopped
        if shared is not None:
            # Gone by name now; the worker's view of it (if it still reads) stays until it
            # lets go.
            shared.close()
            shared.unlink()
    # The worker died: `off_loop` starts another.
    data = b"".join(received)
    return await off_loop(work, io.BytesIO(data), *args), data
