"""Search and related items follow every write, through one journal hook.

- A single write (an editor's save, a transition, a delete, a tag renamed, a sweep completing a
  dead process's write) updates the search index and the related lists it moves before its
  events are announced, so whoever reads after the write sees both.
- A load (many articles at once) only notes what it changed (`discovery_pending`); before the
  load is revealed, whoever completes it (its loader, or whoever took over from a loader that
  died) plans it all at once and stages it (`stage_load`), so that readers switch to it with the
  articles, and merges it once revealed (`merge_load`; `cms.spine.loads`, `cms.store.overlay`).
- A scheduled article's arrival writes nothing: visibility is decided when a list is read.

Rarity statistics (IDF) for related items are refreshed, and every list recomputed, when the
archive has doubled or halved since they were measured (and on the first articles): at once if
the archive has at most `INLINE_LIMIT` articles or the change is a load, otherwise by the
upkeep loop. Between refreshes they stay fixed, so a stored list is exactly what ranking gives.
"""

import asyncio
import contextlib
import functools
import hashlib
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import bson
from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from cms.articles import Article
from cms.related import rebuild as related_rebuild
from cms.related import state as related_state
from cms.related import updates as related_updates
from cms.related.store import FIELDS as RELATED_FIELDS
from cms.related.store import PROFILES, read_statistics
from cms.related.store import STATS as RELATED_STATS
from cms.search import reindex as search_reindex
from cms.search.analysis import analysed_all
from cms.search.index import DOCS, TERMS, database, read_stats
from cms.search.index import STATS as SEARCH_STATS
from cms.search.updates import index_articles, plan_index, tag_names
from cms.spine import events, journal, liveness
from cms.spine.journal import ChangeKind, Operation
from cms.spine.loads import Load
from cms.store.batches import chunks, delete_in, find_in
from cms.store.overlay import NEXT, Writes, merge, stage, write
from cms.tags import Tag

PENDING = "discovery_pending"
# What analysis reads of an article, and how many articles the worker process is handed at once
# (a few hundred kilobytes of text, a fraction of a second of its work).
ANALYSED = ("headline", "excerpt", "tags", "body")
ANALYSED_AT_ONCE = 200
INLINE_LIMIT = 1000
ARTICLES = Article.Settings.name
TAGS = Tag.Settings.name
WRITES = {ChangeKind.INSERT, ChangeKind.UPDATE, ChangeKind.DELETE}
STATISTICS_DUE = "statistics"
# A note that holds every article (`_hold_everything`).
EVERYTHING = "everything"


def _pending() -> Any:
    return Article.get_pymongo_collection().database[PENDING]


def changed_by(operations: Sequence[Operation]) -> tuple[set[ObjectId], set[str]]:
    """The articles these operations wrote, and the tags they renamed."""
    articles = {
        change.target
        for operation in operations
        for change in operation.changes
        if change.collection == ARTICLES and change.kind in WRITES
    }
    renamed = {
        event.renamed_tag
        for operation in operations
        for event in operation.events
        if event.renamed_tag is not None
    }
    return articles, renamed


async def follow(operations: Sequence[Operation]) -> None:
    """The journal hook (`cms.followers` installs it): these operations into search and related."""
    articles, renamed = changed_by(operations)
    if not articles and not renamed:
        return
    load = next((event.load for op in operations for event in op.events if event.load), None)
    if load is not None:
        key = hashlib.blake2s(" ".join(sorted(op.id for op in operations)).encode()).hexdigest()
        created = {
            change.target
            for operation in operations
            for change in operation.changes
            if change.collection == ARTICLES and change.kind is ChangeKind.INSERT
        }
        note = {
            "_id": key,
            "load": load,
            "articles": _packed(articles),
            "created": _packed(created),
            "tags": sorted(renamed),
        }
        with contextlib.suppress(DuplicateKeyError):  # noted by an earlier run of this hook
            await _pending().insert_one(note)
        if load not in _early:  # prepared whole before it was applied
            await _prepare(load, operations)
        return
    await refresh(articles, renamed, leave_to_loads=True)


