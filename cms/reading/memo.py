"""Bounded in-memory copies the read side keeps beside the catalog, each kept right by events.

- Articles, by id *and version*: an entry is only used while the catalog holds that version, so
  an edit anywhere (this process, another, a load once revealed) makes it stale by itself.
- Ratings, by article: dropped on each `rating.changed`, read again when next asked for.
- Tags: all of them (there are few), read again after any `tag.*` event.

They make an uncached article page a handful of dictionary lookups on either store. Each is
bounded: `ARTICLES` documents (least recently used out) and `RATINGS` summaries.
"""

from collections import OrderedDict
from collections.abc import Hashable

ARTICLES = 2000
RATINGS = 20_000


class Lru[K: Hashable, V]:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._items: OrderedDict[K, V] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def drop(self, key: K) -> None:
        self._items.pop(key, None)

    def clear(self) -> None:
        self._items.clear()
