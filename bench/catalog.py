"""The catalog's memory: built from a generated archive, measured with `tracemalloc`.

Each API process holds the catalog (`cms.reading.catalog`); this builds one from the fields it keeps
of every article of a generated archive, as `Catalog.load` does from the store, and reports what it
takes in bytes per article and in all.

    python -m bench.catalog [--size 10000]
"""

import argparse
import gc
import tracemalloc
from datetime import timedelta
from typing import Any

from bson import ObjectId

from cms.fixtures.synthetic import generate_archive
from cms.reading.catalog import PROJECTION, Catalog, Entry


def _copy(value: Any) -> Any:
    # A string of its own, as one read from the store would be, not one shared with the archive.
    return value.encode().decode() if isinstance(value, str) else value


def measure(size: int) -> int:
    """Bytes the catalog of `size` articles holds."""
    archive = generate_archive(size)
    # Each changed a while after its publication, created by one of a newsroom's 50 writers.
    writers = [f"person:{ObjectId()}" for _ in range(50)]
    documents = [
        {
            "_id": ObjectId(),
            "version": 1,
            "status": item.status.value,
            **item.content.values(),
            "updated_at": item.content.published_at + timedelta(minutes=number % 600),
            "created_by_id": writers[number % len(writers)],
        }
        for number, item in enumerate(archive.articles)
    ]
    gc.collect()
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    catalog = Catalog()
    for document in documents:
        # The fields the store would return: those the archive's articles have.
        kept = {name: _copy(document[name]) for name in PROJECTION if name in document}
        kept["tags"] = [_copy(tag) for tag in document["tags"]]
        kept["updated_at"] = document["updated_at"].replace()  # a datetime of its own
        catalog._put(Entry.of({"_id": ObjectId(str(document["_id"])), **kept}))
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - start
    tracemalloc.stop()
    assert len(catalog) == size
    return held


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    size = parser.parse_args().size
    held = measure(size)
    print(f"catalog of {size:,} articles: {held / 1e6:.1f} MB, {held / size:.0f} bytes per article")


if __name__ == "__main__":
    main()