async def _held_by_loads(articles: Sequence[ObjectId]) -> set[ObjectId]:
    """Those of these articles that loads not merged yet created. What is derived from them is
    the load's until its merge, which takes in again what others changed of them since the load
    began (`merge_load`): taken in by another writer before, it would be undone by the merge (the
    load's postings of the article as it was added back, beside an entry that no longer names
    them). Looked up in each note's packed ids as they are: a save during a load of 100,000
    would otherwise make as many ids. A load that lays search out anew, and a rebuild, hold
    every article (`_hold_everything`)."""
    held = set()
    fields = {"created": 1, EVERYTHING: 1, "owner": 1}
    async for note in _pending().find({"load": {"$ne": None}}, fields):
        if note.get(EVERYTHING):
            owner = note.get("owner")
            if owner is None or owner in await liveness.alive([owner]):
                return set(articles)
            await _pending().delete_one({"_id": note["_id"]})  # a rebuild's process died
            continue
        created = note.get("created", b"")
        if not isinstance(created, bytes):
            held |= set(articles) & set(created)
            continue
        held |= {article for article in articles if _holds(created, article.binary)}
    return held


def _holds(packed: bytes, key: bytes) -> bool:
    """Whether `_packed` ids hold `key`: found where an id starts, not across two."""
    at = packed.find(key)
    while at != -1 and at % len(key):
        at = packed.find(key, at + 1)
    return at != -1


async def _hold_everything(load: str, *, owner: str | None = None) -> int:
    """From now until its merge, writers leave every article to `load`, which lays search out
    anew; where the log stood once the writes that began before are finished. `owner`: the
    process of a rebuild (`_everything_held`), whose note counts only while it lives (a load's
    is its own until merged, whoever completes it).

    Such a load plans every term document from the articles as it reads them, and its merge
    replaces the live ones. A write taken in place after that reading would land in documents
    the merge replaces, while the article's entry, written in place too, says it is indexed:
    the merge's re-take would find nothing to change, and search would find the article by its
    old text until a rebuild. Held, the write is taken in by the merge, against the entry the
    planning read. Writes that checked before this note was there are waited for
    (`journal.past_in_flight`): what they wrote is read by the planning that follows."""
    note = {"load": load, "articles": b"", "created": b"", "tags": [], EVERYTHING: True}
    if owner is not None:
        note["owner"] = owner
    await _pending().update_one(
        {"_id": f"{load}:{EVERYTHING}"}, {"$setOnInsert": note}, upsert=True
    )
    await journal.past_in_flight()
    return await events.head()


@contextlib.asynccontextmanager
async def _everything_held() -> AsyncIterator[int]:
    """Every article held, as by a load that lays search out anew, for a rebuild in place
    (`rebuild`, `reindex_search`), which plans every term document from the articles as it
    reads them and replaces the stored ones; where the log stood before. The writes held are
    those the log and the journal show after that position: the caller takes them in once
    this ends (`_refresh_since`). If this process dies, the hold ends with it."""
    position = await events.head()
    holder = f"rebuild:{uuid.uuid4().hex}"
    await _hold_everything(holder, owner=liveness.PROCESS_ID)
    try:
        yield position
    finally:
        await _pending().delete_one({"_id": f"{holder}:{EVERYTHING}"})


def _packed(ids: Iterable[ObjectId]) -> bytes:
    """Article ids as one value, twelve bytes each: the embedded store's cost grows with a
    document's fields (an array's items count), far less with its bytes (a note of 400 ids cost
    it about 19 ms to insert as an array)."""
    return b"".join(article_id.binary for article_id in sorted(ids))


def _unpacked(ids: bytes | Iterable[ObjectId]) -> list[ObjectId]:
    """`_packed`'s ids; a list as it is (the note that statistics are due, notes from before
    notes were packed)."""
    if not isinstance(ids, bytes):
        return list(ids)
    return [ObjectId(ids[at : at + 12]) for at in range(0, len(ids), 12)]


# A known article: what deriving reads of its document (as stored), and its postings.
type Known = dict[ObjectId, tuple[dict[str, Any], dict[str, str]]]


@dataclass(frozen=True, slots=True)
class _Prepared:
    """Articles a chunk of a load created (the fields deriving reads, as stored), with the tag
    names their analysis read."""

    documents: dict[ObjectId, dict[str, Any]]
    names: dict[str, str]
    analysed: "asyncio.Task[list[dict[str, str]]]"


# What the process applying a load knows of the articles it created: their documents (from its
# operations), and their postings, analysed in the worker process while the next chunks are
# applied. Deriving the load then reads none of them back and waits for little analysis (for
# 2,000 articles the read-back and the analysis were a fifth of the load). Only a shortcut: a
# process completing a load another one applied reads the articles from the store.
_prepared: dict[str, list[_Prepared]] = {}
KEPT = ("_id", *RELATED_FIELDS)


