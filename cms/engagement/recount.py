"""Recounting ratings from the vote ledger: find counters that drifted, and repair them.

Every counter should equal its baseline plus the sums of the article's ledger entries. A counters
document written before the ledger existed has no baseline: the votes it counts beyond the
ledger are adopted as its baseline once (per number of stars, never below zero), so those
votes are kept rather than zeroed.

Votes go on while a recount runs, so it never trusts a difference it has not pinned down:

- Votes in flight (journaled, not finished) are settled first, and an article with one is read
  again, so a vote between its two writes is not taken for drift.
- Counters are read before the ledger, and a repair is a compare-and-set through the journal
  (it expects the counters it read): a vote that lands in between refuses the repair, and the
  article is read and checked again. A vote that starts after the read changes the ledger after
  it, and its `$inc` applies on top of the repaired counters.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from beanie import PydanticObjectId

from cms.access import Actor
from cms.articles import Article
from cms.clock import utcnow
from cms.engagement.ratings import (
    COLLECTION,
    COUNTERS,
    SUMMARY_FIELDS,
    ArticleRating,
    Tally,
    counters_of,
)
from cms.engagement.votes import COUNTER_OPS, Vote
from cms.errors import ContentionError
from cms.spine import journal, loads
from cms.spine.events import Event, EventType
from cms.spine.journal import Change, ChangeKind, ChangeRefused, Operation, new_op_id
from cms.store.batches import find_in

MAX_ATTEMPTS = 8
_READ = SUMMARY_FIELDS | {"baseline": 1}


@dataclass(frozen=True, slots=True)
class Drift:
    """An article whose counters differ from what its baseline and ledger say."""

    article_id: PydanticObjectId
    expected: dict[str, int]
    found: dict[str, int]

    @property
    def fields(self) -> list[str]:
        return [name for name in COUNTERS if self.expected[name] != self.found[name]]


@dataclass(frozen=True, slots=True)
class Adoption:
    """Votes from before the ledger, kept as an article's baseline."""

    article_id: PydanticObjectId
    baseline: Tally


@dataclass
class Recount:
    dry_run: bool
    settled: int = 0
    checked: int = 0
    ledger_votes: int = 0
    adopted: list[Adoption] = field(default_factory=list)
    drifted: list[Drift] = field(default_factory=list)
    # Dry runs only: articles with votes in flight, which a dry run may not complete.
    in_flight: list[PydanticObjectId] = field(default_factory=list)
    slugs: dict[PydanticObjectId, str] = field(default_factory=dict)


async def recount(*, actor: Actor, dry_run: bool) -> Recount:
    """Check every article's counters against the ledger; repair them unless `dry_run`."""
    report = Recount(dry_run=dry_run)
    if not dry_run:
        pending = await journal.in_flight(COLLECTION)
        report.settled = await journal.settle([operation.id for operation in pending])
    collection = ArticleRating.get_pymongo_collection()
    counters = {doc["_id"]: doc for doc in await collection.find({}, _READ).to_list()}
    tallies = await _ledger_tallies()
    busy = await _busy_articles()
    report.ledger_votes = sum(sum(tally.counts) for tally in tallies.values())
    for article_id in sorted(counters.keys() | tallies.keys(), key=str):
        report.checked += 1
        if article_id in busy:
            if dry_run:
                report.in_flight.append(article_id)
                continue
            found, tally = await _read_one(article_id)
        else:
            found, tally = counters.get(article_id), tallies.get(article_id, Tally())
        await _reconcile(article_id, found, tally, report=report, actor=actor)
    reported = [
        *(adoption.article_id for adoption in report.adopted),
        *(drift.article_id for drift in report.drifted),
        *report.in_flight,
    ]
    articles = await find_in(
        Article.get_pymongo_collection(), "_id", reported, projection={"slug": 1}
    )
    report.slugs = {document["_id"]: document["slug"] for document in articles}
    return report


async def _reconcile(
    article_id: PydanticObjectId,
    found_document: dict[str, Any] | None,
    tally: Tally,
    *,
    report: Recount,
    actor: Actor,
) -> None:
    for _ in range(MAX_ATTEMPTS):
        stored_baseline = (found_document or {}).get("baseline")
        adopting = found_document is not None and stored_baseline is None
        found = counters_of(found_document)
        baseline = _adopted(found, tally) if adopting else Tally.from_fields(stored_baseline or {})
        expected = (baseline + tally).counters()
        if not adopting and expected == found:
            return
        if not report.dry_run:
            try:
                await journal.run(_repair(article_id, found_document, baseline, expected, actor))
            except ChangeRefused:
                found_document, tally = await _read_one(article_id)  # a vote came in between
                continue
        if adopting:
            report.adopted.append(Adoption(article_id, baseline))
        if expected != found:
            report.drifted.append(Drift(article_id, expected=expected, found=found))
        return
    raise ContentionError(f"The counters of article {article_id} kept changing during a recount.")


def _adopted(found: dict[str, int], tally: Tally) -> Tally:
    """What old counters hold beyond the ledger, per number of stars (never below zero)."""
    counted = Tally.from_fields(found)
    return Tally(
        tuple(max(old - new, 0) for old, new in zip(counted.counts, tally.counts, strict=True))
    )


