"""Votes."""

from typing import Annotated

import strawberry
from strawberry import relay

from api.articles.types import Article
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


def _article_id(global_id: str) -> str:
    """The article's own id inside a global ID; anything else yields an id nothing matches."""
    try:
        parsed = relay.GlobalID.from_id(global_id)
    except relay.GlobalIDValueError:
        return ""
    return parsed.node_id if parsed.type_name == "Article" else ""


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
            article, summary = await ratings.vote(article_id=_article_id(article_id), stars=stars)
        except InvalidStarsError as error:
            return InvalidStars(code=VoteErrorCode.INVALID_STARS, message=str(error))
        except ArticleNotFoundError:
            message = f"No published article has the ID {article_id!r}."
            return ArticleNotFound(code=VoteErrorCode.ARTICLE_NOT_FOUND, message=message)
        return VoteSuccess(
            article=Article.from_document(article), rating=Rating.from_summary(summary)
        )
