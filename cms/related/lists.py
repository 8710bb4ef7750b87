"""Reading related items: the stored list, or a ranking made now where there is none.

A public read takes the source's stored list (one read by `_id`) and keeps the items the catalog
says are readable now, in order: an article unpublished since is left out, one whose scheduled
time has come is in. Items are served from what the list shows, unless the catalog knows another
version of the article (a load not yet revealed, a write not yet seen), which is then read.

A preview (articles in any status), or an article whose list is not stored yet, is ranked now
from this process's profiles (`cms.related.state`) with the same score.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId

from cms.articles import Article
from cms.reading.catalog import Catalog, Entry
from cms.related.model import Model
from cms.related.score import Profile
from cms.related.state import current
from cms.related.store import LISTS, collection, shown_fields
from cms.store.batches import find_in
from cms.visibility import Audience


@dataclass(frozen=True, slots=True)
class RelatedItem:
    article: Article
    # False: every field but the body, which is read when asked for.
    complete: bool


def shown_article(item: Mapping[str, Any]) -> Article:
    return Article.model_validate({**item, "body": ""})


async def stored(ids: Sequence[ObjectId]) -> dict[ObjectId, list[str]]:
    """The stored lists of these articles (one `find_one` for one article)."""
    found = await find_in(collection(LISTS), "_id", ids)
    return {document["_id"]: document["items"] for document in found}


def readable_items(
    catalog: Catalog, items: Sequence[str], audience: Audience, now: datetime, first: int
) -> list[tuple[Entry, dict[str, Any]]]:
    """The first `first` stored items `audience` may read now, with their catalog entries."""
    picked = []
    for text in items:
        item = shown_fields(text)
        entry = catalog.get(item["_id"])
        if entry is not None and entry.readable(audience, now):
            picked.append((entry, item))
            if len(picked) == first:
                break
    return picked


def _ranked_now(
    model: Model, profile: Profile, first: int, readable: Callable[[Profile], bool]
) -> list[ObjectId]:
    pinned = model.pins(profile, readable)

    def admit(other: Profile) -> bool:
        return readable(other) and other.id not in pinned and other.slug not in profile.excludes

    ranked = [other.id for _, other in model.rank(profile, first, admit)]
    return [*pinned, *ranked][:first]


async def ranked_now(
    catalog: Catalog, ids: Sequence[ObjectId], *, first: int, audience: Audience, now: datetime
) -> dict[ObjectId, list[Entry]]:
    state = await current()
    async with state.lock:
        await state.catch_up()
    found: dict[ObjectId, list[Entry]] = {}
    for article_id in ids:
        profile = state.model.profiles.get(article_id)

        def readable(other: Profile) -> bool:
            entry = catalog.get(other.id)
            return entry is not None and entry.readable(audience, now)

        chosen = _ranked_now(state.model, profile, first, readable) if profile else []
        found[article_id] = [entry for entry in map(catalog.get, chosen) if entry is not None]
    return found
