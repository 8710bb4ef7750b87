"""Plain functions that put test content in the store (apart from the editors' fixtures/).

They go through the write path, as every writer does, so revisions, events and everything
derived from writes are there for tests to see.
"""

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry import relay

from cms.access import Actor
from cms.articles import Article, Image
from cms.authors import Author
from cms.content import ArticleContent
from cms.status import ArticleStatus
from cms.tags import Tag
from cms.workflow.authors import create_author
from cms.workflow.imports import ImportedArticle, import_article
from cms.workflow.tags import create_tag

_sequence = itertools.count(1)
BASE_DATE = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
FACTORY = Actor.local("tests")


async def make_tag(**overrides: Any) -> Tag:
    number = next(_sequence)
    values: dict[str, Any] = {
        "slug": f"tag-{number}",
        "name": f"Tag {number}",
        "description": "A tag for tests.",
    }
    return await create_tag(actor=FACTORY, content=values | overrides)


async def make_author(**overrides: Any) -> Author:
    number = next(_sequence)
    values: dict[str, Any] = {"slug": f"author-{number}", "name": f"Writer {number}"}
    return await create_author(actor=FACTORY, content=values | overrides)


async def make_article(**overrides: Any) -> Article:
    number = next(_sequence)
    # Minutes apart: a session of thousands of articles stays within days of BASE_DATE.
    published_at = overrides.pop("published_at", BASE_DATE + timedelta(minutes=number))
    status = overrides.pop("status", ArticleStatus.PUBLISHED)
    updated_at = overrides.pop("updated_at", published_at)
    image = overrides.pop(
        "image", Image(url=f"https://img.test/{number}.jpg", caption="A caption", credit="AP")
    )
    values: dict[str, Any] = {
        "slug": f"article-{number}",
        "headline": f"Article number {number}",
        # The old `author` override, as the credit; none by default beside given authors.
        "credit": overrides.pop("author", "" if overrides.get("authors") else "Test Writer"),
        "section": "world",
        "tags": [],
        "image": image.model_dump() if image is not None else None,
        "excerpt": f"The excerpt of article {number}.",
        "body": f"The body of article {number}.\n\nA second paragraph.",
        "published_at": published_at,
    }
    content = ArticleContent.model_validate(values | overrides)
    imported = ImportedArticle(content=content, status=status, updated_at=updated_at)
    return await import_article(actor=FACTORY, article=imported)


def global_id(article: Article) -> str:
    return str(relay.GlobalID("Article", str(article.id)))
