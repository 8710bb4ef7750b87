"""Revisions: every saved version of an article, with who saved it, when, and what changed."""

from datetime import datetime
from typing import Any, ClassVar

from beanie import Document, PydanticObjectId
from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel

from cms.status import ArticleStatus

COLLECTION = "revisions"


class Revision(Document):
    """The article as saved at `version`: its content and status."""

    id: str  # type: ignore[assignment]  # "<article id>:<version>", so a repeated save is one
    article_id: PydanticObjectId
    version: int
    at: datetime
    actor: str
    # `person:<account id>` for a person; None in revisions kept before it was recorded.
    actor_id: str | None = None
    changed: list[str]
    content: dict[str, Any]
    status: ArticleStatus
    updated_at: datetime | None = None

    class Settings:
        name = COLLECTION
        # `Article.revisions`: newest first, a page at a time.
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("article_id", ASCENDING), ("version", DESCENDING)])
        ]


def revision_id(article_id: ObjectId, version: int) -> str:
    return f"{article_id}:{version:010d}"


def revision_document(
    *,
    article_id: PydanticObjectId,
    version: int,
    at: datetime,
    actor: str,
    actor_id: str,
    changed: list[str],
    content: dict[str, Any],
    status: ArticleStatus,
    updated_at: datetime,
) -> dict[str, Any]:
    return {
        "_id": revision_id(article_id, version),
        "article_id": article_id,
        "version": version,
        "at": at,
        "actor": actor,
        "actor_id": actor_id,
        "changed": changed,
        "content": content,
        "status": status.value,
        "updated_at": updated_at,
    }


async def page_of_revisions(
    article_id: PydanticObjectId, *, first: int, before_version: int | None
) -> tuple[list[Revision], bool]:
    """Revisions newest first, older than `before_version`: the page and whether more follow."""
    query: dict[str, Any] = {"article_id": article_id}
    if before_version is not None:
        query["version"] = {"$lt": before_version}
    found = (
        await Revision.get_pymongo_collection()
        .find(query)
        .sort([("version", DESCENDING)])
        .limit(first + 1)
        .to_list()
    )
    revisions = [Revision.model_validate(document) for document in found]
    return revisions[:first], len(revisions) > first


async def count_revisions(article_id: PydanticObjectId) -> int:
    return await Revision.get_pymongo_collection().count_documents({"article_id": article_id})


async def get_revision(revision_id_: str) -> Revision | None:
    return await Revision.get(revision_id_)
