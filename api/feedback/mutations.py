"""Readers' notes to the editors: "how can we improve this post?"."""

from typing import Annotated

import strawberry

from api.articles.types import Article
from api.context import Info
from api.feedback.types import FeedbackResult, FeedbackSent
from api.nodes import node_id_of
from api.rate_limits import hold
from api.user_errors import user_error
from cms.engagement import feedback
from cms.errors import ArticleNotFoundError, CallerError
from cms.visibility import Audience


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(
        description="Send the editors a private note about a published article (typically "
        f"after a low vote): plain text, 1 to {feedback.MAX_LENGTH} characters. Never public."
    )
    async def submit_feedback(
        self,
        info: Info,
        article_id: Annotated[
            strawberry.ID, strawberry.argument(description="The article's global `id`.")
        ],
        message: Annotated[str, strawberry.argument(description="The note, as plain text.")],
    ) -> FeedbackResult:
        settings = info.context.settings
        visitor = info.context.visitor()
        try:
            await hold(
                info,
                action="feedback",
                per_address=settings.feedback_limit_per_address,
                per_voter=settings.feedback_limit_per_voter,
            )
            node_id = node_id_of(article_id, "Article")
            if node_id is None:
                raise ArticleNotFoundError(article_id)
            voter = None if visitor.new_voter else visitor.voter
            article, _ = await feedback.submit(voter=voter, article_id=node_id, message=message)
        except CallerError as error:
            if isinstance(error, ArticleNotFoundError):
                error = ArticleNotFoundError(article_id)
            return user_error(error)  # type: ignore[return-value]
        return FeedbackSent(article=Article.from_document(article, Audience.PUBLIC))