# What deriving reads of an article the load creates: its text and what `KEPT` names.
_READ_OF_CREATED = tuple(dict.fromkeys((*ANALYSED, *KEPT)))


def _created(operations: Sequence[Operation]) -> list[dict[str, Any]]:
    """The articles the operations create: what deriving reads of each (not whole copies)."""
    return [
        {name: change.document[name] for name in _READ_OF_CREATED if name in change.document}
        | {"_id": change.target}
        for operation in operations
        for change in operation.changes
        if change.collection == ARTICLES and change.kind is ChangeKind.INSERT
    ]


async def _prepare(load: str, operations: Sequence[Operation]) -> None:
    for other in [name for name in _prepared if name != load]:  # one load at a time
        for part in _prepared.pop(other):
            part.analysed.cancel()
    created = _created(operations)
    if created:
        names = await tag_names(slug for doc in created for slug in doc.get("tags", ()))
        _prepared.setdefault(load, []).append(_prepared_of(created, names))


def _prepared_of(created: Sequence[dict[str, Any]], names: dict[str, str]) -> _Prepared:
    """These new articles' documents as deriving reads them, their analysis started."""
    texts = [{name: doc[name] for name in ANALYSED if name in doc} for doc in created]
    codec = Article.get_pymongo_collection().codec_options
    # Kept: only what deriving reads besides their text (the related profile's fields), as the
    # store gives it back (dates to the millisecond), so that what is derived from them is
    # exactly what a read would give.
    documents = [
        bson.decode(bson.encode({name: doc[name] for name in KEPT if name in doc}), codec)
        for doc in created
    ]
    analysed = asyncio.create_task(analysed_all(texts, names))
    return _Prepared({document["_id"]: document for document in documents}, names, analysed)


# A load that creates articles (and tags) and changes nothing else, into an archive it at least
# doubles, lays search and related items out anew from every article (`_stage_rebuild`). Its
# loader derives that from the operations while they are applied: this process analyses, plans
# and ranks while the store writes the articles, rather than after (at 10,000 articles, seconds
# of each). What is derived is written only once the load is committed (whoever completes it
# otherwise derives it afresh), and is checked before the reveal (`stage_load`).
_early: dict[str, "asyncio.Task[_Prepared]"] = {}


async def begin_load(
    load: str, operations: Sequence[Operation], committed: asyncio.Event
) -> "asyncio.Task[_Prepared] | None":
    """Start deriving `load` from its operations, if it is such a load (`_early`)."""
    for other in [name for name in _early if name != load]:  # one load at a time
        _early.pop(other).cancel()
    created = _created(operations)
    changes = [change for operation in operations for change in operation.changes]
    if not created or any(
        change.collection in (ARTICLES, TAGS) and change.kind is not ChangeKind.INSERT
        for change in changes
    ):
        return None
    count = await Article.get_pymongo_collection().estimated_document_count()
    if not _due(count + len(created), (await read_statistics()).articles):
        return None
    # The tags the load creates have their names from it; the others, as stored.
    new_tags = {
        change.document["slug"]: change.document["name"]
        for change in changes
        if change.collection == TAGS
    }
    slugs = {slug for doc in created for slug in doc.get("tags", ())}
    names = await tag_names(slugs - new_tags.keys())
    names |= {slug: name for slug, name in new_tags.items() if slug in slugs}
    part = _prepared_of(created, names)
    task = asyncio.create_task(_derive_early(load, part, committed, new_tags))
    _early[load] = task
    return task


async def _derive_early(
    load: str, part: _Prepared, committed: asyncio.Event, new_tags: dict[str, str]
) -> _Prepared:
    """Stage `load` as `_stage_rebuild` does, from what it creates; what it derived from."""
    try:
        postings = await part.analysed
        known = {
            article_id: (document, found)
            for (article_id, document), found in zip(part.documents.items(), postings, strict=True)
        }
        await _stage_rebuild(load, known, unseen=set(known), committed=committed, new_tags=new_tags)
    except BaseException:
        part.analysed.cancel()
        related_state.forget()
        raise
    return part


