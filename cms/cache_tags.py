"""The names of what a cached answer read (its cache tags), and which ones an event makes stale.

One vocabulary for every cache in front of Newsroom: the response cache of each API process
tags its entries with these strings, sends them as `Surrogate-Key` / `Cache-Tag`, and every
webhook body lists, as `cache_tags`, the ones its change touched (`purge_for`) together with the
paths of the feeds and sitemaps that changed (`paths_for`). A CDN or a frontend that purges those
tags drops exactly what the process's own cache drops.

Feeds and sitemaps (`cms.distribution`) are tagged by the lists they show: `feeds` (the feeds of
every article), `feeds:<kind>:<slug>` (a tag's, a section's or an author's feeds),
`sitemap:<yyyy-mm>` (one month's article sitemap), `sitemaps` (the index and the tag, section and
author sitemaps, whose `lastmod` any article moves) and `sitemap:news`. An article event says
where the article is
listed after the change and, since this field was recorded, where it was before (`Placement`);
the scheduler's arrivals and departures say neither, so the caller passes what it knows of them.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cms.clock import as_utc
from cms.spine.events import EventType, StoredEvent

# An answer depends on which articles are public, and in what order.
LISTS = "articles"
TAG_LIST = "tags"
AUTHOR_LIST = "authors"
# Sent with every answer (never purged by name in a process): purging it drops everything.
SITE = "site"
FEEDS = "feeds"
SITEMAPS = "sitemaps"
NEWS = "sitemap:news"
# How far back the Google News sitemap reaches (Google's rule: two days).
NEWS_WINDOW = timedelta(hours=48)
# The lists with feeds of their own, by the kind of list, as their feeds' paths name them.
FEED_KINDS = ("tags", "sections", "authors")
FEED_FILES = ("rss.xml", "atom.xml", "feed.json")

# What may change in an article without moving it in any list: only its own answers go.
CONTENT_ONLY = frozenset(
    {"body", "excerpt", "image", "author", "credit", "updated_at", "original_guid"}
)
AUTHOR_EVENTS = frozenset(
    {EventType.AUTHOR_CREATED, EventType.AUTHOR_UPDATED, EventType.AUTHOR_DELETED}
)


def article_tag(article_id: object) -> str:
    return f"article:{article_id}"


def slug_tag(slug: str) -> str:
    return f"slug:{slug}"


def rating_tag(article_id: object) -> str:
    return f"rating:{article_id}"


def tag_tag(key: object) -> str:
    return f"tag:{key}"


def author_tag(key: object) -> str:
    return f"author:{key}"


def image_tag(image_id: object) -> str:
    return f"image:{image_id}"


def feed_tag(kind: str, slug: str) -> str:
    """The feeds of one tag's, section's or author's articles (`kind` of `FEED_KINDS`)."""
    return f"feeds:{kind}:{slug}"


def month_of(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def month_tag(month: str) -> str:
    """One month's article sitemap (`yyyy-mm`, of publication, UTC)."""
    return f"sitemap:{month}"


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an article is listed: by date, section, tags and byline (its authors' slugs)."""

    published_at: datetime
    section: str
    tags: tuple[str, ...]
    authors: tuple[str, ...] = ()

    @classmethod
    def of(cls, values: Mapping[str, Any], prefix: str = "") -> "Placement | None":
        """From an article's fields (or an event's `previous_*` ones); None if they are not
        all there. Authors may be missing: events from before bylines were recorded name none."""
        try:
            return cls(
                published_at=as_utc(values[f"{prefix}published_at"]),
                section=values[f"{prefix}section"],
                tags=tuple(values[f"{prefix}tags"]),
                authors=tuple(values.get(f"{prefix}authors") or ()),
            )
        except KeyError:
            return None


def placements(event: StoredEvent, known: Placement | None) -> list[Placement]:
    """Where the event's article was and is listed: as the event says, else `known`."""
    found = [
        placed
        for placed in (Placement.of(event.data), Placement.of(event.data, "previous_"))
        if placed is not None
    ]
    if not found and known is not None:
        found.append(known)
    return found


def _listed(placed: Placement, at: datetime) -> set[str]:
    """The feeds and sitemaps an article placed so shows in."""
    tags = {FEEDS, SITEMAPS, month_tag(month_of(placed.published_at))}
    tags.add(feed_tag("sections", placed.section))
    tags.update(feed_tag("tags", slug) for slug in placed.tags)
    tags.update(feed_tag("authors", slug) for slug in placed.authors)
    if at - NEWS_WINDOW <= placed.published_at <= at + NEWS_WINDOW:
        tags.add(NEWS)
    return tags


def purge_for(event: StoredEvent, known: Placement | None = None) -> set[str]:
    """The cache tags an event makes stale (`known`: where its article is listed, for the events
    that do not say)."""
    kind = event.type
    if kind is EventType.RATING_CHANGED:
        return {rating_tag(event.subject)}
    if kind in {EventType.TAG_CREATED, EventType.TAG_UPDATED, EventType.TAG_DELETED}:
        stale = {tag_tag(event.subject), tag_tag(event.slug), TAG_LIST}
        return stale | ({feed_tag("tags", event.slug)} if event.slug else set())
    if kind in AUTHOR_EVENTS:
        # Its feeds' title names it (a rename); the items of every feed name it by `author_tag`.
        stale = {author_tag(event.subject), author_tag(event.slug), AUTHOR_LIST}
        return stale | ({feed_tag("authors", event.slug)} if event.slug else set())
    if kind in {EventType.IMAGE_UPDATED, EventType.IMAGE_DELETED}:
        return {image_tag(event.subject)}  # its focal point, or that it is gone
    if kind is EventType.LISTS_REBUILT:
        return {LISTS}  # searches and related items read the repaired index and lists
    if kind is EventType.ARTICLE_SAVED:
        return set()  # not public before nor after: no anonymous answer showed it
    if kind.value.startswith("article."):
        stale = {article_tag(event.subject)}
        if event.slug:
            stale.add(slug_tag(event.slug))
        changed = set(event.data.get("changed") or ())
        if kind is not EventType.ARTICLE_UPDATED or not changed <= CONTENT_ONLY:
            stale.add(LISTS)
        for placed in placements(event, known):
            stale |= _listed(placed, as_utc(event.at))
        return stale
    return set()


def paths_for(tags: Iterable[str]) -> list[str]:
    """The paths of the feed and sitemap documents these tags name, sorted."""
    paths: set[str] = set()
    for tag in tags:
        if tag == FEEDS:
            paths.update(f"/feeds/{name}" for name in FEED_FILES)
        elif tag.startswith("feeds:"):
            _, kind, slug = tag.split(":", 2)
            paths.update(f"/feeds/{kind}/{slug}/{name}" for name in FEED_FILES)
        elif tag == SITEMAPS:
            paths.add("/sitemaps/sitemap.xml")
        elif tag == NEWS:
            paths.add("/sitemaps/news.xml")
        elif tag.startswith("sitemap:"):
            paths.add(f"/sitemaps/articles/{tag.removeprefix('sitemap:')}.xml")
    return sorted(paths)
