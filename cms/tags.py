"""Tags: editorial labels that group articles."""

import asyncio
from collections.abc import Sequence
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId, SortDirection

from cms.articles import Article
from cms.pagination import Cursor, keyset_filter
from cms.visibility import visible


class Tag(Document):
    slug: Annotated[str, Indexed(unique=True)]
    name: str
    description: str = ""

    class Settings:
        name = "tags"


async def by_slugs(slugs: Sequence[str]) -> dict[str, Tag]:
    """Tags by slug (the unique index); tags are public whether or not articles use them."""
    found = await Tag.find({"slug": {"$in": list(set(slugs))}}).to_list()
    return {tag.slug: tag for tag in found}


async def by_ids(ids: Sequence[PydanticObjectId]) -> dict[PydanticObjectId, Tag]:
    found = await Tag.find({"_id": {"$in": list(set(ids))}}).to_list()
    return {tag.id: tag for tag in found if tag.id is not None}


async def page_of_tags(*, first: int, after: Cursor | None) -> tuple[list[Tag], bool, int]:
    """Tags in slug order after `after`: the page, whether more follow, and the total."""
    query = keyset_filter(("slug", 1), after) if after else {}
    found, total = await asyncio.gather(
        Tag.find(query)
        .sort([("slug", SortDirection.ASCENDING), ("_id", SortDirection.ASCENDING)])
        .limit(first + 1)
        .to_list(),
        Tag.find({}).count(),
    )
    return found[:first], len(found) > first, total


async def article_counts(slugs: Sequence[str]) -> dict[str, int]:
    """How many visible articles carry each tag, in one aggregation."""
    wanted = list(set(slugs))
    pipeline: list[dict[str, object]] = [
        {"$match": {"tags": {"$in": wanted}, **visible()}},
        {"$unwind": "$tags"},
        {"$match": {"tags": {"$in": wanted}}},
        {"$group": {"_id": "$tags", "count": {"$sum": 1}}},
    ]
    rows = await Article.get_pymongo_collection().aggregate(pipeline)
    return {row["_id"]: row["count"] async for row in rows}