async def _as_derived_early(
    load: str,
    early: "asyncio.Task[_Prepared]",
    changed: set[ObjectId],
    created: set[ObjectId],
    renamed: set[str],
    held_from: int,
) -> bool:
    """Whether what `load` derived early stands (its notes say what it `changed`, `created` and
    `renamed`): it created exactly the articles it was derived from (a create may have failed: a
    slug taken meanwhile), nobody else changed one of them since (their entries and profiles
    went in place, as derived: a merge would not take such a change in again), nor any article
    or tag name before every article was held (`held_from`: such a write went in place, maybe
    after the archive was read), and their tags' names are as they were read. If not, what it
    staged and wrote for articles it did not create goes."""
    part = await early
    derived = set(part.documents)
    if (
        derived == created == changed
        and not renamed
        and not any(await _changes_by_others(load, until=held_from))
        and not derived & (await _changes_by_others(load))[0]
        and await tag_names(part.names) == part.names
    ):
        return True
    for name in STAGED:
        await database()[name + NEXT].delete_many({"load": load})
    for name in (DOCS, PROFILES):
        await delete_in(database()[name], "_id", sorted(derived - created))
    return False


async def _changes_by_others(
    load: str, *, until: int | None = None
) -> tuple[set[ObjectId], set[str]]:
    """The articles others than `load` changed since it began, and the tags they renamed (up to
    log position `until`, if given)."""
    committed = await Load.get_pymongo_collection().find_one({"_id": load}, {"first": 1})
    first = int(committed.get("first", 0)) if committed else 0
    return await search_reindex.changes_since(first, besides=load, until=until)


async def _known(load: str) -> Known:
    """The articles `load` created that this process prepared and nobody changed since."""
    parts = _prepared.pop(load, [])
    if not parts:
        return {}
    analysed = await asyncio.gather(*(part.analysed for part in parts))
    # Changed by another writer since the load began: read as stored now.
    changed, _ = await _changes_by_others(load)
    slugs = {slug for part in parts for slug in part.names}
    names = await tag_names(slugs)
    known: Known = {}
    for part, postings in zip(parts, analysed, strict=True):
        if any(names.get(slug) != name for slug, name in part.names.items()):
            continue  # a tag renamed meanwhile: analysed again from the store
        for (article_id, document), found in zip(part.documents.items(), postings, strict=True):
            if article_id not in changed:
                known[article_id] = (document, found)
    return known


async def _with_renamed(articles: Iterable[ObjectId], renamed: Iterable[str]) -> list[ObjectId]:
    """These articles and those carrying the renamed tags."""
    ids = set(articles)
    tags = sorted(set(renamed))
    if tags:
        tagged = Article.get_pymongo_collection().find({"tags": {"$in": tags}}, {"_id": 1})
        ids |= {document["_id"] async for document in tagged}
    return sorted(ids)


async def refresh(
    articles: Iterable[ObjectId],
    renamed: Iterable[str],
    *,
    batch: bool = False,
    leave_to_loads: bool = False,
) -> list[ObjectId]:
    """Take these articles (and those carrying the renamed tags) into search and related lists;
    with `leave_to_loads`, not those a load not merged yet created (`_held_by_loads`). Those
    taken in."""
    ids = await _with_renamed(articles, renamed)
    if leave_to_loads:
        held = await _held_by_loads(ids)
        ids = [article for article in ids if article not in held]
    await index_articles(ids)
    await related_updates.update(ids)
    await _refresh_statistics_if_due(batch=batch)
    return ids


def _due(articles: int, measured: int) -> bool:
    """Whether rarity should be measured again: the archive doubled or halved since it was."""
    if measured == 0:
        return articles > 0
    return articles >= 2 * measured or 2 * articles <= measured


async def _refresh_statistics_if_due(*, batch: bool) -> None:
    articles = (await read_stats()).articles
    if not _due(articles, (await read_statistics()).articles):
        return
    if batch or articles <= INLINE_LIMIT:
        await rebuild(refresh_statistics=True, inline=not batch)
    else:
        with contextlib.suppress(DuplicateKeyError):  # already left for the upkeep loop
            await _pending().insert_one({"_id": STATISTICS_DUE, "articles": [], "tags": []})


async def take_pending() -> int:
    """Take in a refresh of statistics left for later, and what loads from before loads staged
    their own noted; how many notes."""
    notes = await _pending().find({"load": None}).to_list()
    if not notes:
        return 0
    articles = {article for note in notes for article in _unpacked(note["articles"])}
    renamed = {tag for note in notes for tag in note["tags"]}
    count = await Article.get_pymongo_collection().estimated_document_count()
    due = any(note["_id"] == STATISTICS_DUE for note in notes)
    if due or _due(count, (await read_statistics()).articles):
        await rebuild(refresh_statistics=True)
    else:
        await refresh(articles, renamed, batch=True)
    await delete_in(_pending(), "_id", [note["_id"] for note in notes])
    return len(notes)


