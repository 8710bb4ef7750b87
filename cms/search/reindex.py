"""The whole index rebuilt from the articles, and what was wrong with the stored one.

Every article is analysed afresh; the postings, each article's entry and the statistics are
compared with what is stored, and only what differs is written. The layout is chosen here (and
only here: writes between reindexes keep it, so a term grows until the next one): a term in more
than `OWN_DOCUMENT` articles gets a document of its own, split into shards of about `SHARD_SIZE`
postings, and the others share buckets of about `TERMS_PER_BUCKET` terms; a split term also
gets its head (its count and `TOP` highest impacts, `cms.search.index`). It also packs the
postings written since the last run (a split term's, from its head) into each own document's
string, which is upkeep, not a repair: only documents whose bucket or term held other postings
count as fixed. Planned here, written by `cms.discovery` (`rebuild`, `reindex_search`, a load's
staging), which holds every write meanwhile and takes those in afterwards.
"""

import asyncio
import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bson import ObjectId

from cms.search import bm25
from cms.search.analysis import FIELDS, lengths_of
from cms.search.index import (
    DOCS,
    STATS,
    STATS_ID,
    TERMS,
    TOP,
    Stats,
    add_own_postings,
    bucket_of,
    collection,
    entry_document,
    is_bucket,
    pack,
    read_stats,
)
from cms.search.updates import ARTICLE_EVENTS
from cms.spine import events
from cms.spine.events import EventReader
from cms.store.overlay import Writes

# Packed, 2,000 postings are a string of ~120 KB: one read of it costs the embedded store about
# what reading 300 postings as fields did.
SHARD_SIZE = 2000
OWN_DOCUMENT = 32
TERMS_PER_BUCKET = 32
MIN_BUCKETS = 16
# How long a reader of the log waits before asking again for a number still being stored.
STALLED = 0.05


@dataclass
class ReindexReport:
    articles: int = 0
    # Articles whose entry was missing, stale or left behind by a deleted article.
    articles_fixed: int = 0
    # Term documents written again, added or removed.
    terms_fixed: int = 0
    statistics_fixed: bool = False

    @property
    def fixed(self) -> bool:
        return bool(self.articles_fixed or self.terms_fixed or self.statistics_fixed)


def layout_for(by_term: Mapping[str, Mapping[str, str]]) -> Stats:
    """Where each term's postings go, from how many articles have it."""
    layout = {
        term: math.ceil(len(found) / SHARD_SIZE)
        for term, found in by_term.items()
        if len(found) > OWN_DOCUMENT
    }
    buckets = max(MIN_BUCKETS, math.ceil((len(by_term) - len(layout)) / TERMS_PER_BUCKET))
    return Stats(layout=layout, buckets=buckets)


async def plan_reindex(
    articles: Sequence[Mapping[str, Any]],
    postings: Mapping[ObjectId, Mapping[str, str]],
    writes: Writes,
) -> ReindexReport:
    """Plan into `writes` what makes the stored index what `articles` (every article, with its
    postings) give; what differed."""
    report = ReindexReport(articles=len(articles))
    # Seconds of work for a large archive (over a minute at 100,000, during a load): in a thread,
    # so that the event loop keeps sending the store what else this process has for it (a
    # load's chunks, which waited about a second at 10,000 while this ran in the loop) and an
    # API process keeps answering.
    planned = await asyncio.to_thread(_planned, articles, postings)
    live = await read_stats()
    refreshed = live.norms != planned.norms
    report.terms_fixed = await _write_terms(
        planned.expected, planned.wanted, writes, live=live, norms_refreshed=refreshed
    )
    report.articles_fixed = await _write_entries(planned.entries, writes)
    report.statistics_fixed = await _write_statistics(
        len(articles), planned.totals, planned.placed, planned.norms, writes
    )
    return report


@dataclass(frozen=True, slots=True)
class _Planned:
    """The index `articles` give, laid out (`_laid_out`), and each article's entry."""

    totals: list[int]
    placed: Stats
    norms: tuple[float, ...]
    expected: dict[str, dict[str, Any]]
    wanted: dict[str, Any]
    entries: dict[ObjectId, dict[str, Any]]


