"""What a frontend renders around an article: its address, reading time and JSON-LD.

The JSON-LD is the schema.org `NewsArticle` that search engines read from the page (Google's
article structured data), with an `AggregateRating` once readers have voted, as WordPress's Rate
My Post plugin emits it. It is handed out as text ready for `<script type="application/ld+json">`.
"""

import json
import math
import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any, Protocol

from cms.articles import Article
from cms.authors import Author, author_url
from cms.config import Settings
from cms.engagement.ratings import STARS, RatingSummary
from cms.media import addresses
from cms.media.model import LibraryImage
from cms.text.body import BodyFormat, rendered
from cms.text.html import IMAGE_PLACEHOLDER, RELATED_PLACEHOLDER

WORDS_PER_MINUTE = 230
# In a script element, `</script` (any case) or `<!--` would end or derail it; `&` and `>` are
# escaped too, as inside any HTML: JSON's own \u escapes leave the data unchanged.
SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


class Addressed(Protocol):
    """What an article's address is made of: an article, or its catalog entry."""

    @property
    def id(self) -> Any: ...
    @property
    def slug(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def published_at(self) -> datetime: ...


def article_url(article: Addressed, settings: Settings) -> str:
    published = article.published_at
    path = settings.article_path.format(
        section=article.section,
        slug=article.slug,
        id=article.id,
        year=f"{published.year:04d}",
        month=f"{published.month:02d}",
        day=f"{published.day:02d}",
    )
    return settings.site_url + path


async def word_count(article: Article) -> int:
    return len((await rendered(article.body, BodyFormat.TEXT)).split())


async def reading_time(article: Article) -> int:
    """Minutes to read the body at an adult's silent reading pace; at least one."""
    return max(1, math.ceil(await word_count(article) / WORDS_PER_MINUTE))


def byline(article: Article, people: Sequence[Author], settings: Settings) -> list[dict[str, Any]]:
    """The byline as schema.org has it: each author a `Person` with their page's URL, then the
    credit as the `Organization` it names (an article not migrated yet: its text as a Person)."""
    found: list[dict[str, Any]] = [
        {"@type": "Person", "name": person.name, "url": author_url(person.slug, settings)}
        for person in people
    ]
    if article.credit:
        found.append({"@type": "Organization", "name": article.credit})
    if not found and article.author:
        found.append({"@type": "Person", "name": article.author})
    return found


async def news_article(
    article: Article,
    rating: RatingSummary,
    settings: Settings,
    library_image: LibraryImage | None = None,
    people: Sequence[Author] = (),
) -> dict[str, Any]:
    """The schema.org NewsArticle for this article (`library_image`: its image's library entry,
    if it is one; `people`: its authors, in byline order)."""
    url = article_url(article, settings)
    publisher: dict[str, Any] = {"@type": "Organization", "name": settings.publisher_name}
    if settings.publisher_logo_url:
        publisher["logo"] = {"@type": "ImageObject", "url": settings.publisher_logo_url}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": article.excerpt,
        "datePublished": article.published_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "author": byline(article, people, settings),
        "publisher": publisher,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "articleSection": article.section,
        "keywords": list(article.tags),
        "wordCount": await word_count(article),
    }
    if library_image is not None:
        data["image"] = addresses.structured(library_image, settings)
    elif article.image is not None and article.image.url:
        data["image"] = [article.image.url]
    if rating.count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": rating.average,
            "ratingCount": rating.count,
            "bestRating": max(STARS),
            "worstRating": min(STARS),
        }
    return data


def script_json(data: Any) -> str:
    """`data` as JSON that cannot end or derail the script element it is placed in."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(SCRIPT_ESCAPES)


def body_references(body_html: str) -> tuple[list[str], list[str]]:
    """The library images and the related articles' slugs a body's HTML leaves to fill in."""
    images = [found["id"] for found in IMAGE_PLACEHOLDER.finditer(body_html)]
    slugs = [found["slug"] for found in RELATED_PLACEHOLDER.finditer(body_html)]
    return list(dict.fromkeys(images)), list(dict.fromkeys(slugs))


def filled_body(
    body_html: str,
    *,
    images: Mapping[str, LibraryImage],
    articles: Mapping[str, Article],
    settings: Settings,
) -> str:
    """The body's HTML for one reader: each library image with its signed renditions (left out
    if it was deleted since), each related card with its article's headline and page if the
    reader may see it (`articles`: those they may), else left out."""

    def image(found: re.Match[str]) -> str:
        library = images.get(found["id"])
        if library is None:
            return ""
        src = escape(addresses.url(library, settings), quote=True)
        srcset = escape(addresses.srcset(library, settings), quote=True)
        return (
            f'<img src="{src}" srcset="{srcset}" sizes="100vw" width="{library.width}" '
            f'height="{library.height}" alt="{found["alt"]}" loading="lazy">'
        )

    def card(found: re.Match[str]) -> str:
        article = articles.get(found["slug"])
        if article is None:
            return ""
        link = escape(article_url(article, settings), quote=True)
        return f'<aside class="related"><a href="{link}">{escape(article.headline)}</a></aside>'

    if "data-library-image=" in body_html:
        body_html = IMAGE_PLACEHOLDER.sub(image, body_html)
    if 'class="related" data-slug=' in body_html:
        body_html = RELATED_PLACEHOLDER.sub(card, body_html)
    return body_html