# What a load stages, in the order it is merged: postings, then statistics, then each article's
# entry (`cms.search.updates`), then related profiles (with their lists) and statistics.
STAGED = (TERMS, SEARCH_STATS, DOCS, PROFILES, RELATED_STATS)


async def stage_load(load: str) -> bool:
    """Plan search and related items for what `load` changed, and stage them (`cms.spine.loads`);
    whether there was anything to stage."""
    notes = await _pending().find({"load": load}).to_list()
    articles = {article for note in notes for article in _unpacked(note["articles"])}
    renamed = {tag for note in notes for tag in note["tags"]}
    # What belongs to articles the load creates, nobody reads before the reveal.
    created = {article for note in notes for article in _unpacked(note.get("created", ()))}
    early = _early.pop(load, None)
    if early is not None:
        held_from = await _hold_everything(load)
        if await _as_derived_early(load, early, articles, created, renamed, held_from):
            return True
    if not articles and not renamed:
        return False
    count = await Article.get_pymongo_collection().estimated_document_count()
    known = await _known(load)
    try:
        if _due(count, (await read_statistics()).articles):
            await _stage_rebuild(load, known, unseen=created)
        else:
            writes = Writes(whole=True)
            ids = await _with_renamed(articles, renamed)
            plan = await plan_index(ids, writes, count_key=f"load:{load}", known=known)
            state = await related_state.current()
            async with state.lock:
                await state.catch_up()
                documents = {article_id: document for article_id, (document, _) in known.items()}
                await related_updates.plan(
                    state, ids, writes, postings=plan.postings, documents=documents
                )
                # This process's profiles hold the load already: not to be read again when
                # it is revealed.
                state.held.pop(load, None)
            await stage(database(), writes, load, unseen=created)
    except BaseException:
        # This process's profiles may hold part of the plan: read them afresh when next needed.
        related_state.forget()
        raise
    return True


async def _stage_rebuild(
    load: str,
    known: Known,
    *,
    unseen: set[ObjectId],
    committed: asyncio.Event | None = None,
    new_tags: Mapping[str, str] | None = None,
) -> None:
    """The search index and every related list planned again from the articles, and staged for
    `load`. Search's part, and the related profiles of the load's own articles, are written while
    related items are ranked: the store's work and this process's side by side (seconds each at
    10,000 articles) rather than one after the other. `committed`: nothing is written before it
    is set (a load derived while it is applied, which holds every article once committed:
    `stage_load`); `new_tags`: as `read_archive`'s."""
    if committed is None:
        await _hold_everything(load)
    articles, postings = await read_archive(known, new_tags)
    searched, related = Writes(whole=True), Writes(whole=True)
    await search_reindex.plan_reindex(articles, postings, searched)
    if committed is not None:
        await committed.wait()
    staging = asyncio.create_task(stage(database(), searched, load, unseen=unseen))
    # The profiles of the load's own articles, which nobody reads before the reveal, go in
    # place as they are ranked.
    early = (unseen, functools.partial(write, database()))
    try:
        await related_rebuild.plan_rebuild(
            articles, postings, related, refresh_statistics=True, early=early
        )
    except BaseException:
        staging.cancel()
        await asyncio.wait([staging])
        raise
    await staging
    await stage(database(), related, load, unseen=unseen)


async def merge_load(load: str, position: int) -> list[str]:
    """Make what `load` staged live, then take in again what other writers changed since
    `position`, the articles carrying the tags they renamed too (their writes to the same
    documents may have been replaced, and those to the load's own articles were left to it:
    `_held_by_loads`); the ids of those articles."""
    await merge(database(), load, STAGED)
    # Kept until now: whoever completes a load that died before this stages it again.
    notes = await _pending().find({"load": load}, {"_id": 1}).to_list()
    await delete_in(_pending(), "_id", [note["_id"] for note in notes])
    return sorted(map(str, await _refresh_since(position, besides=load)))


async def _refresh_since(position: int, *, besides: str | None = None) -> list[ObjectId]:
    """Take in the articles the log says changed after `position`, and those carrying the tags
    it says were renamed (by others than load `besides`), with those of the writes in flight;
    which. A write held by a load (`_held_by_loads`) may not have reached the log yet: it is in
    the journal until it has, so the journal is read first and the log after."""
    flying, flying_renamed = changed_by(await journal.in_flight())
    changed, renamed = await search_reindex.changes_since(position, besides=besides)
    changed |= flying
    renamed |= flying_renamed
    if not changed and not renamed:
        return []
    return await refresh(changed, renamed)


