"""The article: Newsroom's central document, and lookups by id and slug."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Annotated, ClassVar

from beanie import Document, Indexed, PydanticObjectId
from bson import ObjectId
from bson.errors import InvalidId
from pydantic import BaseModel, Field, field_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from cms.clock import as_utc
from cms.visibility import visible


class ArticleStatus(StrEnum):
    """Where an article is in the editorial workflow."""

    DRAFT = "draft"
    REVIEW = "review"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Image(BaseModel):
    """The hero image shown above an article."""

    url: str
    caption: str = ""
    credit: str = ""
    alt: str = ""


class Article(Document):
    slug: Annotated[str, Indexed(unique=True)]
    headline: str
    author: str
    section: str
    tags: list[str] = Field(default_factory=list, description="Tag slugs, in editorial order.")
    image: Image | None = None
    excerpt: str = ""
    body: str = Field(default="", description="Markdown source.")
    status: ArticleStatus = ArticleStatus.PUBLISHED
    published_at: datetime
    updated_at: datetime

    @field_validator("published_at", "updated_at")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return as_utc(value)

    class Settings:
        name = "articles"
        # Each index serves a query the API makes (slug is unique above: `article(slug:)`):
        indexes: ClassVar[list[IndexModel]] = [
            # `articles` newest/oldest first, its keyset cursors, and the related-items date pool.
            IndexModel(
                [("status", ASCENDING), ("published_at", DESCENDING), ("_id", DESCENDING)],
                name="status_published_at",
            ),
            # `articles(orderBy: HEADLINE)`.
            IndexModel([("status", ASCENDING), ("headline", ASCENDING), ("_id", ASCENDING)]),
            # `articles(filter: {tag})`, `Tag.articles`, `Tag.articleCount` and related by tag.
            IndexModel([("tags", ASCENDING), ("status", ASCENDING), ("published_at", DESCENDING)]),
            # `articles(filter: {section})` and related by section.
            IndexModel(
                [("section", ASCENDING), ("status", ASCENDING), ("published_at", DESCENDING)]
            ),
        ]


def parse_object_id(value: str) -> PydanticObjectId | None:
    try:
        return PydanticObjectId(ObjectId(value))
    except (InvalidId, TypeError):
        return None


async def visible_by_ids(ids: Iterable[PydanticObjectId]) -> dict[PydanticObjectId, Article]:
    wanted = list(set(ids))
    found = await Article.find({"_id": {"$in": wanted}, **visible()}).to_list()
    return {article.id: article for article in found if article.id is not None}


async def visible_by_slugs(slugs: Sequence[str]) -> dict[str, Article]:
    found = await Article.find({"slug": {"$in": list(set(slugs))}, **visible()}).to_list()
    return {article.slug: article for article in found}
