"""Sitemaps: an index, one sitemap per month of publication (in pages), Google News, and the pages
of tags, sections and authors.

A month's sitemap lists its public articles oldest first, `sitemaps_page_size` to a page, so a
publication or an unpublication changes its own month only (and the index's `lastmod`); the
news sitemap holds what was published in the last 48 hours (Google's window, at most 1,000).
Everything comes from the catalog's public list by date, hero images included; a month's page
reads only the media library's images it shows, by `_id`.
"""

import asyncio
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from cms.cache_tags import NEWS_WINDOW, month_of
from cms.config import Settings
from cms.distribution.items import Image, hero_images, public_entries
from cms.distribution.text import element, rfc3339
from cms.presentation import article_url
from cms.reading.catalog import Catalog, Entry, month_bounds

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
# Google News reads at most this many URLs of one news sitemap.
MAX_NEWS = 1000
LIST_KINDS = ("tags", "sections", "authors")
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
# URLs written between two turns of the event loop (about 2 ms of a busy machine's CPU).
_CHUNK = 200


@dataclass(frozen=True, slots=True)
class Month:
    name: str  # yyyy-mm
    count: int
    lastmod: datetime


def months(catalog: Catalog, now: datetime) -> list[Month]:
    """Every month with a public article, oldest first, with its count and last change.

    Each month's are kept by the catalog (`public_month`), so the index costs a few bisections
    a month, not a walk of the archive: a walk of 10,000 articles held the loop 35 to 150 ms."""
    current = month_of(now)
    found = []
    for name in sorted(catalog.public_by_month):
        if name > current:
            break
        count, lastmod = catalog.public_month(name, now)
        if count and lastmod is not None:
            found.append(Month(name, count, lastmod))
    return found


