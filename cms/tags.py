"""Tags: editorial labels that group articles."""

import asyncio
from collections.abc import Sequence
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId, SortDirection
from pydantic import Field

from cms.articles import Article
from cms.content import Slug, TagFields
from cms.pagination import Cursor, keyset_filter
from cms.store.batches import find_in
from cms.visibility import Audience, readable


class Tag(Document, TagFields):
    slug: Annotated[Slug, Indexed(unique=True)]
    recent_ops: list[str] = Field(default_factory=list)

    class Settings:
        name = "tags"


async def by_slugs(slugs: Sequence[str]) -> dict[str, Tag]:
    """Tags by slug (the unique index); tags are public whether or not articles use them."""
    found = await find_in(Tag.get_pymongo_collection(), "slug", slugs)
    return {document["slug"]: Tag.model_validate(document) for document in found}


async def by_ids(ids: Sequence[PydanticObjectId]) -> dict[PydanticObjectId, Tag]:
    found = await find_in(Tag.get_pymongo_collection(), "_id", ids)
    return {document["_id"]: Tag.model_validate(document) for document in found}


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


async def article_counts(slugs: Sequence[str], audience: Audience) -> dict[str, int]:
    """How many articles `audience` may read carry each tag, in one aggregation per chunk."""
    counts: dict[str, int] = {}
    wanted = list(dict.fromkeys(slugs))
    from cms.store.batches import chunks

    for part in chunks(wanted):
        pipeline: list[dict[str, object]] = [
            {"$match": {"tags": {"$in": part}, **readable(audience)}},
            {"$unwind": "$tags"},
            {"$match": {"tags": {"$in": part}}},
            {"$group": {"_id": "$tags", "count": {"$sum": 1}}},
        ]
        rows = await Article.get_pymongo_collection().aggregate(pipeline)
        counts |= {row["_id"]: row["count"] async for row in rows}
    return counts
