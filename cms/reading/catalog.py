"""The catalog: what every article is (slug, status, dates, section, tags, author, creator),
held in memory.

Lists, counts and lookups by slug are answered from here, so they cost the same at 46 articles
and at 10,000 on either store; only the articles on a page are then fetched, by `_id`. A count
is found by bisection (each list is kept twice: every article, and those that are or will be
public), not by walking the list. Each API
process builds it at start (from a snapshot and the event log since, `cms.reading.snapshots`, or
one read of the indexed fields of every article) and keeps it current from the event log
(`cms.spine.feed`); article events carry the fields it needs, and a change older
than what it holds (by `version`) is ignored. About 820 bytes per article in CPython: 8.2 MB per
10,000 articles (`python -m bench.catalog` measures it; `bench.scale` counts 944 an article at
100,000 of its newspaper).

The editors' list (`cms.reading.editorial`) reads it too: every article by its last change, and
by status, author and creator in that order, with counts per status (per creator too) taken from
the lists' lengths. A key tuple is made once per article and order and shared by every list in
that order, so each further list costs a pointer per article; sections, tags, authors and
creators are interned, so each is held once however many articles name them.

A process that starts while a load is applied but not revealed reads its articles in the store,
where they already are: it holds them back as its feed does a load's events (the versions from
before the load, from their revisions; none for those the load creates), and reads them again
when the load is revealed, in the same step as the rest of it.

The store stays the truth: `rebuild` reads it again, and `differences` compares the two.
"""

import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from sortedcontainers import SortedList

from cms.articles import Article, credit_of, hero_of
from cms.cache_tags import Placement, month_of
from cms.clock import as_utc, utcnow
from cms.reading import memo
from cms.reading.memo import Lru
from cms.revisions import Revision, revision_id
from cms.spine import loads
from cms.spine.events import EventReader, EventType, StoredEvent
from cms.status import PUBLIC_STATUSES, ArticleStatus
from cms.store.batches import SCAN_BATCH, find_in
from cms.visibility import Audience, is_readable

# The fields the catalog keeps, as read from the store.
PROJECTION = {
    "slug": 1,
    "version": 1,
    "status": 1,
    "published_at": 1,
    "unpublish_at": 1,
    "section": 1,
    "tags": 1,
    "headline": 1,
    "authors": 1,
    "credit": 1,
    "author": 1,
    "updated_at": 1,
    "created_by_id": 1,
    "image": 1,
}
_FIRST_ID = ObjectId("0" * 24)
_LAST_ID = ObjectId("f" * 24)
TAG_EVENTS = {EventType.TAG_CREATED, EventType.TAG_UPDATED, EventType.TAG_DELETED}
ARTICLE_EVENTS = {
    EventType.ARTICLE_PUBLISHED,
    EventType.ARTICLE_UNPUBLISHED,
    EventType.ARTICLE_UPDATED,
    EventType.ARTICLE_SCHEDULED,
    EventType.ARTICLE_SAVED,
}


def interned(names: Iterable[str]) -> tuple[str, ...]:
    """Names many entries share (sections, tags, authors): held once each, however many name
    them (about 200 bytes an article at 10,000, docs/operations/scale.md)."""
    return tuple(map(sys.intern, names))


@dataclass(slots=True, frozen=True)
class Entry:
    id: ObjectId
    slug: str
    version: int
    status: ArticleStatus
    published_at: datetime
    section: str
    tags: tuple[str, ...]
    headline: str
    # The byline: its credit (or not migrated yet, its old text), and its authors' slugs.
    author: str = ""
    authors: tuple[str, ...] = ()
    # When it last changed (None: not known, its publication time stands in).
    updated_at: datetime | None = None
    # Who created it (`Actor.id`); empty for articles from before that was recorded.
    creator: str = ""
    # When it leaves public view by itself, if it does.
    unpublish_at: datetime | None = None
    # Its hero image (`hero_of`): a month's sitemap shows it without reading the articles.
    hero: tuple[str, str] = ("", "")

    def readable(self, audience: Audience, now: datetime) -> bool:
        return is_readable(audience, self.status, self.published_at, now, self.unpublish_at)

    def gone(self, now: datetime) -> bool:
        """Out of public view for good (until a write changes it): its unpublication came."""
        return self.unpublish_at is not None and self.unpublish_at <= now

    @property
    def changed_at(self) -> datetime:
        return self.updated_at or self.published_at

    @classmethod
    def of(cls, document: dict[str, Any]) -> "Entry":
        updated_at = document.get("updated_at")
        unpublish_at = document.get("unpublish_at")
        return cls(
            id=document["_id"],
            slug=document["slug"],
            version=int(document.get("version", 0)),
            status=ArticleStatus(document["status"]),
            published_at=as_utc(document["published_at"]),
            section=sys.intern(document["section"]),
            tags=interned(document.get("tags", ())),
            headline=document["headline"],
            # Held once each, however many articles name them.
            author=sys.intern(credit_of(document)),
            authors=interned(document.get("authors", ())),
            updated_at=as_utc(updated_at) if updated_at is not None else None,
            creator=sys.intern(document.get("created_by_id") or ""),
            unpublish_at=as_utc(unpublish_at) if unpublish_at is not None else None,
            hero=hero_of(document.get("image")),
        )


