"""A large rebuild's lists ranked by two processes: this one and one forked from it.

Ranking every list of a large archive takes minutes of one core (about 150 s at 100,000
articles), while the other core idles: a load's store has written its articles by then. A
process forked from this one shares the model as it is, without copying it over (handing the
model to a worker process, pickled, cost 5 s to write and 5 s to read at 100,000). It takes the
lists a part at a time from the first, and sends each part back as it is ranked; this process
takes them from the last, so both finish together however the machine shares its cores. It is
the same code on the same model, so the lists are the same, bit for bit
(`tests/test_related_forked.py`). At 30,000 articles, ranking every list took 8.3 s so, 12.2 s
on a thread here (in memory, one run each). Laying search out here while the forked process
ranks was tried (a load of 100,000 took 290 and 298 s so, 264 to 313 s with the layout first,
on a busy machine): not kept.

Only where a fork shares the model safely (Linux), and from `FORKED_FROM` lists: a fork of a
large process costs tens of milliseconds, and below that this process ranks everything on a
thread, as it always did. The child inherits none of this process's other threads (Python warns
of that, as locks they held stay held in the child): it touches only the model and its pipe,
then exits without running any cleanup. If it dies, this process ranks what it did not send.
"""

import asyncio
import multiprocessing
import pickle
import sys
import warnings
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from cms.related.model import Model
from cms.related.score import Profile
from cms.store.batches import chunks

FORKED_FROM = 20_000
# How long the child has to exit once it has sent everything, or once it is no longer wanted.
EXIT_WITHIN = 5.0


def rank(model: Model, profiles: Sequence[Profile]) -> None:
    for profile in profiles:
        model.set_listing(profile.id, model.listing(profile))


async def rank_all(
    model: Model,
    listed: Sequence[Profile],
    ranked: Callable[[list[Profile]], None],
    *,
    part: int,
) -> None:
    """Rank every profile of `listed` into `model`, `part` at a time; `ranked` (called on the
    event loop) is handed each part once its lists are set."""
    if len(listed) < FORKED_FROM or not sys.platform.startswith("linux"):
        for profiles in chunks(listed, part):
            await asyncio.to_thread(rank, model, profiles)
            ranked(profiles)
        return
    # Made once, before the fork, for both processes.
    await asyncio.to_thread(model.prepare_ranking)
    parts = list(chunks(listed, part))
    helper = await asyncio.to_thread(_Helper.start, model, parts)
    try:
        # Each process takes the next part from its own end: both finish together.
        while (index := await asyncio.to_thread(helper.rank_next, model)) is not None:
            ranked(parts[index])
            for arrived in await asyncio.to_thread(helper.take, model, wait=False):
                ranked(arrived)
        for arrived in await asyncio.to_thread(helper.take, model, wait=True):
            ranked(arrived)
    finally:
        await asyncio.to_thread(helper.stop)
    # What the child took and did not send (it died): ranked here.
    for index, profiles in enumerate(parts):
        if index not in helper.done:
            await asyncio.to_thread(rank, model, profiles)
            ranked(profiles)


class _Claims:
    """Which parts are taken: the child takes them from the first on, this process from the
    last back, under a lock both share."""

    def __init__(self, context: Any, parts: int) -> None:
        self._lock = context.Lock()
        self._first = context.RawValue("q", 0)
        self._last = context.RawValue("q", parts)

    def first(self) -> int | None:
        with self._lock:
            if self._first.value >= self._last.value:
                return None
            self._first.value += 1
            return int(self._first.value - 1)

    def last(self) -> int | None:
        """The last part not taken yet, taken by this process; None if none is left, or if
        the lock stays held (the child killed as it took one: whatever it did not send is
        ranked here afterwards)."""
        if not self._lock.acquire(timeout=EXIT_WITHIN):
            return None
        try:
            if self._first.value >= self._last.value:
                return None
            self._last.value -= 1
            return int(self._last.value)
        finally:
            self._lock.release()


class _Helper:
    """The forked process, the parts it shares with this one, and those ranked or received."""

    def __init__(
        self,
        process: BaseProcess,
        connection: Connection,
        parts: list[list[Profile]],
        claims: _Claims,
    ) -> None:
        self.process = process
        self.connection = connection
        self.parts = parts
        self.claims = claims
        self.done: set[int] = set()
        self.ended = False

    @classmethod
    def start(cls, model: Model, parts: list[list[Profile]]) -> "_Helper":
        context = multiprocessing.get_context("fork")
        claims = _Claims(context, len(parts))
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(
            target=_ranked_apart, args=(model, parts, claims, sending), daemon=True
        )
        # Written now, not by the child too: it flushes what it inherited as it exits.
        sys.stdout.flush()
        sys.stderr.flush()
        with warnings.catch_warnings():
            # Forking a process with threads: the child uses none of what they hold (above).
            warnings.simplefilter("ignore", DeprecationWarning)
            process.start()
        sending.close()
        return cls(process, receiving, parts, claims)

    def rank_next(self, model: Model) -> int | None:
        """Take the last part not taken yet and rank it here; which, if one was left."""
        index = self.claims.last()
        if index is not None:
            rank(model, self.parts[index])
            self.done.add(index)
        return index

    def take(self, model: Model, *, wait: bool) -> list[list[Profile]]:
        """The parts the child has sent, their lists set in `model`: those arrived already, or
        (`wait`) all the rest, until it is done (or dead)."""
        taken = []
        while not self.ended and (wait or self.connection.poll()):
            try:
                message = self.connection.recv_bytes()
            except (EOFError, OSError):
                self.ended = True  # done, or dead: what it did not send is ranked here
                break
            index, listings = pickle.loads(message)
            profiles = self.parts[index]
            for profile, (members, cut) in zip(profiles, listings, strict=True):
                model.set_stored_listing(profile.id, members, cut)
            self.done.add(index)
            taken.append(profiles)
        return taken

    def stop(self) -> None:
        self.connection.close()
        self.process.join(EXIT_WITHIN)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _ranked_apart(
    model: Model, parts: list[list[Profile]], claims: _Claims, connection: Connection
) -> None:
    """In the child: rank each part it claims and send its lists (their members as a list is
    stored: `Model.set_stored_listing` takes them in without an `ObjectId` each); its end of
    the pipe closed says it is done."""
    while (index := claims.first()) is not None:
        listings: list[tuple[str, Any]] = []
        for profile in parts[index]:
            listing = model.listing(profile)
            listings.append((" ".join(map(str, listing.members)), listing.cut))
        connection.send_bytes(pickle.dumps((index, listings), protocol=pickle.HIGHEST_PROTOCOL))
    connection.close()
