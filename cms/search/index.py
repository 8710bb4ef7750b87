"""The search index in the store: postings by term, each article's postings, corpus statistics.

- `search_terms`: the postings. A term in few articles shares a bucket document with other such
  terms (`_id` `~<n>`, the term's hash picks the bucket), under `t.<term>`: article id (hex) to
  that article's posting. A term in many articles has a document of its own (`_id` the term),
  split into shards `term#0`, `term#1`, ... (the article's id picks one) once it outgrows one.
  Its postings and their impacts (`cms.search.bm25`) are packed into two strings, `s` and `w`
  (a line `<article hex> <value>` each, as `reindex` wrote them), with changes since under `p`:
  article id (hex) to its posting, or `""` for one removed. A search reads every impact of its
  terms, and the embedded store returns one long string faster than as many fields (docs,
  "Benchmarks"); writes still set one path each, and the next `reindex` packs them in.
  A term split into shards also has a *head* document (`_id` the term): how many postings its
  shards hold (`n`), the `TOP` highest impacts among them (`top`, packed), and every change
  since the shards were packed (`p`). So the first pages of a search for a common word by
  relevance read one small document, not every shard (`leaders`).
  `reindex` decides which term goes where, from how many articles have it, so that no document
  grows without bound, and a fresh archive is a few hundred documents rather than one per word
  (writing a document costs the embedded store milliseconds).
- `search_docs`: per article (`_id` its id), the version indexed and every posting it has (one
  JSON text, for the same reason): what to remove or rewrite when it changes.
- `search_stats` (`_id` "stats"): how many articles are indexed, their total field lengths and
  the averages impacts are computed with (`cms.search.bm25`), the terms with documents of their
  own and into how many shards each is split (packed, as the postings are: every search reads
  it), and how many buckets the others share.

Everything is read by `_id`, one document at a time (the embedded store's `$in` reads every
document).
"""

import copy
import functools
import json
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from cms.articles import Article
from cms.search import bm25
from cms.search.analysis import FIELDS
from cms.store.batches import chunks, find_in
from cms.store.overlay import Merge, Writes, read, read_one

TERMS = "search_terms"
DOCS = "search_docs"
STATS = "search_stats"
STATS_ID = "stats"
# SQLite's json_set takes at most 127 arguments and mongoeco passes two per `$set` path.
MAX_PATHS = 60
# How many recent writes the statistics remember, so a repeated one counts once.
RECENT = 500
# Buckets before the first reindex chooses how many.
DEFAULT_BUCKETS = 64
# Impacts a head document keeps: pages of ten by relevance, filtered by visibility, for as deep
# as readers go on a common word before the whole term is read.
TOP = 500


def database() -> AsyncDatabase[dict[str, Any]]:
    return Article.get_pymongo_collection().database


def collection(name: str) -> AsyncCollection[dict[str, Any]]:
    return database()[name]


