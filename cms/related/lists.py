"""Reading related items: the stored list, or a ranking made now where there is none.

A public read takes the source's stored list (its profile's members: one read by `_id`) and
keeps the members the catalog says are readable now, in order: an article unpublished since is
left out, one whose scheduled time has come is in. The items are the articles at the version the
catalog has (`cms.reading.lookups.documents`: from memory once read).

A preview (articles in any status), or an article whose list is not stored yet, is ranked now
from this process's profiles (`cms.related.state`) with the same score.
"""

from collections.abc import Callable, Sequence
from datetime import datetime

from bson import ObjectId

from cms.reading.catalog import Catalog, Entry
from cms.related.model import Model
from cms.related.score import Profile
from cms.related.state import current
from cms.related.store import PROFILES, collection, listing_of
from cms.store.overlay import read
from cms.visibility import Audience


async def stored(
    ids: Sequence[ObjectId], *, overlay: str | None = None
) -> dict[ObjectId, tuple[ObjectId, ...]]:
    """The stored lists of these articles (one `find_one` for one article), as load `overlay`
    (revealed, not merged yet) has them if given; an unlisted article has none."""
    database = collection(PROFILES).database
    found = await read(database, PROFILES, ids, overlay=overlay, projection={"members": 1})
    lists = {document["_id"]: listing_of(document) for document in found}
    return {article_id: listing.members for article_id, listing in lists.items() if listing}


def readable_members(
    catalog: Catalog, members: Sequence[ObjectId], audience: Audience, now: datetime, first: int
) -> list[Entry]:
    """The first `first` members `audience` may read now, as the catalog has them."""
    picked = []
    for member in members:
        entry = catalog.get(member)
        if entry is not None and entry.readable(audience, now):
            picked.append(entry)
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
    found: dict[ObjectId, list[Entry]] = {}
    async with state.lock:
        await state.catch_up()
        await state.hold(ids, {})
        await state.hold_pinned(ids)
        for article_id in ids:
            profile = state.model.profiles.get(article_id)

            def readable(other: Profile) -> bool:
                entry = catalog.get(other.id)
                return entry is not None and entry.readable(audience, now)

            chosen = _ranked_now(state.model, profile, first, readable) if profile else []
            found[article_id] = [entry for entry in map(catalog.get, chosen) if entry is not None]
        state.release()
    return found
