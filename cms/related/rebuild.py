"""Every related list recomputed from the articles, and how the stored ones differed.

`rebuild` reads every article, analyses it afresh (not trusting the search index), ranks every
list with the statistics in force, and writes each profile and list that differs from what is
stored: on an undamaged store it writes nothing and reports no difference. With
`refresh_statistics`, rarity is measured on the archive as it is now, which moves most scores:
that is when the statistics change (`cms.discovery` says when it happens by itself).
"""

import asyncio
from collections.abc import Callable, Collection, Coroutine, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId

from cms.related import forked
from cms.related.model import Model
from cms.related.score import Statistics, profile_for
from cms.related.state import State, current, replace
from cms.related.store import (
    PROFILES,
    collection,
    listing_of,
    profile_document,
    read_statistics,
    statistics_document,
)
from cms.related.updates import apply
from cms.search.analysis import in_text
from cms.spine import events
from cms.spine.events import EventReader
from cms.store.overlay import Writes, write


@dataclass
class RebuildReport:
    articles: int = 0
    lists: int = 0
    # Slugs whose stored list differed (or was missing), and lists stored for no listed article.
    differed: list[str] = field(default_factory=list)
    removed: int = 0
    statistics_refreshed: bool = False


def measure(
    articles: Sequence[Mapping[str, Any]], postings: Mapping[ObjectId, Mapping[str, str]]
) -> Statistics:
    """Rarity as the archive has it now: in how many articles each term and tag occurs."""
    terms: dict[str, int] = {}
    for article_postings in postings.values():
        for term, posting in article_postings.items():
            if in_text(posting):
                terms[term] = terms.get(term, 0) + 1
    tags: dict[str, int] = {}
    for article in articles:
        for tag in set(article.get("tags", ())):
            tags[tag] = tags.get(tag, 0) + 1
    return Statistics(len(articles), terms, tags)


async def rebuild(
    articles: Sequence[Mapping[str, Any]],
    postings: Mapping[ObjectId, Mapping[str, str]],
    *,
    refresh_statistics: bool = False,
) -> RebuildReport:
    """Recompute every profile and list from `articles` (every article, with its postings)."""
    writes = Writes()
    report, fresh = await plan_rebuild(
        articles, postings, writes, refresh_statistics=refresh_statistics
    )
    await write(collection(PROFILES).database, writes)
    # What changed while this ran is taken in as any write is.
    async with fresh.lock:
        changed = await fresh.changes(hold_loads=False)
        if changed:
            await apply(fresh, sorted(changed))
    if report.differed or report.removed:
        await events.append([events.lists_rebuilt("related")])
    return report


# A load's articles that nobody reads yet, and where to write their profiles (`plan_rebuild`).
type Early = tuple[Collection[ObjectId], Callable[[Writes], Coroutine[Any, Any, None]]]
# Lists ranked at a time in a rebuild that writes some early (`plan_rebuild`): each part's
# profiles are written while the next part is ranked.
RANKED_AT_ONCE = 1000


async def plan_rebuild(
    articles: Sequence[Mapping[str, Any]],
    postings: Mapping[ObjectId, Mapping[str, str]],
    writes: Writes,
    *,
    refresh_statistics: bool = False,
    early: Early | None = None,
) -> tuple[RebuildReport, State]:
    """Recompute every profile and list from `articles` (every article, with its postings),
    plan into `writes` those that differ from the stored ones, and make the result this
    process's state; what differed, and that state.

    `early`: articles no reader asks for yet (a load's own), and where to write theirs: those
    with no stored profile go there as their lists are ranked, a part at a time, so that the
    store writes them while the rest is ranked (a load of 10,000 waited 2.3 s after ranking for
    them), and not into `writes`.
    """
    state = await current()
    async with state.lock:
        position = await events.head()
        stored = await read_statistics()
        refresh = refresh_statistics or (stored.articles == 0 and bool(articles))
        profiles = {doc["_id"]: doc async for doc in collection(PROFILES).find({})}
        # Seconds of work for a large archive, on a state nobody else sees yet: in a thread, so
        # that this process's event loop keeps answering meanwhile.
        fresh = await asyncio.to_thread(
            _profiled, articles, postings, stored if not refresh else None, position, state.epoch
        )
        written = await _rank_all(fresh, profiles, early)
        statistics = fresh.model.statistics
        report = _write_differences(fresh, profiles, writes, written)
        report.articles, report.statistics_refreshed = len(articles), refresh
        if refresh:
            fresh.epoch = statistics_document(statistics, writes)
        replace(fresh)
    return report, fresh


def _profiled(
    articles: Sequence[Mapping[str, Any]],
    postings: Mapping[ObjectId, Mapping[str, str]],
    statistics: Statistics | None,
    position: int,
    epoch: str | None,
) -> State:
    """Every profile made from `articles`, with these statistics (None: measured now); no lists
    yet."""
    statistics = statistics or measure(articles, postings)
    fresh = State(Model(statistics), EventReader(position), epoch)
    for article in articles:
        fresh.model.put(profile_for(article, postings.get(article["_id"], {}), statistics))
        fresh.versions[article["_id"]] = int(article.get("version", 0))
    return fresh


async def _rank_all(
    fresh: State,
    stored: Mapping[ObjectId, Any],
    early: Early | None,
) -> set[ObjectId]:
    """Rank every listed profile of `fresh`; those written `early`."""
    listed = [profile for profile in fresh.model.profiles.values() if profile.listed]
    if early is None:
        await forked.rank_all(fresh.model, listed, lambda _: None, part=RANKED_AT_ONCE)
        return set()
    unseen, write_early = early
    written = {
        article_id
        for article_id in fresh.model.profiles
        if article_id in unseen and article_id not in stored
    }
    writing: list[asyncio.Task[None]] = []

    def hand_over(ids: Iterable[ObjectId]) -> None:
        ready = Writes()
        for article_id in ids:
            if article_id in written:
                ready.put(PROFILES, _document(fresh, article_id), new=True)
        if ready.order:
            writing.append(asyncio.create_task(write_early(ready)))

    try:
        await forked.rank_all(
            fresh.model,
            listed,
            lambda part: hand_over(profile.id for profile in part),
            part=RANKED_AT_ONCE,
        )
        # The unlisted ones (drafts) have no list to wait for.
        hand_over(profile.id for profile in fresh.model.profiles.values() if not profile.listed)
        await asyncio.gather(*writing)
    except BaseException:
        for task in writing:
            task.cancel()
        if writing:
            await asyncio.wait(writing)
        raise
    return written


def _document(fresh: State, article_id: ObjectId) -> dict[str, Any]:
    model = fresh.model
    return profile_document(
        model.profiles[article_id], fresh.versions[article_id], model.listings.get(article_id)
    )


def _write_differences(
    fresh: State, profiles: Mapping[ObjectId, Any], writes: Writes, written: Collection[ObjectId]
) -> RebuildReport:
    model, report = fresh.model, RebuildReport()
    for article_id, profile in model.profiles.items():
        listing = model.listings.get(article_id)
        stored = profiles.get(article_id)
        if article_id not in written:
            expected = profile_document(profile, fresh.versions[article_id], listing)
            if stored != expected:
                writes.put(PROFILES, expected, new=stored is None)
        if listing is None:
            continue
        report.lists += 1
        if stored is None or listing_of(stored) != listing:
            report.differed.append(profile.slug)
    extra = profiles.keys() - model.profiles.keys()
    writes.delete(PROFILES, extra)
    report.removed = sum(1 for article_id in extra if listing_of(profiles[article_id]))
    report.differed.sort()
    return report