@dataclass(frozen=True, slots=True)
class Stats:
    articles: int = 0
    lengths: tuple[float, ...] = tuple(0.0 for _ in FIELDS)
    # Terms with documents of their own, and into how many shards each is split.
    layout: dict[str, int] = field(default_factory=dict)
    buckets: int = DEFAULT_BUCKETS
    # The average field lengths when the index was laid out, which impacts are computed with.
    norms: tuple[float, ...] = tuple(0.0 for _ in FIELDS)

    @classmethod
    def of(cls, document: Mapping[str, Any] | None) -> "Stats":
        if not document:
            return cls()
        articles = int(document.get("n", 0))
        lengths = tuple(float(document.get("lengths", {}).get(name, 0)) for name in FIELDS)
        # Statistics from before averages were recorded: the current ones, until a reindex.
        norms = document.get("norms") or {
            name: length / articles if articles else 0.0
            for name, length in zip(FIELDS, lengths, strict=True)
        }
        return cls(
            articles=articles,
            lengths=lengths,
            layout=_layout(document.get("layout", "")),
            buckets=int(document.get("buckets", DEFAULT_BUCKETS)),
            norms=tuple(float(norms.get(name, 0.0)) for name in FIELDS),
        )

    def headed(self, term: str) -> bool:
        """Whether `term` is split into shards, with a head document (`_id` the term)."""
        return self.layout.get(term, 0) > 1

    def place(self, term: str, article: str) -> tuple[str, str]:
        """Where a write puts `article`'s posting for `term`: the document's `_id` and the
        field's path. A split term's changes all go to its head, where a search finds them."""
        if term not in self.layout:
            return bucket_of(term, self.buckets), f"t.{term}.{article}"
        return term, f"p.{article}"

    def sharded(
        self, term: str, postings: Mapping[str, str], checksums: dict[str, int]
    ) -> dict[str, Mapping[str, str]]:
        """The documents `reindex` packs the postings of a term of its own into, each with its
        part (by article id, hex): an article's part is picked by its id's checksum, kept in
        `checksums` (once an article, not once a posting: millions at 100,000 articles)."""
        shards = self.layout[term]
        if shards == 1:
            return {term: postings}
        parts: list[dict[str, str]] = [{} for _ in range(shards)]
        for article, posting in postings.items():
            checksum = checksums.get(article)
            if checksum is None:
                checksum = checksums[article] = zlib.crc32(article.encode())
            parts[checksum % shards][article] = posting
        return {f"{term}#{index}": part for index, part in enumerate(parts) if part}

    def reaches(self, doc_id: str) -> bool:
        """Whether a reader or writer following this layout ever asks for the term document
        `doc_id`: one of its buckets, or one of the documents it gives a term of its own."""
        if is_bucket(doc_id):
            return int(doc_id.removeprefix("~")) < self.buckets
        term = doc_id.partition("#")[0]
        return term in self.layout and doc_id in self.documents(term)

    def documents(self, term: str) -> list[str]:
        """The `_id`s of the documents holding `term`'s postings: a split term's head last, as
        its changes apply over the shards."""
        shards = self.layout.get(term)
        if shards is None:
            return [bucket_of(term, self.buckets)]
        return [term] if shards == 1 else [*(f"{term}#{index}" for index in range(shards)), term]


def _layout(stored: str | Mapping[str, int]) -> dict[str, int]:
    # A mapping: written before the layout was packed; the next reindex packs it.
    if isinstance(stored, Mapping):
        return {term: int(shards) for term, shards in stored.items()}
    return dict(_unpacked_layout(stored))


@functools.lru_cache(maxsize=4)
def _unpacked_layout(stored: str) -> tuple[tuple[str, int], ...]:
    """Every search reads the layout, which changes only at a reindex: parsed once (thousands
    of terms at 100,000 articles)."""
    return tuple((term, int(shards)) for term, shards in unpack(stored).items())


def bucket_of(term: str, buckets: int) -> str:
    return f"~{zlib.crc32(term.encode()) % buckets}"


def is_bucket(doc_id: str) -> bool:
    return doc_id.startswith("~")


def pack(values: Mapping[str, object], *, order: Sequence[str] | None = None) -> str:
    """Values by article id (hex) as one string, a line `<article> <value>` each, sorted;
    `order`: the ids to pack, sorted already (several packings of the same ids sort once)."""
    ids = sorted(values) if order is None else order
    return "\n".join([f"{article} {values[article]}" for article in ids])


def unpack(packed: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in packed.split("\n")) if packed else {}


def _with_changes[T](
    found: dict[str, T], body: Mapping[str, Any], value: Callable[[str], T]
) -> dict[str, T]:
    """`found` (read from packed strings) with the changes written since (`p`): each posting's
    `value`, or, for `""`, the article removed."""
    for article, posting in body.get("p", {}).items():
        if posting:
            found[article] = value(posting)
        else:
            found.pop(article, None)
    return found


def postings_in(document: Mapping[str, Any], term: str, found: dict[str, str]) -> None:
    """Add `term`'s postings in one of its documents to `found` (and a head's removals)."""
    if is_bucket(document["_id"]):
        found.update(document.get("t", {}).get(term, {}))
    else:
        add_own_postings(document, found)


def add_own_postings(body: Mapping[str, Any], found: dict[str, str]) -> None:
    """Add the postings a term's own document holds to `found`: its packed string, then the
    changes since (a head's may remove what its shards hold)."""
    found.update(unpack(body.get("s", "")))
    _with_changes(found, body, str)


