"""Tags: editorial labels that group articles."""

from collections.abc import Sequence
from typing import Annotated

from beanie import Document, Indexed, PydanticObjectId
from pydantic import Field

from cms.articles import Article
from cms.content import Slug, TagFields
from cms.reading.pagination import Cursor, SlugPage, page_by_slug
from cms.store.batches import find_in
from cms.visibility import Audience, readable


class Tag(Document, TagFields):
    slug: Annotated[Slug, Indexed(unique=True)]
    # The slugs of tags merged into this one (`cms.workflow.tag_merge`): `tag(slug:)` answers
    # with this tag for them, and no new tag may take them.
    aliases: list[str] = Field(default_factory=list)
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


async def page_of_tags(
    *, first: int, after: Cursor | None, last: int | None = None, before: Cursor | None = None
) -> SlugPage[Tag]:
    """Tags in slug order: `first` after `after`, or (given `last`) the `last` before `before`."""
    return await page_by_slug(Tag, first=first, after=after, last=last, before=before)


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
