"""Votes."""

from typing import Annotated

import strawberry

from api.articles.types import Article
from api.metrics import VOTES, count_outcomes
from api.nodes import node_id_of
from api.ratings.types import Rating, VoteResult, VoteSuccess
from api.user_errors import user_error
from cms import ratings
from cms.access import ANONYMOUS
from cms.errors import ArticleNotFoundError, CallerError
from cms.visibility import Audience


@strawberry.type
class RatingMutation:
    @strawberry.mutation(description="Rate a published article from 1 to 5 stars.")
    @count_outcomes(VOTES)
    async def vote(
        self,
        article_id: Annotated[
            strawberry.ID, strawberry.argument(description="The article's global `id`.")
        ],
        stars: Annotated[int, strawberry.argument(description="From 1 to 5.")],
    ) -> VoteResult:
        try:
            node_id = node_id_of(article_id, "Article")
            if node_id is None:
                raise ArticleNotFoundError(article_id)
            article, summary = await ratings.vote(actor=ANONYMOUS, article_id=node_id, stars=stars)
        except CallerError as error:
            if isinstance(error, ArticleNotFoundError):
                # Reported with the ID the caller sent, not the id inside it.
                error = ArticleNotFoundError(article_id)
            return user_error(error)  # type: ignore[return-value]
        return VoteSuccess(
            article=Article.from_document(article, Audience.PUBLIC),
            rating=Rating.from_summary(summary),
        )
