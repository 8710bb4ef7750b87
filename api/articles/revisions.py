"""Revisions of an article, for editors: every saved version, newest first."""

from datetime import datetime
from typing import Self

import strawberry
from beanie import PydanticObjectId

from api.articles.types import ArticleStatus, Image
from api.auth import require
from api.coded_errors import user_input
from api.context import Info
from api.pagination import page_size
from cms import revisions
from cms.access import Permission
from cms.errors import InvalidCursorError
from cms.reading.pagination import Cursor


@strawberry.type(description="An article's content as one save left it.")
class RevisionContent:
    headline: str = strawberry.field(description="The headline.")
    slug: str = strawberry.field(description="The slug.")
    section: str = strawberry.field(description="The section's slug.")
    tags: list[str] = strawberry.field(description="Tag slugs, in editorial order.")
    excerpt: str = strawberry.field(description="The excerpt.")
    body: str = strawberry.field(description="The body, in Markdown.")
    published_at: datetime = strawberry.field(description="The publication time.")
    image: Image | None = strawberry.field(description="The hero image.")
    # Saved before editors could pin and exclude related articles: none.
    related: list[str] = strawberry.field(
        default_factory=list, description="Slugs pinned first in its related items."
    )
    not_related: list[str] = strawberry.field(
        default_factory=list, description="Slugs never shown in its related items."
    )
    # Saved before authors: the byline as text, and no authors or credit.
    authors: list[str] = strawberry.field(
        default_factory=list, description="The byline: author slugs, in order."
    )
    credit: str = strawberry.field(default="", description="The byline's free-text credit.")
    author: str = strawberry.field(
        default="",
        description="The byline as text, in saves from before authors; empty since.",
        deprecation_reason="Saves record `authors` and `credit`.",
    )
    # Saved before scheduled unpublication: none.
    unpublish_at: datetime | None = strawberry.field(
        default=None, description="When it leaves public view by itself, if it does."
    )


@strawberry.type(description="One saved version of an article: who saved it, when, what changed.")
class Revision:
    id: strawberry.ID = strawberry.field(description="Pass it to `restoreRevision`.")
    version: int = strawberry.field(description="The article's version this save produced.")
    saved_at: datetime = strawberry.field(description="When it was saved (UTC).")
    saved_by: str = strawberry.field(description="Who saved it: a token's name, or `cli:<user>`.")
    changed_fields: list[str] = strawberry.field(
        description="Fields this save changed (content fields and `status`)."
    )
    status: ArticleStatus = strawberry.field(description="The status after this save.")
    content: RevisionContent = strawberry.field(description="The content after this save.")

    @classmethod
    def from_document(cls, revision: revisions.Revision) -> Self:
        content = dict(revision.content)
        image = content.pop("image", None)
        # An import's original feed id is no editor's content: the API does not show it.
        content.pop("original_guid", None)
        return cls(
            id=strawberry.ID(revision.id),
            version=revision.version,
            saved_at=revision.at,
            saved_by=revision.actor,
            changed_fields=revision.changed,
            status=ArticleStatus.of(revision.status),
            content=RevisionContent(**content, image=Image.of(image) if image else None),
        )


@strawberry.type(description="A page of revisions, newest first.")
class RevisionConnection:
    nodes: list[Revision] = strawberry.field(description="The revisions on this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool = strawberry.field(description="Whether older revisions follow.")
    total_count: int = strawberry.field(description="How many revisions the article has.")

    @classmethod
    async def resolve(
        cls, info: Info, *, article_id: PydanticObjectId, first: int, after: str | None
    ) -> Self:
        await require(info, Permission.PREVIEW)
        key = f"revisions:{article_id}"
        before_version = None
        if after is not None:
            with user_input():
                cursor = Cursor.decode(after, key=key, datetime_value=False)
                if not cursor.value.isdigit():
                    raise InvalidCursorError(after)
            before_version = int(cursor.value)
        found, more = await revisions.page_of_revisions(
            article_id, first=page_size(first), before_version=before_version
        )
        total = await revisions.count_revisions(article_id)
        end = Cursor(key, str(found[-1].version), article_id).encode() if found else None
        return cls(
            nodes=[Revision.from_document(revision) for revision in found],
            end_cursor=end,
            has_next_page=more,
            total_count=total,
        )
