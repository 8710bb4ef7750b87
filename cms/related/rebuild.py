"""Every related list recomputed from the articles, and how the stored ones differed.

`rebuild` reads every article, analyses it afresh (not trusting the search index), ranks every
list with the statistics in force, and writes each profile and list that differs from what is
stored: on an undamaged store it writes nothing and reports no difference. With
`refresh_statistics`, rarity is measured on the archive as it is now, which moves most scores:
that is when the statistics change (`cms.discovery` says when it happens by itself).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bson import ObjectId

from cms.related.model import Model
from cms.related.score import Statistics, profile_for
from cms.related.state import State, current, replace
from cms.related.store import (
    LISTS,
    PROFILES,
    collection,
    list_document,
    profile_document,
    read_epoch,
    read_statistics,
    shown,
    write_statistics,
)
from cms.related.updates import apply
from cms.search.analysis import Posting
from cms.spine import events
from cms.spine.events import EventReader
from cms.store.batches import delete_in, put_many


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
            headline, excerpt, _, body = Posting.parse(posting).frequencies
            if headline or excerpt or body:
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
    state = await current()
    async with state.lock:
        position = await events.head()
        stored = await read_statistics()
        refresh = refresh_statistics or (stored.articles == 0 and bool(articles))
        statistics = measure(articles, postings) if refresh else stored
        fresh = State(Model(statistics), EventReader(position), state.epoch)
        for article in articles:
            fresh.model.put(profile_for(article, postings.get(article["_id"], {}), statistics))
            fresh.show(article["_id"], shown(article))
        for profile in list(fresh.model.profiles.values()):
            if profile.listed:
                fresh.model.set_listing(profile.id, fresh.model.listing(profile))
        report = await _write_differences(fresh)
        report.articles, report.statistics_refreshed = len(articles), refresh
        if refresh:
            await write_statistics(statistics)
            fresh.epoch = await read_epoch()
        replace(fresh)
    # What changed while this ran is taken in as any write is.
    async with fresh.lock:
        changed = await fresh.changes(hold_loads=False)
        if changed:
            await apply(fresh, sorted(changed))
    if report.differed or report.removed:
        await events.append([events.lists_rebuilt("related")])
    return report


async def _write_differences(fresh: State) -> RebuildReport:
    model, report = fresh.model, RebuildReport()
    profiles = {doc["_id"]: doc async for doc in collection(PROFILES).find({})}
    lists = {doc["_id"]: doc async for doc in collection(LISTS).find({})}
    profile_writes, list_writes = [], []
    for article_id, profile in model.profiles.items():
        listing = model.listings.get(article_id)
        expected = profile_document(profile, fresh.shows[article_id], listing)
        if profiles.get(article_id) != expected:
            profile_writes.append(expected)
        if listing is None:
            continue
        report.lists += 1
        wanted = list_document(article_id, (fresh.shows[member] for member in listing.members))
        if lists.get(article_id) != wanted:
            report.differed.append(profile.slug)
            list_writes.append(wanted)
    await put_many(
        collection(PROFILES), profile_writes, new=model.profiles.keys() - profiles.keys()
    )
    await put_many(collection(LISTS), list_writes, new=model.listings.keys() - lists.keys())
    extra_profiles = profiles.keys() - model.profiles.keys()
    extra_lists = lists.keys() - model.listings.keys()
    await delete_in(collection(PROFILES), "_id", list(extra_profiles))
    report.removed = await delete_in(collection(LISTS), "_id", list(extra_lists))
    report.differed.sort()
    return report