def impacts_in(
    document: Mapping[str, Any], term: str, field_scales: bm25.Scales, found: dict[str, float]
) -> None:
    """Add `term`'s impact in each article of one of its documents to `found` (and apply a
    head's removals): read from the packed `w` where `reindex` stored it, computed from the
    posting for the few written since (and in buckets)."""
    if is_bucket(document["_id"]):
        held = document.get("t", {}).get(term, {})
        found.update(
            {article: bm25.impact(posting, field_scales) for article, posting in held.items()}
        )
        return
    packed = unpack(document.get("w", ""))
    found.update({article: float(value) for article, value in packed.items()})
    _with_changes(found, document, lambda posting: bm25.impact(posting, field_scales))


def holding(head: Mapping[str, Any]) -> int:
    """How many articles a split term is in, from its head: as many as its shards held when
    packed, plus the postings written since, less those removed. (An article whose posting
    changed counts twice until the next reindex: a sliver in a term of thousands.)"""
    changes = head.get("p", {}).values()
    added = sum(1 for posting in changes if posting)
    return max(1, int(head.get("n", 0)) + added - (len(changes) - added))


def entry_document(article_id: Any, version: int, postings: Mapping[str, str]) -> dict[str, Any]:
    """An article's `search_docs` entry."""
    text = json.dumps(postings, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"_id": article_id, "v": version, "p": text}


def entry_postings(document: Mapping[str, Any] | None) -> dict[str, str]:
    return json.loads(document["p"]) if document else {}


async def read_stats(*, overlay: str | None = None) -> Stats:
    """The statistics, as load `overlay` (revealed, not merged yet) has them if given."""
    # Not the writes it remembers (`Count`): a search reads the statistics every time.
    return Stats.of(
        await read_one(database(), STATS, STATS_ID, overlay=overlay, projection={"recent": 0})
    )


@dataclass(slots=True)
class TermHits:
    """A term's impact in each article that has it, and, when asked for, its postings; and
    how many articles its rarity is computed from (`holding`, for a split term)."""

    impacts: dict[str, float]
    postings: dict[str, str]
    articles: int = 0


async def hits(
    terms: Iterable[str], stats: Stats, *, positions: bool, overlay: str | None = None
) -> dict[str, TermHits]:
    """Each term's impacts, and its postings if `positions` (phrases need them): read by `_id`
    (as load `overlay` has them, if given). Without positions, the packed postings stay in the
    store."""
    wanted = list(dict.fromkeys(terms))
    held: dict[str, list[str]] = {}
    for term in wanted:
        for doc_id in stats.documents(term):
            held.setdefault(doc_id, []).append(term)
    field_scales = bm25.scales(stats.norms)
    found = {term: TermHits({}, {}) for term in wanted}
    projection = None if positions else {"s": 0}
    read_terms = {
        document["_id"]: document
        for document in await read(database(), TERMS, held, overlay=overlay, projection=projection)
    }
    for term in wanted:
        hit = found[term]
        for doc_id in stats.documents(term):
            document = read_terms.get(doc_id)
            if document is None:
                continue
            impacts_in(document, term, field_scales, hit.impacts)
            if positions:
                postings_in(document, term, hit.postings)
        head = read_terms.get(term) if stats.headed(term) else {}
        # A head written before heads were laid out (changes only) counts nothing yet.
        hit.articles = holding(head) if head and "n" in head else len(hit.impacts)
    return found


@dataclass(frozen=True, slots=True)
class Leaders:
    """A split term's highest impacts, best first, as far as they are certain: every article
    not listed has at most `floor` (unless `complete`: then none has the term); and how many
    articles have the term."""

    impacts: list[tuple[float, str]]
    complete: bool
    articles: int


async def leaders(term: str, stats: Stats, *, overlay: str | None = None) -> Leaders | None:
    """`term`'s leaders, from its head document alone; None for a term that has none."""
    if not stats.headed(term):
        return None
    head = await read_one(database(), TERMS, term, overlay=overlay)
    if head is None or "n" not in head:
        return None  # split before heads were laid out: until the next reindex
    return leaders_of(head, bm25.scales(stats.norms))


