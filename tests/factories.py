"""Plain functions that put test content in the store (apart from the editors' fixtures/)."""

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry import relay

from cms.articles import Article, ArticleStatus, Image
from cms.tags import Tag

_sequence = itertools.count(1)
BASE_DATE = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


async def make_tag(**overrides: Any) -> Tag:
    number = next(_sequence)
    values: dict[str, Any] = {
        "slug": f"tag-{number}",
        "name": f"Tag {number}",
        "description": "A tag for tests.",
    }
    return await Tag(**(values | overrides)).insert()


async def make_article(**overrides: Any) -> Article:
    number = next(_sequence)
    published_at = overrides.pop("published_at", BASE_DATE + timedelta(hours=number))
    values: dict[str, Any] = {
        "slug": f"article-{number}",
        "headline": f"Article number {number}",
        "author": "Test Writer",
        "section": "world",
        "tags": [],
        "image": Image(url=f"https://img.test/{number}.jpg", caption="A caption", credit="AP"),
        "excerpt": f"The excerpt of article {number}.",
        "body": f"The body of article {number}.\n\nA second paragraph.",
        "status": ArticleStatus.PUBLISHED,
        "published_at": published_at,
        "updated_at": published_at,
    }
    return await Article(**(values | overrides)).insert()


def global_id(article: Article) -> str:
    return str(relay.GlobalID("Article", str(article.id)))
