"""Votes: one per reader and article, the latest stars counting."""

from typing import Annotated

import strawberry

from api.articles.types import Article, ArticleId
from api.context import Info
from api.metrics import VOTES, count_outcomes
from api.rate_limits import reader_request
from api.ratings.types import Rating, VoteResult, VoteSuccess
from api.user_errors import returns_user_errors
from cms.engagement import votes
from cms.visibility import Audience

Stars = Annotated[int, strawberry.argument(description="From 1 to 5.")]


@strawberry.type
class RatingMutation:
    @strawberry.mutation(
        description="Rate a published article from 1 to 5 stars. A reader (known by a signed "
        "cookie this sets) has one vote per article: voting again replaces their stars."
    )
    @count_outcomes(VOTES)
    @returns_user_errors
    async def vote(self, info: Info, article_id: ArticleId, stars: Stars) -> VoteResult:
        async with reader_request(info, article_id, action="vote") as (visitor, node_id):
            article, summary = await votes.cast(
                voter=visitor.voter, new_voter=visitor.new_voter, article_id=node_id, stars=stars
            )
        assert article.id is not None
        # `article { rating }` answers with this vote's counters, without reading them again.
        info.context.loaders.rating_by_article_id.prime(article.id, summary)
        return VoteSuccess(
            article=Article.from_document(article, Audience.PUBLIC),
            rating=Rating.from_summary(summary, article.id),
        )