def _repair(
    article_id: PydanticObjectId,
    found_document: dict[str, Any] | None,
    baseline: Tally,
    expected: dict[str, int],
    actor: Actor,
) -> Operation:
    """The write that sets the counters (and baseline) if they are still as read (refused if
    not)."""
    op_id, now = new_op_id(), utcnow()
    values = {**expected, "baseline": baseline.fields()}
    if found_document is None:
        change = Change(
            collection=COLLECTION, target=article_id, kind=ChangeKind.INSERT, document=values
        )
    else:
        found = counters_of(found_document)
        # A counter an old document never incremented is missing, not zero.
        expect = {name: found[name] or {"$in": [0, None]} for name in COUNTERS}
        change = Change(
            collection=COLLECTION,
            target=article_id,
            kind=ChangeKind.UPDATE,
            expect=expect,
            set=values,
            keep_ops=COUNTER_OPS,
        )
    changed = expected != counters_of(found_document)
    event = Event(
        event_id=f"{op_id}:0",
        type=EventType.RATING_CHANGED,
        at=now,
        actor=actor.name,
        subject=str(article_id),
        data={"recount": True},
    )
    return Operation(
        id=op_id, at=now, actor=actor.name, changes=[change], events=[event] if changed else []
    )


async def _read_one(article_id: PydanticObjectId) -> tuple[dict[str, Any] | None, Tally]:
    """An article's counters and ledger tally with no vote of it in flight: counters first."""
    for _ in range(MAX_ATTEMPTS):
        found = await ArticleRating.get_pymongo_collection().find_one({"_id": article_id}, _READ)
        tally = (await _ledger_tallies(article_id)).get(article_id, Tally())
        pending = await journal.in_flight(COLLECTION, article_id)
        if not pending:
            return found, tally
        await journal.settle([operation.id for operation in pending])
    raise ContentionError(f"Votes on article {article_id} kept arriving during a recount.")


async def _ledger_tallies(
    article_id: PydanticObjectId | None = None,
) -> dict[PydanticObjectId, Tally]:
    """Ledger entries counted per article and stars (one article's: by `_id` range)."""
    pipeline: list[dict[str, Any]] = []
    if article_id is not None:
        pipeline.append({"$match": {"_id": {"$gte": f"{article_id}:", "$lt": f"{article_id};"}}})
    pipeline.append(
        {"$group": {"_id": {"article": "$article", "stars": "$stars"}, "votes": {"$sum": 1}}}
    )
    cursor = await Vote.get_pymongo_collection().aggregate(pipeline)
    by_article: dict[PydanticObjectId, dict[int, int]] = {}
    async for group in cursor:
        by_article.setdefault(group["_id"]["article"], {})[group["_id"]["stars"]] = group["votes"]
    return {article: Tally.of(by_stars) for article, by_stars in by_article.items()}


async def _busy_articles() -> set[PydanticObjectId]:
    """Articles whose counters a journaled operation is about to change."""
    return {
        change.target
        for operation in await journal.in_flight(COLLECTION)
        for change in operation.changes
        if change.collection == COLLECTION
    }


async def set_baseline(article_id: PydanticObjectId, baseline: Tally, *, actor: Actor) -> bool:
    """Make `baseline` the votes an article had before the ledger (an import's totals); its
    counters become that plus the ledger's votes. Whether anything changed. Votes going on
    meanwhile are kept: the counters are set only if they are still as read."""
    for _ in range(MAX_ATTEMPTS):
        found, tally = await _read_one(article_id)
        operation = _with_baseline(article_id, found, tally, baseline, actor)
        if operation is None:
            return False
        try:
            await journal.run(operation)
        except ChangeRefused:
            continue
        return True
    raise ContentionError(f"The counters of article {article_id} kept changing during an import.")


async def set_baselines(baselines: Mapping[PydanticObjectId, Tally], *, actor: Actor) -> int:
    """`set_baseline` for many articles (an import's): read together, counters before the
    ledger as a recount reads them, and written as one load (staged in a few documents, applied
    in bulk, completed by whoever comes next if this process dies); an article that a vote
    reached meanwhile (its write refused, or one in flight) is done again alone. How many
    changed."""
    pending = await journal.in_flight(COLLECTION)
    await journal.settle([operation.id for operation in pending])
    found = await find_in(
        ArticleRating.get_pymongo_collection(), "_id", list(baselines), projection=_READ
    )
    counters = {document["_id"]: document for document in found}
    tallies = await _ledger_tallies()
    alone = await _busy_articles() & baselines.keys()
    planned = (
        _with_baseline(
            article_id, counters.get(article_id), tallies.get(article_id, Tally()), baseline, actor
        )
        for article_id, baseline in baselines.items()
        if article_id not in alone
    )
    operations = [operation for operation in planned if operation is not None]
    async with loads.exclusive():
        written = await loads.run_load(operations, actor=actor.name)
    applied = {operation.changes[0].target for operation in written}
    alone |= {operation.changes[0].target for operation in operations} - applied
    again = [
        article_id
        for article_id in alone
        if await set_baseline(article_id, baselines[article_id], actor=actor)
    ]
    return len(applied) + len(again)


def _with_baseline(
    article_id: PydanticObjectId,
    found: dict[str, Any] | None,
    tally: Tally,
    baseline: Tally,
    actor: Actor,
) -> Operation | None:
    """The write that makes `baseline` an article's votes from before the ledger, its counters
    that plus the ledger's `tally`, expecting them as `found`; None if they are already so."""
    expected = (baseline + tally).counters()
    if (found or {}).get("baseline") == baseline.fields() and counters_of(found) == expected:
        return None
    return _repair(article_id, found, baseline, expected, actor)
