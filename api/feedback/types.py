"""The GraphQL face of readers' feedback: what editors read, and what a reader gets back."""

from datetime import datetime
from typing import Annotated, Self

import strawberry
from beanie import PydanticObjectId

from api.articles.types import Article
from api.auth import require
from api.coded_errors import user_input
from api.context import Info
from api.pagination import page_size
from api.user_errors import ArticleNotFound, InvalidInput, RateLimited
from cms.access import Permission
from cms.engagement import feedback
from cms.reading.pagination import Cursor
from cms.visibility import Audience


@strawberry.type(description="A reader's private note about an article. Only editors see it.")
class Feedback:
    id: strawberry.ID = strawberry.field(description="The note's id.")
    message: str = strawberry.field(
        description="What the reader wrote: plain text (never render it as HTML), up to "
        f"{feedback.MAX_LENGTH} characters."
    )
    stars: int | None = strawberry.field(
        description="The reader's stars for the article when they wrote, if they had voted."
    )
    submitted_at: datetime = strawberry.field(description="When it was sent (UTC).")
    article_id: strawberry.Private[PydanticObjectId]

    @classmethod
    def from_document(cls, note: feedback.Feedback) -> Self:
        return cls(
            id=strawberry.ID(str(note.id)),
            message=note.message,
            stars=note.stars,
            submitted_at=note.at,
            article_id=note.article,
        )

    @strawberry.field(description="The article it is about, in any status; null if deleted.")
    async def article(self, info: Info) -> Article | None:
        found = await info.context.loaders_for(Audience.PREVIEW).article_by_id.load(self.article_id)
        return Article.from_document(found, Audience.PREVIEW) if found else None


@strawberry.type(description="A page of readers' notes, newest first.")
class FeedbackConnection:
    nodes: list[Feedback] = strawberry.field(description="The notes on this page.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")
    has_next_page: bool = strawberry.field(description="Whether older notes follow.")
    total_count: int = strawberry.field(description="How many notes the list has in all.")

    @classmethod
    async def resolve(
        cls,
        info: Info,
        *,
        first: int | None,
        after: str | None,
        article_id: PydanticObjectId | None,
    ) -> Self:
        await require(info, Permission.EDIT)
        key = f"feedback:{article_id or 'all'}"
        before = None
        if after is not None:
            with user_input():
                before = Cursor.decode(after, key=key, datetime_value=False).id
        found, more = await feedback.page_of_feedback(
            first=page_size(first), before=before, article_id=article_id
        )
        total = await feedback.count_feedback(article_id)
        end = Cursor(key, "", found[-1].id).encode() if found and found[-1].id else None
        return cls(
            nodes=[Feedback.from_document(note) for note in found],
            end_cursor=end,
            has_next_page=more,
            total_count=total,
        )


@strawberry.type(description="The note reached the editors. It is never shown publicly.")
class FeedbackSent:
    article: Article = strawberry.field(description="The article the note is about.")


FeedbackResult = Annotated[
    FeedbackSent | ArticleNotFound | InvalidInput | RateLimited,
    strawberry.union(
        "FeedbackResult", description="The outcome of a note: sent, or why it was not."
    ),
]