def pages(count: int, settings: Settings) -> int:
    return -(-count // settings.sitemaps_page_size)


def _page_url(settings: Settings, month: str, page: int) -> str:
    url = f"{settings.site_url}/sitemaps/articles/{month}.xml"
    return url if page == 1 else f"{url}?page={page}"


def index(
    catalog: Catalog, settings: Settings, now: datetime
) -> tuple[str, datetime | None, datetime | None]:
    """The sitemap index, its last change, and when it goes stale by itself: as the news
    sitemap does (the news `lastmod` it lists is its entries' newest change)."""
    listed: list[tuple[str, datetime | None]] = []
    for month in months(catalog, now):
        listed += [
            (_page_url(settings, month.name, page), month.lastmod)
            for page in range(1, pages(month.count, settings) + 1)
        ]
    news = list(_news_entries(catalog, now))
    listed.append((f"{settings.site_url}/sitemaps/news.xml", _lastmod(news)))
    if settings.sitemaps_lists:
        newest = max((lastmod for _, lastmod in listed if lastmod is not None), default=None)
        listed += [(f"{settings.site_url}/sitemaps/{kind}.xml", newest) for kind in LIST_KINDS]
    parts = [_HEAD + f'<sitemapindex xmlns="{SITEMAP}">']
    for url, lastmod in listed:
        lastmod_element = element("lastmod", rfc3339(lastmod)) if lastmod else ""
        parts.append(f"<sitemap>{element('loc', url)}{lastmod_element}</sitemap>")
    parts.append("</sitemapindex>\n")
    changed = [lastmod for _, lastmod in listed if lastmod is not None]
    return "\n".join(parts), max(changed, default=None), _leaves(news)


def month_entries(catalog: Catalog, month: str, now: datetime) -> list[Entry]:
    """The month's public articles, oldest first."""
    start, end = month_bounds(month)
    return list(public_entries(catalog, catalog.public_by_date, now, since=start, until=end))[::-1]


async def month_page(
    catalog: Catalog, settings: Settings, month: str, page: int, now: datetime
) -> tuple[str, datetime, set[str]] | None:
    """One page of a month's sitemap, its last change and the cache tags of its images; None if
    the month has no public article or not that many pages."""
    entries = month_entries(catalog, month, now)
    size = settings.sitemaps_page_size
    shown = entries[(page - 1) * size : page * size]
    if not shown:
        return None
    images, tags = await hero_images([entry.hero for entry in shown], settings)

    def url(shown: tuple[Entry, Image | None]) -> str:
        entry, image = shown
        image_part = (
            f"<image:image>{element('image:loc', image.url)}</image:image>" if image else ""
        )
        return (
            f"<url>{element('loc', article_url(entry, settings))}"
            f"<lastmod>{rfc3339(entry.changed_at)}</lastmod>{image_part}</url>"
        )

    urls = await _written(list(zip(shown, images, strict=True)), url)
    head = _HEAD + f'<urlset xmlns="{SITEMAP}" xmlns:image="{IMAGE}">'
    text = "\n".join([head, *urls, "</urlset>\n"])
    return text, max(entry.changed_at for entry in shown), tags


async def _written[T](shown: Sequence[T], write: Callable[[T], str]) -> list[str]:
    """Each of `shown` written, `_CHUNK` at a time between turns of the event loop: a page of
    thousands of URLs holds the loop a millisecond or two at a time, not for all of them."""
    written: list[str] = []
    for start in range(0, len(shown), _CHUNK):
        if start:
            await asyncio.sleep(0)
        written += map(write, shown[start : start + _CHUNK])
    return written


def _news_entries(catalog: Catalog, now: datetime) -> Iterator[Entry]:
    """Published in the last 48 hours, newest first, at most MAX_NEWS."""
    found = public_entries(catalog, catalog.public_by_date, now, since=now - NEWS_WINDOW)
    for count, entry in enumerate(found):
        if count == MAX_NEWS or entry.published_at <= now - NEWS_WINDOW:
            return
        yield entry


def _lastmod(entries: list[Entry]) -> datetime | None:
    return max((entry.changed_at for entry in entries), default=None)


def _leaves(entries: list[Entry]) -> datetime | None:
    """When the oldest of the news entries (newest first) leaves the window."""
    return entries[-1].published_at + NEWS_WINDOW if entries else None


async def news(
    catalog: Catalog, settings: Settings, now: datetime
) -> tuple[str, datetime | None, datetime | None]:
    """The Google News sitemap, its last change and when its oldest entry leaves it.

    With nothing published in the window it lists the home page alone, without `news:news`:
    an empty `urlset` is invalid (sitemap.xsd wants one `url`, and Search Console reports
    "Missing XML tag"), while Google News passes over a URL with no news part. So the sitemap
    stays valid and in the index when a site is quiet for two days (Jetpack does the same;
    answering 404 instead would make Search Console report a sitemap it cannot fetch).
    """
    entries = list(_news_entries(catalog, now))
    publication = (
        f"<news:publication>{element('news:name', settings.publisher_name)}"
        f"{element('news:language', settings.site_language)}</news:publication>"
    )

    def url(entry: Entry) -> str:
        return (
            f"<url>{element('loc', article_url(entry, settings))}<news:news>{publication}"
            f"<news:publication_date>{rfc3339(entry.published_at)}</news:publication_date>"
            f"{element('news:title', entry.headline)}</news:news></url>"
        )

    urls = await _written(entries, url)
    if not entries:
        urls.append(f"<url>{element('loc', settings.site_url + '/')}</url>")
    head = _HEAD + f'<urlset xmlns="{SITEMAP}" xmlns:news="{NEWS}">'
    return "\n".join([head, *urls, "</urlset>\n"]), _lastmod(entries), _leaves(entries)


def list_sitemap(
    catalog: Catalog, settings: Settings, kind: str, now: datetime
) -> tuple[str, datetime | None]:
    """The pages of every tag (section, author) with a public article, each with its last
    change."""
    lists = {
        "tags": catalog.public_by_tag,
        "sections": catalog.public_by_section,
        "authors": catalog.public_by_byline,
    }[kind]
    path = {"tags": settings.tag_path, "sections": settings.section_path}.get(
        kind, settings.author_path
    )
    parts = [_HEAD + f'<urlset xmlns="{SITEMAP}">']
    changed: list[datetime] = []
    for slug in sorted(lists):
        newest = next(public_entries(catalog, lists[slug], now), None)
        if newest is None:
            continue
        changed.append(newest.changed_at)
        parts.append(
            f"<url>{element('loc', settings.site_url + path.format(slug=slug))}"
            f"{element('lastmod', rfc3339(newest.changed_at))}</url>"
        )
    parts.append("</urlset>\n")
    return "\n".join(parts), max(changed, default=None)