def leaders_of(head: Mapping[str, Any], field_scales: bm25.Scales) -> Leaders:
    """The leaders a head document gives: its top, with the changes since applied, as far as
    they are certain."""
    top = {article: float(value) for article, value in unpack(head.get("top", "")).items()}
    # Complete when the top is every posting the shards hold: then nothing lies below it.
    complete = len(top) >= int(head.get("n", 0))
    # The top's last, by impact then id (as `reindex` chose them): every posting not in the
    # top, and not changed since, comes after it.
    floor = min(((impact, article) for article, impact in top.items()), default=(0.0, ""))
    for article, posting in head.get("p", {}).items():
        top.pop(article, None)
        if posting:
            top[article] = bm25.impact(posting, field_scales)
    ranked = sorted(((impact, article) for article, impact in top.items()), reverse=True)
    if not complete:
        # A posting changed since may have fallen below the floor: there, nothing is certain.
        ranked = [leader for leader in ranked if leader >= floor]
    return Leaders(ranked, complete, holding(head))


@dataclass
class TermChanges:
    """What to set in each term document, by field path: a posting, or None to remove one."""

    paths: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def set(self, place: tuple[str, str], posting: str | None) -> None:
        doc_id, path = place
        if posting is None and not is_bucket(doc_id):
            # The posting may be in the packed string, which a write does not rewrite.
            posting = ""
        self.paths.setdefault(doc_id, {})[path] = posting


def _with_paths(document: Mapping[str, Any], paths: Mapping[str, str | None]) -> dict[str, Any]:
    """`document` after setting (or, for None, removing) these dotted paths."""
    result: dict[str, Any] = copy.deepcopy(dict(document))
    for path, value in paths.items():
        *parents, last = path.split(".")
        level = result
        for name in parents:
            level = level.setdefault(name, {})
        if value is None:
            level.pop(last, None)
        else:
            level[last] = value
    return result


async def plan_terms(changes: TermChanges, writes: Writes) -> None:
    """Plan the changes to term documents: each path set or removed by an update, so that other
    writers' postings in the same document stay; staging, with each document as it will be."""
    found: dict[str, dict[str, Any]] = {}
    if writes.whole:
        stored = await find_in(collection(TERMS), "_id", changes.paths)
        found = {document["_id"]: document for document in stored}
    for doc_id in sorted(changes.paths):
        paths = changes.paths[doc_id]
        whole = _with_paths(found.get(doc_id, {"_id": doc_id}), paths) if writes.whole else None
        for part in chunks(paths.items(), MAX_PATHS):
            added = {path: posting for path, posting in part if posting is not None}
            removed = {path: "" for path, posting in part if posting is None}
            update: dict[str, Any] = {}
            if added:
                update["$set"] = added
            if removed:
                update["$unset"] = removed
            # A missing document holds nothing to remove; one to add to is made (upserted).
            upsert = any(added.values())
            writes.merge(TERMS, doc_id, Merge(update, upsert=upsert), whole)


@dataclass(frozen=True, slots=True)
class Count:
    """How the statistics move with one write, counted once by `key` however often it is run."""

    key: str
    articles: int
    lengths: tuple[int, ...]

    def merge(self) -> Merge:
        increments = {"n": self.articles} | {
            f"lengths.{name}": value for name, value in zip(FIELDS, self.lengths, strict=True)
        }
        update = {"$inc": increments, "$push": {"recent": {"$each": [self.key], "$slice": -RECENT}}}
        # Upserted where the condition fails: a DuplicateKeyError, counted before.
        return Merge(update, where={"recent": {"$ne": self.key}}, upsert=True)


async def plan_counts(counts: Sequence[Count], writes: Writes, *, key: str | None = None) -> None:
    """Plan moving the statistics: by each count; staging, by their sum once, under `key`."""
    if not counts:
        return
    if not writes.whole:
        for count in counts:
            writes.merge(STATS, STATS_ID, count.merge())
        return
    assert key is not None, "staged counts are counted once, under the load's key"
    lengths = tuple(
        sum(column) for column in zip(*(count.lengths for count in counts), strict=True)
    )
    total = Count(key, sum(count.articles for count in counts), lengths)
    whole = copy.deepcopy(await collection(STATS).find_one({"_id": STATS_ID}) or {"_id": STATS_ID})
    whole["n"] = int(whole.get("n", 0)) + total.articles
    held = whole.setdefault("lengths", {})
    for name, value in zip(FIELDS, total.lengths, strict=True):
        held[name] = held.get(name, 0) + value
    writes.merge(STATS, STATS_ID, total.merge(), whole)
