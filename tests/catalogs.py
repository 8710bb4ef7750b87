"""Catalogs for property tests: entries put in, then some of them changed and some dropped."""

from dataclasses import replace

from cms.reading.catalog import Catalog, Entry
from cms.status import ArticleStatus


def catalog_of(
    found: list[Entry], changed: list[tuple[int, ArticleStatus]], dropped: list[int]
) -> tuple[Catalog, list[Entry]]:
    """A catalog that held `found`, then saw some change status and some go."""
    catalog = Catalog()
    held = {entry.id: entry for entry in found}
    catalog._put_all(found)  # together, as a load's reveal puts them
    for index, status in changed if found else ():
        entry = replace(found[index % len(found)], status=status, version=2)
        catalog._put(entry)
        held[entry.id] = entry
    for index in dropped if found else ():
        gone = found[index % len(found)].id
        catalog._drop(gone)
        held.pop(gone, None)
    return catalog, list(held.values())
