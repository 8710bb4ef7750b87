"""Readers' notes to the editors: "how can we improve this post?"."""

from typing import Annotated

import strawberry

from api.articles.types import Article
from api.context import Info
from api.feedback.types import FeedbackResult, FeedbackSent
from api.rate_limits import reader_request
from api.user_errors import returns_user_errors
from cms.engagement import feedback
from cms.visibility import Audience


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(
        description="Send the editors a private note about a published article (typically "
        f"after a low vote): plain text, 1 to {feedback.MAX_LENGTH} characters. Never public."
    )
    @returns_user_errors
    async def submit_feedback(
        self,
        info: Info,
        article_id: Annotated[
            strawberry.ID, strawberry.argument(description="The article's global `id`.")
        ],
        message: Annotated[str, strawberry.argument(description="The note, as plain text.")],
    ) -> FeedbackResult:
        settings = info.context.settings
        async with reader_request(
            info,
            article_id,
            action="feedback",
            per_address=settings.feedback_limit_per_address,
            per_voter=settings.feedback_limit_per_voter,
        ) as (visitor, node_id):
            voter = None if visitor.new_voter else visitor.voter
            article, _ = await feedback.submit(voter=voter, article_id=node_id, message=message)
        return FeedbackSent(article=Article.from_document(article, Audience.PUBLIC))
