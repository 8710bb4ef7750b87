"""RSS 2.0, Atom (RFC 4287) and JSON Feed 1.1 documents of a list's newest public articles."""

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cms.clock import utcnow
from cms.config import Settings
from cms.distribution.items import Image, Item, Listing
from cms.distribution.text import clean, element, empty, rfc822, rfc3339

MEDIA = "http://search.yahoo.com/mrss/"


@dataclass(frozen=True, slots=True)
class Feed:
    listing: Listing
    items: Sequence[Item]
    settings: Settings

    def url(self, name: str) -> str:
        return self.settings.site_url + self.listing.path + name

    @property
    def updated(self) -> datetime:
        """Its last change: its newest item's (when it has none, now)."""
        return max((item.updated for item in self.items), default=utcnow())


def _media(image: Image | None) -> str:
    if image is None:
        return ""
    attributes: dict[str, str | int] = {"url": image.url, "medium": "image"}
    if image.media_type is not None:
        attributes["type"] = image.media_type
    if image.width is not None and image.height is not None:
        attributes |= {"width": image.width, "height": image.height}
    if image.file_size is not None:
        attributes["fileSize"] = image.file_size
    return empty("media:content", **attributes)


def rss(feed: Feed) -> str:
    channel = feed.listing
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        f'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="{MEDIA}">\n<channel>',
        element("title", channel.title),
        element("link", channel.link),
        element("description", channel.title),
        element("language", feed.settings.site_language),
        element("lastBuildDate", rfc822(feed.updated)),
        empty("atom:link", href=feed.url("rss.xml"), rel="self", type="application/rss+xml"),
    ]
    for item in feed.items:
        parts += [
            "<item>",
            element("title", item.title),
            element("link", item.url),
            element("guid", item.guid, isPermaLink="false"),
            element("pubDate", rfc822(item.published)),
            element("dc:creator", item.author),
            *(element("category", name) for _, name in item.categories),
            element("description", item.summary),
        ]
        if item.content_html:
            parts.append(element("content:encoded", item.content_html))
        parts += [_media(item.image), "</item>"]
    parts.append("</channel>\n</rss>\n")
    return "\n".join(part for part in parts if part)


def atom(feed: Feed) -> str:
    language = feed.settings.site_language
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="{MEDIA}" xml:lang="{language}">',
        element("title", feed.listing.title),
        element("id", feed.url("atom.xml")),
        element("updated", rfc3339(feed.updated)),
        empty("link", rel="self", type="application/atom+xml", href=feed.url("atom.xml")),
        empty("link", rel="alternate", type="text/html", href=feed.listing.link),
    ]
    for item in feed.items:
        parts += [
            "<entry>",
            element("title", item.title),
            element("id", item.guid),
            empty("link", rel="alternate", type="text/html", href=item.url),
            element("published", rfc3339(item.published)),
            element("updated", rfc3339(item.updated)),
            f"<author>{element('name', item.author)}</author>",
            *(empty("category", term=slug, label=name) for slug, name in item.categories),
            element("summary", item.summary, type="text") if item.summary else "",
            element("content", item.content_html, type="html") if item.content_html else "",
            _media(item.image),
            "</entry>",
        ]
    parts.append("</feed>\n")
    return "\n".join(part for part in parts if part)


def json_feed(feed: Feed) -> str:
    def item(entry: Item) -> dict[str, Any]:
        found: dict[str, Any] = {
            "id": entry.guid,
            "url": entry.url,
            "title": entry.title,
            "date_published": rfc3339(entry.published),
            "date_modified": rfc3339(entry.updated),
            "authors": [{"name": entry.author}],
            "tags": [name for _, name in entry.categories],
        }
        if entry.summary:
            found["summary"] = entry.summary
        # Every item has content: the body, or without full content its excerpt (or title).
        if entry.content_html:
            found["content_html"] = entry.content_html
        else:
            found["content_text"] = entry.summary or entry.title
        if entry.image is not None:
            found["image"] = entry.image.url
        return found

    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": clean(feed.listing.title),
        "home_page_url": feed.listing.link,
        "feed_url": feed.url("feed.json"),
        "language": feed.settings.site_language,
        "items": [item(entry) for entry in feed.items],
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


# Each feed file: how it is written and its media type.
FORMATS: dict[str, tuple[Callable[[Feed], str], str]] = {
    "rss.xml": (rss, "application/rss+xml"),
    "atom.xml": (atom, "application/atom+xml"),
    "feed.json": (json_feed, "application/feed+json"),
}
