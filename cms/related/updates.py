"""Related lists computed on write: the changed articles' profiles, and every list they move.

Called after the search index took the same change (profiles are built from its postings). For
each changed article, its profile is rebuilt (or dropped, if it is gone); the lists that change
with it (`Model.touched` and `Model.entered`) are ranked again (the state holding what they read
first: `State.hold`), and the profiles whose list's members differ are written. A list is the
article's pins, then its `STORED` best. Only listed articles (published or scheduled) have one.
Repeated after a crash, it writes the same lists.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from bson import ObjectId

from cms.articles import Article
from cms.related.score import profile_for
from cms.related.state import State, current
from cms.related.store import FIELDS, PROFILES, collection, profile_document
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
    await write(collection(PROFILES).database, writes)
    return written


async def plan(
    state: State,
    ids: list[ObjectId],
    writes: Writes,
    *,
    postings: Mapping[ObjectId, Mapping[str, str]] | None = None,
    documents: Mapping[ObjectId, Mapping[str, Any]] | None = None,
) -> int:
    """Take these articles as stored now into `state`, and plan into `writes` every list and
    profile that moves; how many lists. Their search postings are read from the index unless
    given (as a load plans them, before they are written), and so are the articles but for
    `documents` (a load's own, as stored now)."""
    documents = documents or {}
    unknown = [article_id for article_id in ids if article_id not in documents]
    stored = await find_in(Article.get_pymongo_collection(), "_id", unknown, projection=FIELDS)
    articles: dict[ObjectId, Mapping[str, Any]] = {document["_id"]: document for document in stored}
    articles |= {article_id: documents[article_id] for article_id in ids if article_id in documents}
    await state.hold(ids, articles)
    model = state.model
    known = set(model.profiles)
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
    for (_, new), article_id in zip(changes, ids, strict=True):
        if new is None:
            state.forget(article_id)
            continue
        model.put(new)
        state.versions[article_id] = int(articles[article_id].get("version", 0))
    for _, new in changes:
        if new is not None and new.listed:
            affected |= model.entered(new)
    await state.hold_pinned(affected)
    rewritten: set[ObjectId] = {article_id for article_id in ids if article_id in articles}
    lists = 0
    for article_id in sorted(affected):
        profile = model.profiles.get(article_id)
        listing = model.listing(profile) if profile is not None and profile.listed else None
        if listing != model.listings.get(article_id):
            model.set_listing(article_id, listing)
            rewritten.add(article_id)
            lists += 1
    for article_id in sorted(rewritten & model.profiles.keys()):
        document = profile_document(
            model.profiles[article_id], state.versions[article_id], model.listings.get(article_id)
        )
        writes.put(PROFILES, document, new=article_id not in known)
    writes.delete(PROFILES, sorted(set(ids) - articles.keys()))
    state.release()
    return lists
