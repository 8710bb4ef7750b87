"""CPU seconds a load costs on every core, not only its wall time.

A load keeps several processes busy (the loader, its analysis worker and forked rankers, the
embedded store's server); on a machine of N cores no arrangement of that work finishes before its
CPU seconds over N. Against a floor's wall time, that bound says how far arranging the work can
take a ratio, and how much must go instead.

Read from Linux's `/proc` for this process and everything it started: each process's own user and
system time, plus what its children that ended and were waited for had spent (so a ranker forked
and reaped during the load counts, and a process alive at the start and reaped before the end
counts once). Elsewhere `Meter.spent` is None.
"""

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

PROC = Path("/proc")
STORE = "cms.store.embedded"


@dataclass(frozen=True)
class _Process:
    parent: int
    seconds: float  # its own and its waited-for children's user and system time
    command: str


def _read(pid: int) -> _Process | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
        command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:  # gone meanwhile
        return None
    # The command's name, in parentheses, may hold spaces: fields are counted after it.
    fields = stat[stat.rindex(")") + 2 :].split()
    ticks = sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return _Process(int(fields[1]), ticks / os.sysconf("SC_CLK_TCK"), command)


def role(pid: int, command: str, root: int) -> str:
    """What a process of the tree is in a load: this one, the embedded store, or a worker."""
    if pid == root:
        return "loader"
    return "store" if STORE in command else "workers"


def sample(root: int | None = None) -> dict[str, float] | None:
    """CPU seconds spent so far by `root` (this process) and its descendants, by `role`."""
    if not PROC.is_dir():
        return None
    root = os.getpid() if root is None else root
    processes = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (found := _read(int(entry.name))) is not None:
            processes[int(entry.name)] = found
    children: dict[int, list[int]] = {}
    for pid, process in processes.items():
        children.setdefault(process.parent, []).append(pid)
    spent: dict[str, float] = {}
    tree = [root] if root in processes else []
    while tree:
        pid = tree.pop()
        process = processes[pid]
        name = role(pid, process.command, root)
        spent[name] = spent.get(name, 0.0) + process.seconds
        tree += children.get(pid, [])
    return spent


@dataclass
class Meter:
    """`with Meter() as meter:` ... then `meter.seconds`, the block's wall time, and
    `meter.spent`, its CPU seconds by role."""

    seconds: float = field(default=0.0, init=False)
    spent: dict[str, float] | None = field(default=None, init=False)
    _before: dict[str, float] | None = field(default=None, init=False)
    _started: float = field(default=0.0, init=False)

    def __enter__(self) -> "Meter":
        self._before = sample()
        self._started = time.perf_counter()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.seconds = time.perf_counter() - self._started
        after = sample()
        if self._before is not None and after is not None:
            self.spent = difference(self._before, after)


def difference(before: Mapping[str, float], after: Mapping[str, float]) -> dict[str, float]:
    """What each role spent between two samples. A worker that ended and was waited for moves
    its seconds to its parent's role; what a role lost that way is not negative spending."""
    spent = {name: after.get(name, 0.0) - before.get(name, 0.0) for name in {*before, *after}}
    lost = -sum(seconds for seconds in spent.values() if seconds < 0)
    spent = {name: max(seconds, 0.0) for name, seconds in spent.items()}
    if lost and "loader" in spent:
        spent["loader"] = max(spent["loader"] - lost, 0.0)
    return spent


def cores() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def bound(spent: Mapping[str, float]) -> float:
    """The least wall time `spent`'s CPU seconds allow on this machine's cores."""
    return sum(spent.values()) / cores()


def describe(spent: Mapping[str, float] | None, floor: float) -> str:
    """One line: the CPU seconds by role, their total, and the bound against `floor`'s wall."""
    if spent is None:
        return "CPU not measured (no /proc)"
    parts = ", ".join(f"{name} {spent[name]:.1f}" for name in sorted(spent) if spent[name] >= 0.05)
    least = bound(spent)
    return (
        f"CPU {sum(spent.values()):.1f} s ({parts}): on {cores()} CPUs at least {least:.1f} s, "
        f"{least / floor:.2f}x the floor"
    )