def _planned(
    articles: Sequence[Mapping[str, Any]], postings: Mapping[ObjectId, Mapping[str, str]]
) -> _Planned:
    by_term: dict[str, dict[str, str]] = {}
    totals = [0] * len(FIELDS)
    for article in articles:
        article_hex = str(article["_id"])
        found = postings[article["_id"]]
        for term, posting in found.items():
            by_term.setdefault(term, {})[article_hex] = posting
        for index, length in enumerate(lengths_of(found.values())):
            totals[index] += length
    placed = layout_for(by_term)
    norms = tuple(total / len(articles) if articles else 0.0 for total in totals)
    expected, wanted = _laid_out(by_term, placed, norms)
    entries = {
        article["_id"]: entry_document(article["_id"], article["version"], postings[article["_id"]])
        for article in articles
    }
    return _Planned(totals, placed, norms, expected, wanted, entries)


async def changes_since(
    position: int, *, besides: str | None = None, until: int | None = None
) -> tuple[set[ObjectId], set[str]]:
    """The articles the log says changed after `position` and up to `until` (the last number
    taken when this is called, if None), and the tags it says were renamed (by others than load
    `besides`). A number taken but not stored yet is waited for (until its writer stores it or
    the reader marks it a gap), not read past: the events after it count as much as those
    before."""
    end = await events.head() if until is None else until
    reader, changed, renamed = EventReader(position), set(), set()
    while reader.position < end:
        before = reader.position
        found = await reader.read(besides=besides)
        for event in found:
            if event.seq > end or (besides is not None and event.load == besides):
                continue
            if event.type in ARTICLE_EVENTS:
                changed.add(ObjectId(event.subject))
            elif event.renamed_tag is not None:
                renamed.add(event.renamed_tag)
        if reader.position == before:
            await asyncio.sleep(STALLED)
    return changed, renamed


