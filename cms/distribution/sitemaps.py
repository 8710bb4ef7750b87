"""Sitemaps: an index, one sitemap per month of publication (in pages), Google News, and the pages
of tags, sections and authors.

A month's sitemap lists its public articles oldest first, `sitemaps_page_size` to a page, so a
publication or an unpublication changes its own month only (and the index's `lastmod`); the
news sitemap holds what was published in the last 48 hours (Google's window, at most 1,000).
Everything comes from the catalog's public list by date, hero images included; a month's page
reads only the media library's images it shows, by `_id`.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby

from cms.cache_tags import NEWS_WINDOW, month_of
from cms.config import Settings
from cms.distribution.items import hero_images, public_entries
from cms.distribution.text import clean, element, rfc3339
from cms.presentation import article_url
from cms.reading.catalog import Catalog, Entry

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
IMAGE = "http://www.google.com/schemas/sitemap-image/1.1"
NEWS = "http://www.google.com/schemas/sitemap-news/0.9"
# Google News reads at most this many URLs of one news sitemap.
MAX_NEWS = 1000
LIST_KINDS = ("tags", "sections", "authors")
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(slots=True)
class Month:
    name: str  # yyyy-mm
    count: int = 0
    lastmod: datetime = field(default_factory=lambda: datetime.min.replace(tzinfo=UTC))


def _bounds(month: str) -> tuple[datetime, datetime]:
    year, number = int(month[:4]), int(month[5:])
    start = datetime(year, number, 1, tzinfo=UTC)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, end


def _month_number(entry: Entry) -> int:
    return entry.published_at.year * 12 + entry.published_at.month


def months(catalog: Catalog, now: datetime) -> list[Month]:
    """Every month with a public article, oldest first, with its count and last change.

    One walk of the public list by date (so a month's entries come together), the index's
    whole cost: at 10,000 articles about 35 ms of the loop on a busy machine, 90 ms when it
    looked each position up and named each entry's month."""
    found: list[Month] = []
    entries = public_entries(catalog, catalog.public_by_date, now)
    for _, group in groupby(entries, key=_month_number):
        month: Month | None = None
        for entry in group:
            if month is None:
                month = Month(month_of(entry.published_at), 0, entry.changed_at)
                found.append(month)
            month.count += 1
            if entry.changed_at > month.lastmod:
                month.lastmod = entry.changed_at
    return found[::-1]


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
    start, end = _bounds(month)
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
    parts = [_HEAD + f'<urlset xmlns="{SITEMAP}" xmlns:image="{IMAGE}">']
    for entry, image in zip(shown, images, strict=True):
        image_part = (
            f"<image:image>{element('image:loc', image.url)}</image:image>" if image else ""
        )
        parts.append(
            f"<url>{element('loc', article_url(entry, settings))}"
            f"{element('lastmod', rfc3339(entry.changed_at))}{image_part}</url>"
        )
    parts.append("</urlset>\n")
    return "\n".join(parts), max(entry.changed_at for entry in shown), tags


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


def news(
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
    parts = [_HEAD + f'<urlset xmlns="{SITEMAP}" xmlns:news="{NEWS}">']
    for entry in entries:
        parts.append(
            f"<url>{element('loc', article_url(entry, settings))}<news:news>{publication}"
            f"{element('news:publication_date', rfc3339(entry.published_at))}"
            f"{element('news:title', clean(entry.headline))}</news:news></url>"
        )
    if not entries:
        parts.append(f"<url>{element('loc', settings.site_url + '/')}</url>")
    parts.append("</urlset>\n")
    return "\n".join(parts), _lastmod(entries), _leaves(entries)


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
