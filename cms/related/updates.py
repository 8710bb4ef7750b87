"""Related lists computed on write: the changed articles' profiles, and every list they move.

Called after the search index took the same change (profiles are built from its postings). For
each changed article, its profile is rebuilt (or dropped, if it is gone); the lists that change
with it (`Model.touched` and `Model.entered`) are ranked again, and those whose members or shown
items differ are written. A list is the article's pins, then its `STORED` best. Only listed
articles (published or scheduled) have one. Repeated after a crash, it writes the same lists.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from bson import ObjectId

from cms.articles import Article
from cms.related.score import profile_for
from cms.related.state import State, current
from cms.related.store import (
    FIELDS,
    LISTS,
    PROFILES,
    collection,
    list_document,
    profile_document,
    shown,
)
from cms.search.index import DOCS, entry_postings
from cms.search.index import collection as search_collection
from cms.store.batches import find_in
from cms.store.overlay import Writes, write


async def update(article_ids: Iterable[ObjectId]) -> int:
    """Take these articles as stored now into every list; how many lists were written."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return 0
    state = await current()
    async with state.lock:
        await state.catch_up()
        return await apply(state, ids)


async def apply(state: State, ids: list[ObjectId]) -> int:
    """`plan` these articles into `state` and write the lists at once; how many were written."""
    writes = Writes()
    written = await plan(state, ids, writes)
    await write(collection(LISTS).database, writes)
    return written


async def plan(
    state: State,
    ids: list[ObjectId],
    writes: Writes,
    *,
    postings: Mapping[ObjectId, Mapping[str, str]] | None = None,
) -> int:
    """Take these articles as stored now into `state`, and plan into `writes` every list and
    profile that moves; how many lists. Their search postings are read from the index unless
    given (as a load plans them, before they are written)."""
    model = state.model
    known = set(model.profiles)
    stored = await find_in(Article.get_pymongo_collection(), "_id", ids, projection=FIELDS)
    articles = {document["_id"]: document for document in stored}
    if postings is None:
        indexed = await find_in(search_collection(DOCS), "_id", articles)
        postings = {document["_id"]: entry_postings(document) for document in indexed}
    changes = []
    for article_id in ids:
        article = articles.get(article_id)
        new = (
            profile_for(article, postings.get(article_id, {}), model.statistics)
            if article
            else None
        )
        changes.append((model.profiles.get(article_id), new))
    affected = model.touched(changes)
    reshown: set[ObjectId] = set()
    for (_, new), article_id in zip(changes, ids, strict=True):
        if new is None:
            state.forget(article_id)
            continue
        model.put(new)
        show = shown(articles[article_id])
        if state.shows.get(article_id) != show:
            reshown.add(article_id)
        state.show(article_id, show)
    for _, new in changes:
        if new is not None and new.listed:
            affected |= model.entered(new)
    rewritten: set[ObjectId] = {article_id for article_id in ids if article_id in articles}
    lists: list[dict[str, Any]] = []
    new_lists: set[ObjectId] = set()
    unlisted: list[ObjectId] = []
    for article_id in sorted(affected):
        profile = model.profiles.get(article_id)
        listing = model.listing(profile) if profile is not None and profile.listed else None
        before = model.listings.get(article_id)
        if listing != before:
            model.set_listing(article_id, listing)
            rewritten.add(article_id)
        if listing is None and before is not None:
            unlisted.append(article_id)
        elif listing is not None and (listing != before or reshown.intersection(listing.members)):
            items = (state.shows[member] for member in listing.members)
            lists.append(list_document(article_id, items))
            if before is None:
                new_lists.add(article_id)
    profiles = [
        profile_document(
            model.profiles[article_id], state.shows[article_id], model.listings.get(article_id)
        )
        for article_id in sorted(rewritten & model.profiles.keys())
    ]
    gone = sorted(set(ids) - articles.keys())
    for document in lists:
        writes.put(LISTS, document, new=document["_id"] in new_lists)
    writes.delete(LISTS, [*unlisted, *gone])
    for document in profiles:
        writes.put(PROFILES, document, new=document["_id"] not in known)
    writes.delete(PROFILES, gone)
    return len(lists) + len(unlisted)
