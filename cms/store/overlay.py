"""Derived documents (search index, related lists) that a load writes before it is revealed.

Readers see a load whole: the catalog, search results and related items switch in one step. The
articles do so through the event log (`cms.spine.feed` holds a load's events until it is revealed).
What is derived from them can be written in place neither before the reveal (readers would see
it early, a rebuilt index half written) nor after it (they would see it late). So a load plans
those writes in memory (`Writes`) and stages them beside the live documents, in
`<collection>.next`, each entry naming the load:

- until the reveal, nobody reads them;
- a reader whose catalog has seen the reveal reads each document there first (`read`);
- the load then merges them into the live documents and deletes them (`merge`), and announces
  `load.merged`, after which readers read the live documents alone again.

An entry holds the whole document as readers must see it, or says it is gone. A document that
other writers change at the same time (search postings, statistics) is merged by updates that
add the load's part, not replaced: a single write that came in meanwhile stays. Everything else
is replaced, and the loader then takes in again what other writers changed meanwhile.

Outside loads the same `Writes` go straight to the live documents (`write`).
"""

from collections.abc import AsyncIterator, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import bson
from bson.codec_options import CodecOptions
from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from cms.store.batches import SCAN_BATCH, chunks, delete_in, find_in, put_many

NEXT = ".next"
# Merges per bulk command: each command a short wait for others the embedded store serves.
MERGE_BATCH = 100
_CODEC: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)


@dataclass(frozen=True, slots=True)
class Merge:
    """An update of one live document: `update` where `_id` and `where` match; if nothing
    matched, the update upserts (`upsert`: with a `where`, a document that exists but fails it
    was merged into before, and is left as it is)."""

    update: dict[str, Any]
    where: dict[str, Any] = field(default_factory=dict)
    upsert: bool = False


@dataclass
class Writes:
    """Derived documents to write, by collection and `_id`, in the order first planned."""

    # Whether whole documents are needed for what is merged (staging; a live write needs only
    # the updates).
    whole: bool = False
    documents: dict[str, dict[Any, dict[str, Any] | None]] = field(default_factory=dict)
    merges: dict[str, dict[Any, list[Merge]]] = field(default_factory=dict)
    # Documents expected not to exist yet: inserted rather than replaced (cheaper on mongoeco).
    new: dict[str, set[Any]] = field(default_factory=dict)
    # Documents no reader asks for before the load is revealed (`stage`).
    unseen: dict[str, set[Any]] = field(default_factory=dict)
    order: dict[str, None] = field(default_factory=dict)

    def put(
        self, collection: str, document: dict[str, Any], *, new: bool = False, unseen: bool = False
    ) -> None:
        self.order[collection] = None
        self.documents.setdefault(collection, {})[document["_id"]] = document
        if new:
            self.new.setdefault(collection, set()).add(document["_id"])
        if unseen:
            self.unseen.setdefault(collection, set()).add(document["_id"])

    def delete(self, collection: str, ids: Iterable[Any]) -> None:
        self.order[collection] = None
        found = self.documents.setdefault(collection, {})
        for doc_id in ids:
            found[doc_id] = None

    def merge(
        self, collection: str, doc_id: Any, merge: Merge, whole: dict[str, Any] | None = None
    ) -> None:
        """Merge `merge` into a live document; `whole`, when staging: the document after it."""
        self.order[collection] = None
        self.merges.setdefault(collection, {}).setdefault(doc_id, []).append(merge)
        if whole is not None:
            self.documents.setdefault(collection, {})[doc_id] = whole


async def _merge_many(
    database: AsyncDatabase[dict[str, Any]], name: str, merges: Sequence[tuple[Any, Merge]]
) -> None:
    """One merge for each of these documents, as few bulk commands: one round trip for a save's
    hundreds of search postings rather than one each (on the embedded store a command's own cost,
    ~2 ms, was most of each one's)."""
    collection = database[name]
    for part in chunks(merges, MERGE_BATCH):
        requests = [
            UpdateOne({"_id": doc_id, **merge.where}, merge.update, upsert=merge.upsert)
            for doc_id, merge in part
        ]
        try:
            await collection.bulk_write(requests, ordered=False)
        except BulkWriteError as error:
            failures = error.details["writeErrors"]
            if any(failure.get("code") != 11000 for failure in failures):
                raise
            for failure in failures:
                doc_id, merge = part[failure["index"]]
                if not merge.where:
                    # Upserted as another writer created the same document: it exists now.
                    await collection.update_one({"_id": doc_id}, merge.update)
                # Else an upsert whose condition failed on a document that exists: merged
                # before.


async def write(database: AsyncDatabase[dict[str, Any]], writes: Writes) -> None:
    """Apply `writes` to the live documents, collection by collection in the planned order."""
    for name in writes.order:
        merged = writes.merges.get(name, {})
        # Each document's merges in order: the first of each, then the second, ...
        depth = max(map(len, merged.values()), default=0)
        for round_ in range(depth):
            due = [(doc_id, one[round_]) for doc_id, one in merged.items() if round_ < len(one)]
            await _merge_many(database, name, due)
        documents = writes.documents.get(name, {})
        puts = [
            document
            for doc_id, document in documents.items()
            if document is not None and doc_id not in merged
        ]
        await put_many(database[name], puts, new=writes.new.get(name, set()))
        gone = [doc_id for doc_id, document in documents.items() if document is None]
        await delete_in(database[name], "_id", gone)


