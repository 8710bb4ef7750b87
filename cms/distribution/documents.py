"""Every feed and sitemap by its path: what it says, its media type, tags and dates.

`build(path, page)` is all the HTTP edge asks: None for a path that names nothing (an unknown
file, tag, section, author or month, or a page past the last), which it answers with 404.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from cms.cache_tags import NEWS, SITEMAPS, month_tag
from cms.config import Settings
from cms.distribution import sitemaps
from cms.distribution.feeds import FORMATS, Feed
from cms.distribution.items import items, listing, public_entries
from cms.reading.catalog import Catalog

XML = "application/xml"
_FEED = re.compile(
    r"/feeds/(?:(tags|sections|authors)/([a-z0-9]+(?:-[a-z0-9]+)*)/)?([a-z]+\.[a-z]+)"
)
_MONTH = re.compile(r"/sitemaps/articles/(\d{4}-(?:0[1-9]|1[0-2]))\.xml")


@dataclass(frozen=True, slots=True)
class Built:
    body: bytes
    tags: frozenset[str]
    modified: datetime | None
    # When it goes stale by itself, without any event (the news sitemap's oldest entry leaving).
    expires: datetime | None = None


def media_type(path: str) -> str:
    """What a document at `path` is: a feed's own type, else XML."""
    _, _, name = path.rpartition("/")
    return FORMATS[name][1] if path.startswith("/feeds/") and name in FORMATS else XML


async def build(
    catalog: Catalog, settings: Settings, path: str, page: int, now: datetime
) -> Built | None:
    if (found := _FEED.fullmatch(path)) is not None:
        return await _feed(catalog, settings, found, page, now)
    if (month := _MONTH.fullmatch(path)) is not None:
        made = await sitemaps.month_page(catalog, settings, month[1], page, now)
        if made is None:
            return None
        text, changed, image_tags = made
        return Built(text.encode(), frozenset({month_tag(month[1]), *image_tags}), changed)
    if page != 1:
        return None
    if path == "/sitemaps/sitemap.xml":
        text, modified, news_leaves = sitemaps.index(catalog, settings, now)
        return Built(text.encode(), frozenset({SITEMAPS, NEWS}), modified, news_leaves)
    if path == "/sitemaps/news.xml":
        text, modified, leaves = await sitemaps.news(catalog, settings, now)
        return Built(text.encode(), frozenset({NEWS}), modified, leaves)
    kind = path.removeprefix("/sitemaps/").removesuffix(".xml")
    if settings.sitemaps_lists and kind in sitemaps.LIST_KINDS:
        text, modified = sitemaps.list_sitemap(catalog, settings, kind, now)
        return Built(text.encode(), frozenset({SITEMAPS}), modified)
    return None


async def _feed(
    catalog: Catalog, settings: Settings, found: re.Match[str], page: int, now: datetime
) -> Built | None:
    kind, slug, name = found[1] or "all", found[2] or "", found[3]
    if page != 1 or name not in FORMATS:
        return None
    shown = await listing(catalog, settings, kind, slug)
    if shown is None:
        return None
    entries = list(islice(public_entries(catalog, shown.keys, now), settings.feeds_items))
    feed_items, tags = await items(catalog, settings, entries)
    feed = Feed(shown, feed_items, settings)
    write, _ = FORMATS[name]
    modified = feed.updated if feed_items else None
    return Built(write(feed).encode(), frozenset({shown.cache_tag, *tags}), modified)
