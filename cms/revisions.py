"""Revisions: every saved version of an article, with who saved it, when, and what changed.

An article a load created keeps no revision while it is at that first version: the article is
that revision (`implied_document`), and the save that replaces it records it first (a
journal prelude, `cms.workflow.plans`). A load of 10,000 articles writes 10,000 documents fewer.

A revision's content is stored as one compressed BSON value: it is written once, read whole and
never queried by field, and the embedded store's cost is per value (a revision as documents cost
as much to insert as its article, and a load writes one for each). It also takes about half the
space, on MongoDB as well.
"""

import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

import bson
from beanie import Document, PydanticObjectId
from bson import ObjectId
from bson.codec_options import CodecOptions
from pydantic import field_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from cms.articles import Article
from cms.content import ARTICLE_FIELDS
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

    @field_validator("content", mode="before")
    @classmethod
    def _unpacked(cls, value: Any) -> Any:
        # Revisions kept before content was packed hold it as a document.
        return unpack_content(value) if isinstance(value, bytes) else value

    class Settings:
        name = COLLECTION
        # `Article.revisions`: newest first, a page at a time.
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("article_id", ASCENDING), ("version", DESCENDING)])
        ]


# Dates as the store's client gives them back (aware, in UTC).
_CODEC: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)


def pack_content(content: dict[str, Any]) -> bytes:
    # The fastest level: most of the saving is in the values, not the bytes.
    return zlib.compress(bson.encode(content), 1)


def unpack_content(packed: bytes) -> dict[str, Any]:
    return bson.decode(zlib.decompress(packed), codec_options=_CODEC)


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
        "content": pack_content(content),
        "status": status.value,
        "updated_at": updated_at,
    }


def implied_document(article: Mapping[str, Any]) -> dict[str, Any] | None:
    """The first revision of this stored article if a load created it and nothing replaced that
    version yet (it keeps none then), as that version's replacing save records it; else None."""
    if article.get("version") != 1 or article.get("loaded_version") != 1:
        return None
    return revision_document(
        article_id=article["_id"],
        version=1,
        at=article.get("created_at") or article["updated_at"],
        actor=article.get("created_by", ""),
        actor_id=article.get("created_by_id", ""),
        changed=[*ARTICLE_FIELDS, "status"],
        content={name: article[name] for name in ARTICLE_FIELDS if name in article},
        status=ArticleStatus(article["status"]),
        updated_at=article["updated_at"],
    )


async def _implied(article_id: ObjectId) -> Revision | None:
    article = await Article.get_pymongo_collection().find_one({"_id": article_id})
    document = implied_document(article) if article is not None else None
    return Revision.model_validate(document) if document is not None else None


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
    if not revisions and (before_version is None or before_version > 1):
        # None stored: it may be at a first version that is the article itself.
        implied = await _implied(article_id)
        revisions = [implied] if implied is not None else []
    return revisions[:first], len(revisions) > first


async def count_revisions(article_id: PydanticObjectId) -> int:
    stored = await Revision.get_pymongo_collection().count_documents({"article_id": article_id})
    return stored or int(await _implied(article_id) is not None)


async def get_revision(revision_id_: str) -> Revision | None:
    found = await Revision.get(revision_id_)
    if found is not None:
        return found
    article_id, _, version = revision_id_.partition(":")
    if not (version.isdigit() and int(version) == 1 and ObjectId.is_valid(article_id)):
        return None
    return await _implied(ObjectId(article_id))