async def schedule_if_missing() -> None:
    """An archive from before search and related lists were kept: build them in the upkeep loop."""
    articles = await Article.get_pymongo_collection().estimated_document_count()
    if articles and not (await read_statistics()).articles:
        with contextlib.suppress(DuplicateKeyError):  # already left for the upkeep loop
            await _pending().insert_one({"_id": STATISTICS_DUE, "articles": [], "tags": []})


@dataclass(frozen=True, slots=True)
class RebuildReport:
    search: search_reindex.ReindexReport
    related: related_rebuild.RebuildReport


async def read_archive(
    known: Known | None = None, new_tags: Mapping[str, str] | None = None
) -> tuple[list[dict[str, Any]], dict[ObjectId, dict[str, str]]]:
    """Every article (all but its journal bookkeeping), and its postings, analysed now; those
    `known` (as stored now, with their postings) are neither read nor analysed again.
    `new_tags`: the names of tags about to be created (a load deriving while it is applied)."""
    collection = Article.get_pymongo_collection()
    if known:
        order = [document["_id"] async for document in collection.find({}, {"_id": 1})]
        unknown = [article_id for article_id in order if article_id not in known]
        # Those not stored yet (a load deriving while it is applied) come after, as they will.
        present = set(order)
        order += [article_id for article_id in known if article_id not in present]
        stored = await find_in(collection, "_id", unknown, projection={"recent_ops": 0})
        read = {document["_id"]: document for document in stored}
        articles = [
            known[article_id][0] if article_id in known else read[article_id]
            for article_id in order
            if article_id in known or article_id in read
        ]
    else:
        articles = await collection.find({}, {"recent_ops": 0}).to_list()
    names = await tag_names(slug for article in articles for slug in article.get("tags", ()))
    names |= new_tags or {}
    # Seconds of work for a large archive: in the worker process, a part at a time, so that this
    # process's event loop (an API process completing a load) keeps answering meanwhile.
    analysed = {article_id: postings for article_id, (_, postings) in (known or {}).items()}
    articles_to_analyse = [article for article in articles if article["_id"] not in analysed]
    for part in chunks(articles_to_analyse, ANALYSED_AT_ONCE):
        texts = [{name: article[name] for name in ANALYSED if name in article} for article in part]
        found = await analysed_all(texts, names)
        analysed |= {
            article["_id"]: postings for article, postings in zip(part, found, strict=True)
        }
    return articles, analysed


async def rebuild(*, refresh_statistics: bool = False, inline: bool = False) -> RebuildReport:
    """The search index and every related list, rebuilt from the articles. Writers leave every
    article to it meanwhile (`_everything_held`), unless it runs `inline`, inside a write of a
    small archive (`INLINE_LIMIT`): that write, and any other this process runs, would wait
    for each other."""
    async with contextlib.AsyncExitStack() as held:
        if inline:
            position = await events.head()
        else:
            position = await held.enter_async_context(_everything_held())
        writes = Writes()
        report = await _plan_rebuild(writes, refresh_statistics=refresh_statistics)
        await write(database(), writes)
    # What changed while this ran is taken in as any write is.
    await _refresh_since(position)
    # The rebuild's state holds every profile: the next write reads the two windows it keeps.
    related_state.forget()
    announced = []
    if report.search.fixed:
        announced.append(events.lists_rebuilt("search"))
    if report.related.differed or report.related.removed:
        announced.append(events.lists_rebuilt("related"))
    await events.append(announced)
    return report


async def reindex_search() -> search_reindex.ReindexReport:
    """The search index rebuilt from the articles (`newsroom search reindex`), as `rebuild`
    does, related lists aside; what was wrong with it."""
    async with _everything_held() as position:
        articles, postings = await read_archive()
        writes = Writes()
        report = await search_reindex.plan_reindex(articles, postings, writes)
        await write(database(), writes)
    await _refresh_since(position)
    if report.fixed:
        await events.append([events.lists_rebuilt("search")])
    return report


async def _plan_rebuild(writes: Writes, *, refresh_statistics: bool) -> RebuildReport:
    articles, postings = await read_archive()
    found: Mapping[ObjectId, dict[str, str]] = postings
    search = await search_reindex.plan_reindex(articles, found, writes)
    related, _ = await related_rebuild.plan_rebuild(
        articles, found, writes, refresh_statistics=refresh_statistics
    )
    return RebuildReport(search=search, related=related)
