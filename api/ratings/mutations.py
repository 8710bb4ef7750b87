"""Votes."""

from typing import Annotated

import strawberry

from api.articles.types import Article
from api.nodes import node_id_of
from api.ratings.types import (
    ArticleNotFound,
    InvalidStars,
    Rating,
    VoteErrorCode,
    VoteResult,
    VoteSuccess,
)
from cms import ratings
from cms.errors import ArticleNotFoundError, InvalidStarsError


@strawberry.type
class RatingMutation:
    @strawberry.mutation(description="Rate a published article from 1 to 5 stars.")
    async def vote(
        self,
        article_id: Annotated[
            strawberry.ID, strawberry.argument(description="The article's global `id`.")
        ],
        stars: Annotated[int, strawberry.argument(description="From 1 to 5.")],
    ) -> VoteResult:
        try:
            # An ID that is not an Article's matches nothing, and is reported as not found.
            node_id = node_id_of(article_id, "Article") or ""
            article, summary = await ratings.vote(article_id=node_id, stars=stars)
        except InvalidStarsError as error:
            return InvalidStars(code=VoteErrorCode.INVALID_STARS, message=str(error))
        except ArticleNotFoundError:
            message = f"No published article has the ID {article_id!r}."
            return ArticleNotFound(code=VoteErrorCode.ARTICLE_NOT_FOUND, message=message)
        return VoteSuccess(
            article=Article.from_document(article), rating=Rating.from_summary(summary)
        )