def _entry(
    load: str, doc_id: Any, document: dict[str, Any] | None, merges: Sequence[Merge], new: bool
) -> dict[str, Any]:
    entry: dict[str, Any] = {"_id": doc_id, "load": load, "doc": document, "new": new}
    if merges:
        encoded = [{"update": m.update, "where": m.where, "upsert": m.upsert} for m in merges]
        # Packed: update operators and dotted paths are no field names to store as they are.
        entry["merges"] = bson.encode({"m": encoded})
    return entry


def _merges(entry: Mapping[str, Any]) -> list[Merge]:
    if not entry.get("merges"):
        return []
    decoded = bson.decode(entry["merges"], codec_options=_CODEC)["m"]
    # An entry staged before merges upserted may name what to insert instead: the same document.
    return [
        Merge(m["update"], m["where"], m["upsert"] or m.get("insert") is not None) for m in decoded
    ]


async def stage(
    database: AsyncDatabase[dict[str, Any]],
    writes: Writes,
    load: str,
    *,
    unseen: Collection[Any] = (),
) -> None:
    """Write `writes` (planned `whole`) beside the live documents, for `load`.

    Whole documents no reader asks for before the load is revealed go straight to the live
    collection: staging and then merging them would write each twice. Those are the ones whose
    `_id` is in `unseen` (those of articles the load creates) and those planned `unseen` (term
    documents of the load's new search layout that the live one never reaches).
    """
    assert writes.whole, "staged writes hold whole documents"
    for name in writes.order:
        staged = database[name + NEXT]
        # A repeated staging (the load was completed by another process) starts afresh.
        await staged.delete_many({"load": load})
        merges = writes.merges.get(name, {})
        documents = writes.documents.get(name, {})
        new = writes.new.get(name, set())
        direct = Writes()
        entries = []
        for doc_id in {**documents, **merges}:
            document = documents.get(doc_id)
            hidden = doc_id in unseen or doc_id in writes.unseen.get(name, ())
            if hidden and doc_id not in merges and document is not None:
                direct.put(name, document, new=doc_id in new)
            else:
                entries.append(
                    _entry(load, doc_id, document, merges.get(doc_id, ()), doc_id in new)
                )
        await write(database, direct)
        for part in chunks(entries, 100):
            await staged.insert_many(part, ordered=False)


async def merge(database: AsyncDatabase[dict[str, Any]], load: str, names: Sequence[str]) -> None:
    """Move what `load` staged in these collections into the live documents; repeatable. The
    caller holds the load lease (`cms.spine.loads`), so no other load stages meanwhile."""
    for name in names:
        staged = database[name + NEXT]
        entries = await staged.find({"load": load}).to_list()
        writes = Writes()
        for entry in entries:
            merges = _merges(entry)
            for one in merges:
                writes.merge(name, entry["_id"], one)
            if not merges and entry["doc"] is None:
                writes.delete(name, [entry["_id"]])
            elif not merges:
                writes.put(name, entry["doc"], new=bool(entry.get("new")))
        await write(database, writes)
        if len(entries) >= await staged.estimated_document_count():
            # All of them this load's (loads run one at a time): a drop costs the embedded store
            # nothing, where a filtered delete decodes every entry (1.3 s of a 2,000-article load).
            await staged.drop()
        else:
            await staged.delete_many({"load": load})


def _projected(document: dict[str, Any], projection: Mapping[str, Any] | None) -> dict[str, Any]:
    if not projection:
        return document
    if any(not value for value in projection.values()):
        return {name: value for name, value in document.items() if projection.get(name, 1)}
    return {name: value for name, value in document.items() if name == "_id" or name in projection}


async def read(
    database: AsyncDatabase[dict[str, Any]],
    name: str,
    ids: Iterable[Any],
    *,
    overlay: str | None,
    projection: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Live documents by `_id`, as load `overlay` (revealed, not yet merged) has them."""
    wanted = list(dict.fromkeys(ids))
    found = await find_in(
        database[name], "_id", wanted, projection=dict(projection) if projection else None
    )
    if overlay is None:
        return found
    by_id = {document["_id"]: document for document in found}
    for entry in await find_in(database[name + NEXT], "_id", wanted, projection={"merges": 0}):
        if entry["load"] != overlay:
            continue
        if entry["doc"] is None:
            by_id.pop(entry["_id"], None)
        else:
            by_id[entry["_id"]] = _projected(entry["doc"], projection)
    return list(by_id.values())


async def scan(
    database: AsyncDatabase[dict[str, Any]],
    name: str,
    *,
    overlay: str | None,
    where: Mapping[str, Any] | None = None,
) -> AsyncIterator[dict[str, Any]]:
    """Every live document, as load `overlay` (revealed, not yet merged) has them; of those
    stored live, only those the filter `where` selects if given (the staged ones are yielded
    all: the caller tests them)."""
    staged: dict[Any, dict[str, Any] | None] = {}
    if overlay is not None:
        entries = database[name + NEXT].find({"load": overlay}, {"merges": 0})
        staged = {entry["_id"]: entry["doc"] async for entry in entries}
    async for document in database[name].find(dict(where or {}), batch_size=SCAN_BATCH):
        if document["_id"] not in staged:
            yield document
    for whole in staged.values():
        if whole is not None:
            yield whole


async def read_one(
    database: AsyncDatabase[dict[str, Any]],
    name: str,
    doc_id: Any,
    *,
    overlay: str | None,
    projection: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    found = await read(database, name, [doc_id], overlay=overlay, projection=projection)
    return found[0] if found else None
