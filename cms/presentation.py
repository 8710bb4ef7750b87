"""What a frontend renders around an article: its address, reading time and JSON-LD.

The JSON-LD is the schema.org `NewsArticle` that search engines read from the page (Google's
article structured data), with an `AggregateRating` once readers have voted, as WordPress's Rate
My Post plugin emits it. It is handed out as text ready for `<script type="application/ld+json">`.
"""

import json
import math
from datetime import datetime
from typing import Any, Protocol

from cms.articles import Article
from cms.config import Settings
from cms.engagement.ratings import STARS, RatingSummary
from cms.media import addresses
from cms.media.model import LibraryImage
from cms.text.body import BodyFormat, rendered

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


async def news_article(
    article: Article,
    rating: RatingSummary,
    settings: Settings,
    library_image: LibraryImage | None = None,
) -> dict[str, Any]:
    """The schema.org NewsArticle for this article (`library_image`: its image's library entry,
    if it is one)."""
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
        "author": [{"@type": "Person", "name": article.author}],
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
