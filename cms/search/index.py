"""The search index in the store: postings by term, each article's postings, corpus statistics.

- `search_terms`: the postings. A term in few articles shares a bucket document with other such
  terms (`_id` `~<n>`, the term's hash picks the bucket), under `t.<term>`: article id (hex) to
  that article's posting. A term in many articles has a document of its own (`_id` the term),
  split into shards `term#0`, `term#1`, ... (the article's id picks one) once it outgrows one.
  Its postings are packed into one string `s` (a line `<article hex> <posting>` each, as
  `reindex` wrote them) with changes since under `p`: article id (hex) to its posting, or `""`
  for one removed. A search reads every posting of its terms, and the embedded store returns one
  long string several times faster than as many fields; writes still set one path each, and the
  next `reindex` packs them in. `reindex` decides which term goes where, from how many articles
  have it, so that no document grows without bound, and a fresh archive is a few hundred
  documents rather than one per word (writing a document costs the embedded store milliseconds).
- `search_docs`: per article (`_id` its id), the version indexed and every posting it has (one
  JSON text, for the same reason): what to remove or rewrite when it changes.
- `search_stats` (`_id` "stats"): how many articles are indexed, their total field lengths (for
  BM25's averages), the terms with documents of their own (and into how many shards each is
  split) and how many buckets the others share.

Everything is read by `_id`, one document at a time (the embedded store's `$in` reads every
document).
"""

import asyncio
import contextlib
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from cms.articles import Article
from cms.search.analysis import FIELDS
from cms.store.batches import chunks, find_in

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

    @classmethod
    def of(cls, document: Mapping[str, Any] | None) -> "Stats":
        if not document:
            return cls()
        return cls(
            articles=int(document.get("n", 0)),
            lengths=tuple(float(document.get("lengths", {}).get(name, 0)) for name in FIELDS),
            layout=dict(document.get("layout", {})),
            buckets=int(document.get("buckets", DEFAULT_BUCKETS)),
        )

    def average(self, index: int) -> float:
        return self.lengths[index] / self.articles if self.articles else 0.0

    def place(self, term: str, article: str) -> tuple[str, str]:
        """Where `article`'s posting for `term` is: the document's `_id` and the field's path."""
        shards = self.layout.get(term)
        if shards is None:
            return bucket_of(term, self.buckets), f"t.{term}.{article}"
        if shards == 1:
            return term, f"p.{article}"
        return f"{term}#{zlib.crc32(article.encode()) % shards}", f"p.{article}"

    def documents(self, term: str) -> list[str]:
        """The `_id`s of the documents holding `term`'s postings."""
        shards = self.layout.get(term)
        if shards is None:
            return [bucket_of(term, self.buckets)]
        return [term] if shards == 1 else [f"{term}#{index}" for index in range(shards)]


def bucket_of(term: str, buckets: int) -> str:
    return f"~{zlib.crc32(term.encode()) % buckets}"


def is_bucket(doc_id: str) -> bool:
    return doc_id.startswith("~")


def pack(postings: Mapping[str, str]) -> str:
    """A term document's postings as its one string `s`, in a canonical order."""
    return "\n".join(f"{article} {postings[article]}" for article in sorted(postings))


def own_postings(body: Mapping[str, Any]) -> dict[str, str]:
    """The postings a term's own document holds: its packed string, then the changes since."""
    packed = body.get("s", "")
    found = dict(line.split(" ", 1) for line in packed.split("\n")) if packed else {}
    for article, posting in body.get("p", {}).items():
        if posting:
            found[article] = posting
        else:
            found.pop(article, None)
    return found


def postings_in(document: Mapping[str, Any], term: str) -> dict[str, str]:
    """`term`'s postings in one of its documents."""
    if is_bucket(document["_id"]):
        found: dict[str, str] = document.get("t", {}).get(term, {})
        return found
    return own_postings(document)


def entry_document(article_id: Any, version: int, postings: Mapping[str, str]) -> dict[str, Any]:
    """An article's `search_docs` entry."""
    text = json.dumps(postings, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {"_id": article_id, "v": version, "p": text}


def entry_postings(document: Mapping[str, Any] | None) -> dict[str, str]:
    return json.loads(document["p"]) if document else {}


async def read_stats() -> Stats:
    return Stats.of(await collection(STATS).find_one({"_id": STATS_ID}))


async def postings(terms: Iterable[str], stats: Stats) -> dict[str, dict[str, str]]:
    """Every posting of each term: article id (hex) to posting."""
    wanted = list(dict.fromkeys(terms))
    held: dict[str, list[str]] = {}
    for term in wanted:
        for doc_id in stats.documents(term):
            held.setdefault(doc_id, []).append(term)
    found: dict[str, dict[str, str]] = {term: {} for term in wanted}
    for document in await find_in(collection(TERMS), "_id", held):
        for term in held[document["_id"]]:
            found[term].update(postings_in(document, term))
    return found


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


def nested(paths: Mapping[str, str]) -> dict[str, Any]:
    """A document holding these dotted paths' values."""
    document: dict[str, Any] = {}
    for path, value in paths.items():
        *parents, last = path.split(".")
        level = document
        for name in parents:
            level = level.setdefault(name, {})
        level[last] = value
    return document


# Term documents written at once.
CONCURRENT = 16


async def write_terms(changes: TermChanges) -> None:
    """Apply the changes, at most `CONCURRENT` documents at a time; each change is idempotent."""
    for part in chunks(sorted(changes.paths), CONCURRENT):
        await asyncio.gather(*(_write_term(doc_id, changes.paths[doc_id]) for doc_id in part))


async def _write_term(doc_id: str, paths: Mapping[str, str | None]) -> None:
    terms = collection(TERMS)
    for part in chunks(paths.items(), MAX_PATHS):
        added = {path: posting for path, posting in part if posting is not None}
        removed = {path: "" for path, posting in part if posting is None}
        update: dict[str, Any] = {}
        if added:
            update["$set"] = added
        if removed:
            update["$unset"] = removed
        # Update first: mongoeco's upsert of a new document scans the collection, its insert
        # does not. A missing document holds nothing to remove.
        if (await terms.update_one({"_id": doc_id}, update)).matched_count or not any(
            added.values()
        ):
            continue
        try:
            await terms.insert_one({"_id": doc_id, **nested(added)})
        except DuplicateKeyError:  # another writer created it meanwhile
            await terms.update_one({"_id": doc_id}, update)


async def count_once(key: str, articles: int, lengths: Iterable[int]) -> None:
    """Add to the statistics, once for `key` however often this is repeated."""
    stats = collection(STATS)
    increments = {"n": articles} | {
        f"lengths.{name}": value for name, value in zip(FIELDS, lengths, strict=True)
    }
    update = {
        "$inc": increments,
        "$push": {"recent": {"$each": [key], "$slice": -RECENT}},
    }
    # A DuplicateKeyError: counted before (the document exists and remembers `key`).
    with contextlib.suppress(DuplicateKeyError):
        await stats.update_one({"_id": STATS_ID, "recent": {"$ne": key}}, update, upsert=True)