def _date_key(entry: Entry) -> tuple[datetime, ObjectId]:
    return (entry.published_at, entry.id)


def _headline_key(entry: Entry) -> tuple[str, ObjectId]:
    return (entry.headline, entry.id)


def _change_key(entry: Entry) -> tuple[datetime, ObjectId]:
    return (entry.changed_at, entry.id)


def _named[K](lists: dict[K, SortedList], name: K) -> SortedList:
    """The list `name` in `lists`, made if missing (not made and thrown away if there)."""
    found = lists.get(name)
    if found is None:
        found = lists[name] = SortedList()
    return found


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """Where a month (`yyyy-mm`, UTC) starts, and where the next one does."""
    year, number = int(month[:4]), int(month[5:])
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, end


def author_key(author: str) -> str:
    """Authors are filtered by name whatever its case."""
    return " ".join(author.casefold().split())


def byline_keys(entry: Entry) -> set[str]:
    """What the editors' author filter finds an entry by: its authors' slugs, and its credit
    (or old byline text) by `author_key`."""
    return {*entry.authors, author_key(entry.author)}


@dataclass
class Catalog:
    entries: dict[ObjectId, Entry] = field(default_factory=dict)
    slugs: dict[str, ObjectId] = field(default_factory=dict)
    by_date: SortedList = field(default_factory=SortedList)
    by_headline: SortedList = field(default_factory=SortedList)
    by_tag: dict[str, SortedList] = field(default_factory=dict)
    by_section: dict[str, SortedList] = field(default_factory=dict)
    # By author slug: bylines (`articles(filter: {author})`, `Author.articles`).
    by_byline: dict[str, SortedList] = field(default_factory=dict)
    # The same lists' keys of articles that are or will be public (`PUBLIC_STATUSES`): what a
    # reader may count is those dated up to now, found by bisection rather than by walking.
    public_by_date: SortedList = field(default_factory=SortedList)
    public_by_tag: dict[str, SortedList] = field(default_factory=dict)
    public_by_section: dict[str, SortedList] = field(default_factory=dict)
    public_by_byline: dict[str, SortedList] = field(default_factory=dict)
    # The same articles by month of publication (`yyyy-mm`), each month's by last change: how
    # many a month's sitemap lists and its newest change, without walking the month.
    public_by_month: dict[str, SortedList] = field(default_factory=dict)
    # Every article by its last change, and by status, author (each author's slug, and
    # `author_key` of its credit) and creator in that order: the editors' list and its counts
    # per status.
    by_change: SortedList = field(default_factory=SortedList)
    by_status: dict[ArticleStatus, SortedList] = field(default_factory=dict)
    by_author: dict[str, SortedList] = field(default_factory=dict)
    by_creator: dict[str, SortedList] = field(default_factory=dict)
    # How many of each creator's articles are in each status.
    creator_counts: dict[str, dict[ArticleStatus, int]] = field(default_factory=dict)
    # The articles that are or will be public by publication time, per status, and per creator
    # and status: how many of them are public by now, found by bisection.
    public_by_status: dict[ArticleStatus, SortedList] = field(default_factory=dict)
    public_by_creator: dict[tuple[str, ArticleStatus], SortedList] = field(default_factory=dict)
    # Articles in a public status that leave public view at a time (`unpublish_at`, id) while
    # still in the lists above; once their departure is heard of (or was past when they were
    # put) they are out of those lists and in `gone`. Counts subtract those whose time came and
    # whose departure is not heard of yet: a few, for seconds.
    departing: SortedList = field(default_factory=SortedList)
    gone: set[ObjectId] = field(default_factory=set)
    # Changed by every change applied: what was computed from an older generation is stale.
    generation: int = 0
    # Copies of what pages show, kept right by the same events (`cms.reading.memo`).
    articles: Lru[tuple[ObjectId, int], Any] = field(default_factory=lambda: Lru(memo.ARTICLES))
    ratings: Lru[ObjectId, Any] = field(default_factory=lambda: Lru(memo.RATINGS))
    tags: dict[str, Any] | None = None  # every tag by slug, once read; None: read them again
    # Moved by every rating or tag change: a read begun before one must not keep what it read.
    ratings_epoch: int = 0
    tags_epoch: int = 0
    # A load revealed whose search index and related lists are not merged yet: searches and
    # related items read what it staged first (`cms.store.overlay`).
    overlay: str | None = None
    # Articles of loads not revealed yet, found applied when this catalog was read, by load.
    held_back: dict[str, set[ObjectId]] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Sequence[Entry], *, overlay: str | None) -> "Catalog":
        """A catalog holding these entries (a snapshot's, `cms.reading.snapshots`)."""
        catalog = cls(overlay=overlay)
        catalog._put_all(entries)
        return catalog

    @classmethod
    async def load(cls) -> "Catalog":
        """Every article read from the store."""
        catalog = cls()
        catalog.overlay = await loads.revealed()
        cursor = Article.get_pymongo_collection().find({}, PROJECTION, batch_size=SCAN_BATCH)
        # Put together: a third of the time of putting them one by one.
        catalog._put_all([Entry.of(document) async for document in cursor])
        # After the read: a load that applied any of what was read was committed before it.
        pending = await loads.unrevealed()
        if pending:
            await catalog._hold_back(pending)
        return catalog

    async def _hold_back(self, pending: dict[str, int]) -> None:
        """Show the articles these loads (by where the log stood at their commit) changed as
        they were before them."""
        reader = EventReader(min(pending.values()))
        first_change: dict[ObjectId, StoredEvent] = {}
        while found := await reader.read():
            for event in found:
                if event.load in pending and event.type in ARTICLE_EVENTS:
                    first_change.setdefault(ObjectId(event.subject), event)
        before = {
            revision_id(article_id, int(event.data["version"]) - 1): article_id
            for article_id, event in first_change.items()
            if int(event.data.get("version", 1)) > 1
        }
        revisions = Revision.get_pymongo_collection()
        found_before = await find_in(revisions, "_id", before)
        for article_id, event in first_change.items():
            assert event.load is not None
            self._drop(article_id)
            self.held_back.setdefault(event.load, set()).add(article_id)
        for document in found_before:
            revision = Revision.model_validate(document)
            self._put(
                Entry.of(
                    {
                        **revision.content,
                        "_id": revision.article_id,
                        "version": revision.version,
                        "status": revision.status,
                    }
                )
            )

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, article_id: ObjectId) -> Entry | None:
        return self.entries.get(article_id)

    def placement(self, article_id: str) -> Placement | None:
        """Where the article is listed, if it is held (for the response cache's purges)."""
        entry = self.entries.get(ObjectId(article_id)) if ObjectId.is_valid(article_id) else None
        if entry is None:
            return None
        return Placement(
            published_at=entry.published_at,
            section=entry.section,
            tags=entry.tags,
            authors=entry.authors,
        )

    def by_slug(self, slug: str) -> Entry | None:
        found = self.slugs.get(slug)
        return self.entries.get(found) if found is not None else None

    def _put(self, entry: Entry, now: datetime | None = None) -> None:
        self._put_all([entry], now)

    def _put_all(self, entries: Iterable[Entry], now: datetime | None = None) -> None:
        """Hold these entries (each `id` once), in place of what is held for them; `now` decides
        which of them have left public view already (unpublished by their time).

        The keys go into each sorted list together: a list takes a batch a quarter of its size
        or more in one sort. Added one at a time, they were two thirds of the 0.29 s for which
        a 10,000-article load's reveal held an API process's loop; together, half as long.
        """
        added: dict[int, tuple[SortedList, list[Any]]] = {}

        def add(keys: SortedList, key: Any) -> None:
            batch = added.get(id(keys))
            if batch is None:
                batch = added[id(keys)] = (keys, [])
            batch[1].append(key)

        moment = now or utcnow()
        for entry in entries:
            self._drop(entry.id)
            if entry.status in PUBLIC_STATUSES and entry.unpublish_at is not None:
                # Gone already, or never public at all (it leaves before it would arrive).
                if entry.gone(moment) or entry.unpublish_at <= entry.published_at:
                    self.gone.add(entry.id)
                else:
                    self.departing.add((entry.unpublish_at, entry.id))
            self.entries[entry.id] = entry
            self.slugs[entry.slug] = entry.id
            add(self.by_headline, _headline_key(entry))
            key = _date_key(entry)
            for by_date, by_tag, by_section, by_byline in self._date_lists(entry):
                add(by_date, key)
                for tag in set(entry.tags):
                    add(_named(by_tag, tag), key)
                for author in set(entry.authors):
                    add(_named(by_byline, author), key)
                add(_named(by_section, entry.section), key)
            changed = _change_key(entry)
            if self._listed_public(entry):
                add(_named(self.public_by_month, month_of(entry.published_at)), changed)
            for keys, entry_key in self._editorial_lists(entry, key, changed, create=True):
                add(keys, entry_key)
            if entry.creator:
                counts = self.creator_counts.setdefault(entry.creator, {})
                counts[entry.status] = counts.get(entry.status, 0) + 1
        for keys, batch in added.values():
            keys.update(batch)

    def _drop(self, article_id: ObjectId) -> None:
        old = self.entries.pop(article_id, None)
        if old is None:
            return
        if self.slugs.get(old.slug) == article_id:
            del self.slugs[old.slug]
        self.by_headline.discard(_headline_key(old))
        key = _date_key(old)
        for by_date, by_tag, by_section, by_byline in self._date_lists(old):
            by_date.discard(key)
            for tag in set(old.tags):
                by_tag[tag].discard(key)
            for author in set(old.authors):
                by_byline[author].discard(key)
            by_section[old.section].discard(key)
        changed = _change_key(old)
        if self._listed_public(old):
            self.public_by_month[month_of(old.published_at)].discard(changed)
        for keys, entry_key in self._editorial_lists(old, key, changed, create=False):
            keys.discard(entry_key)
        if old.unpublish_at is not None:
            self.departing.discard((old.unpublish_at, old.id))
        self.gone.discard(old.id)
        if old.creator:
            self.creator_counts[old.creator][old.status] -= 1

    def _date_lists(
        self, entry: Entry
    ) -> Iterator[
        tuple[SortedList, dict[str, SortedList], dict[str, SortedList], dict[str, SortedList]]
    ]:
        yield self.by_date, self.by_tag, self.by_section, self.by_byline
        if self._listed_public(entry):
            yield (
                self.public_by_date,
                self.public_by_tag,
                self.public_by_section,
                self.public_by_byline,
            )

    def _editorial_lists(
        self,
        entry: Entry,
        published: tuple[datetime, ObjectId],
        changed: tuple[datetime, ObjectId],
        *,
        create: bool,
    ) -> Iterator[tuple[SortedList, tuple[datetime, ObjectId]]]:
        """The editors' lists that hold `entry` (made where missing, if `create`), each with the
        key it is held by: every list in order of change, and the public ones by publication
        time per status (and creator), which share the keys `published` and `changed` of the
        other lists in those orders (one tuple per article and order, not one per list)."""
        named: list[tuple[dict[Any, SortedList], Any, tuple[datetime, ObjectId]]] = [
            (self.by_status, entry.status, changed),
        ]
        named += [(self.by_author, name, changed) for name in byline_keys(entry)]
        if entry.creator:
            named.append((self.by_creator, entry.creator, changed))
        if self._listed_public(entry):
            named.append((self.public_by_status, entry.status, published))
            if entry.creator:
                named.append((self.public_by_creator, (entry.creator, entry.status), published))
        yield self.by_change, changed
        for lists, name, key in named:
            yield (_named(lists, name) if create else lists[name]), key

    def _listed_public(self, entry: Entry) -> bool:
        return entry.status in PUBLIC_STATUSES and entry.id not in self.gone

    def _departed(self, now: datetime) -> Iterator[Entry]:
        """Entries still in the public lists whose time to leave public view has come."""
        for _, article_id in self.departing.irange(maximum=(now, _LAST_ID)):
            entry = self.entries[article_id]
            if entry.published_at <= now:
                yield entry

    def status_counts(self, *, creator: str | None = None) -> dict[ArticleStatus, int]:
        """How many articles are in each status: all of them, or those `creator` created."""
        if creator is None:
            return {status: len(self.by_status.get(status, ())) for status in ArticleStatus}
        counts = self.creator_counts.get(creator, {})
        return {status: counts.get(status, 0) for status in ArticleStatus}

    def public_count(
        self, status: ArticleStatus, now: datetime, *, creator: str | None = None
    ) -> int:
        """How many articles in `status` are public by `now` (of those `creator` created)."""
        if creator is None:
            keys = self.public_by_status.get(status)
        else:
            keys = self.public_by_creator.get((creator, status))
        if not keys:
            return 0
        left = sum(
            1
            for entry in self._departed(now)
            if entry.status is status and (creator is None or entry.creator == creator)
        )
        public: int = keys.bisect_right((now, _LAST_ID))
        return public - left

    def public_month(self, month: str, now: datetime) -> tuple[int, datetime | None]:
        """How many of a month's articles (`yyyy-mm`, of publication) the public may see at
        `now`, and the last change among them: counted by bisection, the change found from the
        month's newest back, past the few that are not public yet or have just left."""
        changes = self.public_by_month.get(month)
        if not changes:
            return 0, None
        start, end = month_bounds(month)
        keys = self.public_by_date
        first = keys.bisect_left((start, _FIRST_ID))
        last = min(keys.bisect_left((end, _FIRST_ID)), keys.bisect_right((now, _LAST_ID)))
        left = sum(1 for entry in self._departed(now) if start <= entry.published_at < end)
        lastmod = next(
            (
                changed
                for changed, article_id in reversed(changes)
                if self.entries[article_id].readable(Audience.PUBLIC, now)
            ),
            None,
        )
        return max(0, last - first - left), lastmod

    def count(
        self,
        *,
        public: bool,
        now: datetime,
        tag: str | None = None,
        section: str | None = None,
        author: str | None = None,
        after: datetime | None = None,
        before: datetime | None = None,
    ) -> int:
        """How many articles of the list (every article, a tag's, a section's or an author's)
        dated strictly between `after` and `before` a reader may see: if `public`, those public
        by `now`. At most one of `tag`, `section` and `author` is given."""
        if author is not None:
            keys = (self.public_by_byline if public else self.by_byline).get(author)
        elif tag is not None:
            keys = (self.public_by_tag if public else self.by_tag).get(tag)
        elif section is not None:
            keys = (self.public_by_section if public else self.by_section).get(section)
        else:
            keys = self.public_by_date if public else self.by_date
        if not keys:
            return 0
        end = len(keys)
        if public:
            end = keys.bisect_right((now, _LAST_ID))
        if before is not None:
            end = min(end, keys.bisect_left((before, _FIRST_ID)))
        start = 0 if after is None else keys.bisect_right((after, _LAST_ID))
        if public:
            end -= sum(
                1
                for entry in self._departed(now)
                if (tag is None or tag in entry.tags)
                and (section is None or entry.section == section)
                and (author is None or author in entry.authors)
                and (after is None or entry.published_at > after)
                and (before is None or entry.published_at < before)
            )
        return max(0, end - start)

    async def apply(self, found: Sequence[StoredEvent]) -> None:
        """Take article changes from the event log; older versions than held are ignored."""
        # Read before anything changes, so that a load held back is shown whole in one step.
        held = {
            load: self.held_back[load]
            for event in found
            if event.type is EventType.LOAD_REVEALED and (load := event.subject) in self.held_back
        }
        ids = [article_id for articles in held.values() for article_id in articles]
        articles = Article.get_pymongo_collection()
        stored = {
            doc["_id"]: doc for doc in await find_in(articles, "_id", ids, projection=PROJECTION)
        }
        # Changes are put together (`_put_all`), before anything that drops an article.
        changed: dict[ObjectId, tuple[Entry, datetime | None]] = {}
        for event in found:
            if event.type in ARTICLE_EVENTS:
                pending = changed.get(ObjectId(event.subject))
                made = self._change(event, pending[0] if pending else None)
                if made is not None:
                    changed[made[0].id] = made
                    self.generation += 1
                continue
            self._put_changed(changed)
            if event.type is EventType.LOAD_REVEALED and event.subject in held:
                for article_id in self.held_back.pop(event.subject):
                    self._drop(article_id)
                self._put_all(Entry.of(stored[i]) for i in held[event.subject] if i in stored)
                self.generation += 1
            if event.type is EventType.ARTICLE_DELETED:
                self._drop(ObjectId(event.subject))
                self.generation += 1
            elif event.type is EventType.RATING_CHANGED:
                self.ratings.drop(ObjectId(event.subject))
                self.ratings_epoch += 1
            elif event.type in TAG_EVENTS:
                self.tags = None
                self.tags_epoch += 1
            elif event.type is EventType.LOAD_REVEALED and event.data.get("staged"):
                self.overlay = event.subject
            elif event.type is EventType.LOAD_MERGED and event.subject == self.overlay:
                self.overlay = None
        self._put_changed(changed)

    def _put_changed(self, changed: dict[ObjectId, tuple[Entry, datetime | None]]) -> None:
        """Put a batch's changes together, those a departure decides as of its own time apart."""
        self._put_all(entry for entry, at in changed.values() if at is None)
        for entry, at in changed.values():
            if at is not None:
                self._put(entry, at)
        changed.clear()

    def _change(
        self, event: StoredEvent, pending: Entry | None
    ) -> tuple[Entry, datetime | None] | None:
        """The entry an article event makes (None: it changes nothing), given the one an
        earlier event of the same batch made, if one did, and the time that decides whether it
        has left public view (None: the clock's, when it is put)."""
        data = event.data
        article_id = ObjectId(event.subject)
        held = pending or self.entries.get(article_id)
        if "version" not in data:
            # An arrival or a departure: the time came for a version held already (visibility is
            # decided by the clock at each read); one for an article not held (deleted since)
            # changes nothing. A departure takes the article out of the public lists for good,
            # as of its time even if this clock is a little behind the announcing process's.
            if data.get("departed") and held is not None and held.unpublish_at is not None:
                return held, max(utcnow(), held.unpublish_at)
            return None
        if held is not None and held.version >= int(data["version"]):
            return None
        entry = Entry(
            id=article_id,
            slug=event.slug or "",
            version=int(data["version"]),
            status=ArticleStatus(data["status"]),
            published_at=as_utc(data["published_at"]),
            section=sys.intern(data["section"]),
            tags=interned(data["tags"]),
            headline=data["headline"],
            author=sys.intern(data.get("author") or ""),
            authors=interned(data.get("authors", ())),
            # Events from before these were announced: their own time, the creator held.
            updated_at=as_utc(data.get("updated_at") or event.at),
            creator=sys.intern(data.get("created_by_id") or (held.creator if held else "")),
            unpublish_at=as_utc(data["unpublish_at"]) if data.get("unpublish_at") else None,
            # Events from before this was announced: the image held.
            hero=tuple(data["hero"]) if "hero" in data else (held.hero if held else ("", "")),
        )
        return entry, None

    def ordered(
        self, keys: SortedList, *, descending: bool, after: Any | None, inclusive: bool = False
    ) -> Iterator[Entry]:
        """Entries in `keys` order (or the reverse), strictly after the key `after` (or from it
        on, `inclusive`)."""
        if descending:
            if after is None:
                stop = len(keys)
            else:
                stop = keys.bisect_right(after) if inclusive else keys.bisect_left(after)
            positions: Iterator[int] = iter(range(stop - 1, -1, -1))
        else:
            if after is None:
                start = 0
            else:
                start = keys.bisect_left(after) if inclusive else keys.bisect_right(after)
            positions = iter(range(start, len(keys)))
        for position in positions:
            yield self.entries[keys[position][1]]

    def next_arrival(self, now: datetime) -> datetime | None:
        """When the next article that awaits its time becomes public, or leaves public view."""
        arrival = None
        start = self.by_date.bisect_right((now, _LAST_ID))
        for position in range(start, len(self.by_date)):
            entry = self.entries[self.by_date[position][1]]
            if entry.status in PUBLIC_STATUSES:
                arrival = entry.published_at
                break
        later = self.departing.bisect_right((now, _LAST_ID))
        if later < len(self.departing):
            departure: datetime = self.departing[later][0]
            arrival = departure if arrival is None else min(arrival, departure)
        return arrival

    def next_arrival_deadline(self) -> float:
        """`next_arrival` as a `time.monotonic()` moment (infinity if none)."""
        now = utcnow()
        arrival = self.next_arrival(now)
        if arrival is None:
            return float("inf")
        return time.monotonic() + (arrival - now).total_seconds()

    def differences(self, truth: "Catalog") -> list[str]:
        """Where this catalog and one freshly read from the store disagree (slugs)."""
        ids = set(self.entries) | set(truth.entries)
        return sorted(
            (truth.entries.get(i) or self.entries[i]).slug
            for i in ids
            if self.entries.get(i) != truth.entries.get(i)
        )
