"""Giving the memory a large read freed back to the system.

Reading every article (a starting catalog) or every related profile (a process's first write)
parses many small documents: most of what they take is freed as soon as each is taken in, but the
C allocator keeps the freed pages for the process. On glibc, `malloc_trim` hands them back: at
10,000 articles the related profiles' read grew a process by 23 MB, 14 MB once trimmed, which is
what `tracemalloc` counts it holds (docs/operations/scale.md). Elsewhere it does nothing.

What the allocator cannot hand back is a page that still holds one object kept: a read that
decodes a whole collection's batch at once (the store's default, up to 16 MiB: every article of
the catalog's projection at 30,000) spreads what it keeps among what it frees. Such reads ask for
`cms.store.batches.SCAN_BATCH` documents at a time: the catalog's read at 30,000 articles grew a
process by 67 MB, 29 MB in batches, which is what `tracemalloc` counts it holds.
"""

import ctypes
import ctypes.util
import logging
import time
from collections.abc import Callable
from functools import cache

log = logging.getLogger(__name__)


@cache
def _trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    return trim


def give_back(after: str) -> None:
    """Hand the pages freed `after` a large read back to the system (glibc only)."""
    trim = _trim()
    if trim is None:
        return
    started = time.perf_counter()
    trim(0)
    log.debug(
        "Gave back freed memory after %s in %.1f ms", after, 1000 * (time.perf_counter() - started)
    )