def _laid_out(
    by_term: Mapping[str, dict[str, str]], placed: Stats, norms: Sequence[float]
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The term documents `placed` lays out for these postings (buckets and own documents as
    first met, then split terms' heads), and what they hold (`_held`): known here without
    unpacking them again. A split term's impacts are computed once, for its shards and its head
    (a few hundred thousand at 10,000 articles)."""
    field_scales, impact = bm25.scales(norms), bm25.impact
    expected: dict[str, dict[str, Any]] = {}
    wanted: dict[str, Any] = {}
    heads: dict[str, dict[str, Any]] = {}
    checksums: dict[str, int] = {}
    for term, term_postings in by_term.items():
        if term not in placed.layout:
            bucket = bucket_of(term, placed.buckets)
            expected.setdefault(bucket, {"t": {}})["t"][term] = term_postings
            wanted.setdefault(bucket, {})[term] = term_postings
            continue
        wanted[term] = term_postings
        impacts = {
            article: impact(posting, field_scales) for article, posting in term_postings.items()
        }
        for doc_id, found in placed.sharded(term, term_postings, checksums).items():
            # The articles sorted once for both (millions of postings); a float's text is its
            # `repr`.
            order = sorted(found)
            expected[doc_id] = {"s": pack(found, order=order), "w": pack(impacts, order=order)}
        if placed.headed(term):
            heads[term] = head_document(impacts)
    return expected | heads, wanted


def head_document(impacts: Mapping[str, float], *, size: int | None = None) -> dict[str, Any]:
    """A split term's head as `reindex` writes it, from the term's impact in each article: how
    many postings its shards hold and the highest `size` (`TOP`) impacts among them (ties to the
    greater id, as a search orders them)."""
    ranked = heapq.nlargest(
        TOP if size is None else size, ((impact, article) for article, impact in impacts.items())
    )
    return {"n": len(impacts), "top": pack({article: repr(impact) for impact, article in ranked})}


def _term_of(doc_id: str) -> str:
    return doc_id.partition("#")[0]


def _held(documents: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """What term documents hold, however they are laid out: each bucket's terms that still
    have postings, and each term of its own's postings (its shards', then its head's changes)."""
    held: dict[str, Any] = {}
    # A split term's head last: its changes apply over its shards.
    for doc_id in sorted(documents, key=lambda doc_id: (_key(doc_id), doc_id == _key(doc_id))):
        body = documents[doc_id]
        if is_bucket(doc_id):
            held[doc_id] = {term: found for term, found in body.get("t", {}).items() if found}
        else:
            add_own_postings(body, held.setdefault(_term_of(doc_id), {}))
    return held


def _damaged(
    doc_id: str,
    stored: Mapping[str, Any],
    body: Mapping[str, Any],
    *,
    differs: set[str],
    refreshed: bool,
) -> bool:
    """Whether a stored term document's bucket or term (`differs`) held other postings than the
    articles give, or, while the averages and its postings stay as they were, its packed
    impacts differ."""
    if _key(doc_id) in differs:
        return True
    unchanged = not refreshed and "s" in body and stored.get("s") == body["s"]
    return unchanged and not stored.get("p") and stored.get("w") != body["w"]


async def _write_terms(
    expected: Mapping[str, dict[str, Any]],
    wanted: Mapping[str, Any],
    writes: Writes,
    *,
    live: Stats,
    norms_refreshed: bool,
) -> int:
    """Plan the term documents that differ from `expected` (which hold `wanted`, as `_held`
    gives it); how many of them were a repair. A new one the `live` layout never reaches (a
    bucket beyond its count, a document of a term it keeps in a bucket or whole) is nobody's to
    read until the new layout is: a load writes it in place rather than staging it
    (`cms.store.overlay`)."""
    terms = collection(TERMS)
    stored = {doc.pop("_id"): doc async for doc in terms.find({})}
    # Unpacking every stored term grows with the archive: in a thread, as the layout.
    differences = await asyncio.to_thread(
        _term_differences, expected, wanted, stored, norms_refreshed=norms_refreshed
    )
    # Inserted where missing: another process reindexing at once costs a replace, not a failure.
    for document in differences.new:
        writes.put(TERMS, document, new=True, unseen=not live.reaches(document["_id"]))
    for document in differences.changed:
        writes.put(TERMS, document)
    writes.delete(TERMS, differences.extra)
    return differences.fixed


@dataclass(frozen=True, slots=True)
class _TermDifferences:
    new: list[dict[str, Any]]
    changed: list[dict[str, Any]]
    extra: list[str]
    # How many of them were a repair.
    fixed: int


def _term_differences(
    expected: Mapping[str, dict[str, Any]],
    wanted: Mapping[str, Any],
    stored: Mapping[str, dict[str, Any]],
    *,
    norms_refreshed: bool,
) -> _TermDifferences:
    new = [{"_id": doc_id, **body} for doc_id, body in expected.items() if doc_id not in stored]
    changed = [
        {"_id": doc_id, **body}
        for doc_id, body in expected.items()
        if doc_id in stored and stored[doc_id] != body
    ]
    # Packing the changes since the last run (a split term's into its shards, from its head),
    # new impacts for new averages, or tidying away an emptied term or document, is no repair.
    was = _held(stored)
    differs = {key for key in was.keys() | wanted.keys() if was.get(key, {}) != wanted.get(key, {})}
    fixed = sum(1 for document in new if _key(document["_id"]) in differs) + sum(
        1
        for document in changed
        if _damaged(
            document["_id"],
            stored[document["_id"]],
            document,
            differs=differs,
            refreshed=norms_refreshed,
        )
    )
    extra = [doc_id for doc_id in stored if doc_id not in expected]
    fixed += sum(1 for doc_id in extra if _key(doc_id) in differs)
    return _TermDifferences(new, changed, extra, fixed)


def _key(doc_id: str) -> str:
    return doc_id if is_bucket(doc_id) else _term_of(doc_id)


async def _write_entries(expected: Mapping[ObjectId, dict[str, Any]], writes: Writes) -> int:
    docs = collection(DOCS)
    stored = {doc["_id"]: doc async for doc in docs.find({})}
    new = [entry for article_id, entry in expected.items() if article_id not in stored]
    changed = [
        entry
        for article_id, entry in expected.items()
        if article_id in stored and stored[article_id] != entry
    ]
    for entry in new:
        writes.put(DOCS, entry, new=True)
    for entry in changed:
        writes.put(DOCS, entry)
    fixed = len(new) + len(changed)
    extra = [article_id for article_id in stored if article_id not in expected]
    writes.delete(DOCS, extra)
    return fixed + len(extra)


async def _write_statistics(
    articles: int, totals: Sequence[int], placed: Stats, norms: Sequence[float], writes: Writes
) -> bool:
    """Write the statistics; whether they were wrong (new averages, or the layout written in an
    older form, are not)."""
    stats = collection(STATS)
    lengths = dict(zip(FIELDS, totals, strict=True))
    layout = pack({term: str(shards) for term, shards in placed.layout.items()})
    wanted = {"n": articles, "lengths": lengths, "layout": layout, "buckets": placed.buckets}
    averages = dict(zip(FIELDS, norms, strict=True))
    stored = await stats.find_one({"_id": STATS_ID}) or {}
    if stored.get("norms") == averages and all(stored.get(key) == v for key, v in wanted.items()):
        return False
    writes.put(STATS, {"_id": STATS_ID, **wanted, "norms": averages, "recent": []})
    if not stored:
        return True
    held = Stats.of(stored)
    was = (held.articles, held.lengths, held.layout, held.buckets)
    return was != (articles, tuple(map(float, totals)), placed.layout, placed.buckets)
