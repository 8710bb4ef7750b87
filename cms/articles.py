"""The article: Newsroom's central document, and reads of it for an audience."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar

from beanie import Document, Indexed, PydanticObjectId
from bson import ObjectId
from bson.errors import InvalidId
from pydantic import Field, field_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from cms.clock import as_utc, utcnow
from cms.content import ArticleFields, ImageFields, Slug
from cms.status import ArticleStatus
from cms.store.batches import find_in
from cms.visibility import Audience, is_readable

Image = ImageFields


class Article(Document, ArticleFields):
    """An article with its workflow state. Written only by `cms.workflow`."""

    slug: Annotated[Slug, Indexed(unique=True)]
    # The byline as text, from before authors (`cms.authors`): read until `authors migrate`.
    author: str = ""
    status: ArticleStatus = ArticleStatus.DRAFT
    updated_at: datetime
    # Incremented by every save: `updateArticle` names the version it was based on.
    version: int = 0
    created_at: datetime | None = None
    created_by: str = ""
    updated_by: str = ""
    # The same actors' stable ids (`Actor.id`): a contributor may work on the articles whose
    # `created_by_id` is theirs, and the desk's "mine" is those.
    created_by_id: str = ""
    updated_by_id: str = ""
    # First time it became public; publishing again keeps its date.
    first_published_at: datetime | None = None
    # Set while it awaits its publication time, so the write that follows can announce it.
    pending_arrival_at: datetime | None = None
    # Set while it is (or will be) public until its `unpublish_at`, for the same reason.
    pending_departure_at: datetime | None = None
    # The version the last fixture load wrote or confirmed: a later version came from elsewhere.
    loaded_version: int | None = None
    # A digest of what that load's file said (`ImportedArticle.digest`): at `loaded_version`, an
    # unchanged file is known without reading the article back.
    loaded_digest: str | None = None
    # Ids of the last journal operations applied here, so a retried operation applies once.
    recent_ops: list[str] = Field(default_factory=list)

    @field_validator(
        "updated_at",
        "created_at",
        "first_published_at",
        "pending_arrival_at",
        "pending_departure_at",
        "unpublish_at",
    )
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return as_utc(value) if value is not None else None

    def readable_by(self, audience: Audience, now: datetime | None = None) -> bool:
        return is_readable(
            audience, self.status, self.published_at, now or utcnow(), self.unpublish_at
        )

    class Settings:
        name = "articles"
        # Each index serves a query the API makes (slug is unique above: `article(slug:)`):
        indexes: ClassVar[list[IndexModel]] = [
            # `articles` newest/oldest first, its keyset cursors, and the related-items date pool.
            IndexModel(
                [("status", ASCENDING), ("published_at", DESCENDING), ("_id", DESCENDING)],
                name="status_published_at",
            ),
            # `newsroom articles list` (every status, newest first), in the index's order rather
            # than sorted in memory.
            IndexModel([("published_at", DESCENDING), ("_id", DESCENDING)]),
            # `articles(orderBy: HEADLINE)`.
            IndexModel([("status", ASCENDING), ("headline", ASCENDING), ("_id", ASCENDING)]),
            # `articles(filter: {tag})`, `Tag.articles`, `Tag.articleCount` and related by tag.
            IndexModel([("tags", ASCENDING), ("status", ASCENDING), ("published_at", DESCENDING)]),
            # Whether an author is in a byline (deleting an author), and `authors migrate`.
            IndexModel([("authors", ASCENDING)]),
            # `articles(filter: {section})` and related by section.
            IndexModel(
                [("section", ASCENDING), ("status", ASCENDING), ("published_at", DESCENDING)]
            ),
            # Whether an image of the media library is in use (`media delete`).
            IndexModel([("image.id", ASCENDING)], sparse=True),
            # Re-imports find what an earlier import of the same WordPress export wrote.
            IndexModel([("wordpress_id", ASCENDING)], sparse=True),
        ]


def credit_of(values: Mapping[str, Any]) -> str:
    """A stored article's byline as text beside its authors: its credit, or (not migrated yet,
    `newsroom authors migrate`) its old `author` text."""
    if values.get("authors") or values.get("credit"):
        return str(values.get("credit") or "")
    return str(values.get("author") or "")


def hero_of(image: Mapping[str, Any] | None) -> tuple[str, str]:
    """A stored hero image as the catalog holds it: (its library id, "") or ("", its URL
    elsewhere); ("", "") for none."""
    if not image:
        return ("", "")
    if image.get("id"):
        return (str(image["id"]), "")
    return ("", str(image.get("url") or ""))


def parse_object_id(value: str) -> PydanticObjectId | None:
    try:
        return PydanticObjectId(ObjectId(value))
    except (InvalidId, TypeError):
        return None


async def by_ids(
    ids: Iterable[PydanticObjectId], audience: Audience
) -> dict[PydanticObjectId, Article]:
    """The articles `audience` may read among these, straight from the store.

    Fetched by `_id` alone and judged here by the one rule: a lookup by key is what both stores
    answer from an index (mongoeco reads every document for `_id` plus other conditions).
    """
    now = utcnow()
    found = await find_in(Article.get_pymongo_collection(), "_id", ids)
    articles = (Article.model_validate(document) for document in found)
    return {
        article.id: article
        for article in articles
        if article.id is not None and article.readable_by(audience, now)
    }
