"""Readers' notes to the editors: "how can we improve this post?"."""

from typing import Annotated

import strawberry

from api.articles.types import Article, ArticleId
from api.context import Info
from api.feedback.types import FeedbackResult, FeedbackSent
from api.rate_limits import reader_request
from api.user_errors import returns_user_errors
from cms.engagement import feedback
from cms.visibility import Audience

Note = Annotated[str, strawberry.argument(description="The note, as plain text.")]


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(
        description="Send the editors a private note about a published article (typically "
        f"after a low vote): plain text, 1 to {feedback.MAX_LENGTH} characters. Never public."
    )
    @returns_user_errors
    async def submit_feedback(
        self, info: Info, article_id: ArticleId, message: Note
    ) -> FeedbackResult:
        async with reader_request(info, article_id, action="feedback") as (visitor, node_id):
            voter = None if visitor.new_voter else visitor.voter
            article, _ = await feedback.submit(voter=voter, article_id=node_id, message=message)
        return FeedbackSent(article=Article.from_document(article, Audience.PUBLIC))
