"""Votes: one per reader and article, the latest stars counting."""

from typing import Annotated

import strawberry

from api.articles.types import Article
from api.context import Info
from api.metrics import VOTES, count_outcomes
from api.nodes import node_id_of
from api.rate_limits import hold
from api.ratings.types import Rating, VoteResult, VoteSuccess
from api.user_errors import user_error
from cms.engagement import votes
from cms.errors import ArticleNotFoundError, CallerError
from cms.visibility import Audience


@strawberry.type
class RatingMutation:
    @strawberry.mutation(
        description="Rate a published article from 1 to 5 stars. A reader (known by a signed "
        "cookie this sets) has one vote per article: voting again replaces their stars."
    )
    @count_outcomes(VOTES)
    async def vote(
        self,
        info: Info,
        article_id: Annotated[
            strawberry.ID, strawberry.argument(description="The article's global `id`.")
        ],
        stars: Annotated[int, strawberry.argument(description="From 1 to 5.")],
    ) -> VoteResult:
        settings = info.context.settings
        visitor = info.context.visitor()
        try:
            await hold(
                info,
                action="vote",
                per_address=settings.vote_limit_per_address,
                per_voter=settings.vote_limit_per_voter,
            )
            node_id = node_id_of(article_id, "Article")
            if node_id is None:
                raise ArticleNotFoundError(article_id)
            article, summary = await votes.cast(
                voter=visitor.voter, new_voter=visitor.new_voter, article_id=node_id, stars=stars
            )
        except CallerError as error:
            if isinstance(error, ArticleNotFoundError):
                # Reported with the ID the caller sent, not the id inside it.
                error = ArticleNotFoundError(article_id)
            return user_error(error)  # type: ignore[return-value]
        assert article.id is not None
        # `article { rating }` answers with this vote's counters, without reading them again.
        info.context.loaders.rating_by_article_id.prime(article.id, summary)
        return VoteSuccess(
            article=Article.from_document(article, Audience.PUBLIC),
            rating=Rating.from_summary(summary, article.id),
        )
