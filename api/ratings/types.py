"""The GraphQL face of star ratings."""

from enum import Enum
from typing import Annotated, Self

import strawberry

from api.articles.types import Article
from cms.ratings import STARS, RatingSummary


@strawberry.type(description="How many votes gave one number of stars.")
class StarCount:
    stars: int = strawberry.field(description="The number of stars, 1 to 5.")
    count: int = strawberry.field(description="How many votes gave that many stars.")


@strawberry.type(description="Readers' star rating of an article, 1 to 5 stars.")
class Rating:
    average: float = strawberry.field(
        description="Mean stars, rounded to one decimal; 0 when there are no votes yet."
    )
    count: int = strawberry.field(description="How many votes were cast.")
    distribution: list[StarCount] = strawberry.field(
        description="Votes per number of stars, from 1 to 5, zeros included."
    )

    @classmethod
    def from_summary(cls, summary: RatingSummary) -> Self:
        return cls(
            average=summary.average,
            count=summary.count,
            distribution=[
                StarCount(stars=stars, count=count)
                for stars, count in zip(STARS, summary.distribution, strict=True)
            ],
        )


@strawberry.enum(description="Why a vote was not counted.")
class VoteErrorCode(Enum):
    ARTICLE_NOT_FOUND = strawberry.enum_value(
        "article_not_found", description="No published article has that ID."
    )
    INVALID_STARS = strawberry.enum_value(
        "invalid_stars", description="Stars must be a whole number from 1 to 5."
    )


@strawberry.type(description="The vote was counted.")
class VoteSuccess:
    article: Article = strawberry.field(description="The article voted on.")
    rating: Rating = strawberry.field(description="The article's rating including this vote.")


@strawberry.interface(description="Why a vote was not counted.")
class VoteError:
    code: VoteErrorCode = strawberry.field(description="What went wrong, for programs.")
    message: str = strawberry.field(description="What went wrong, for people.")


@strawberry.type(description="The vote was not counted: no published article has that ID.")
class ArticleNotFound(VoteError):
    pass


@strawberry.type(description="The vote was not counted: stars were not from 1 to 5.")
class InvalidStars(VoteError):
    pass


VoteResult = Annotated[
    VoteSuccess | ArticleNotFound | InvalidStars,
    strawberry.union(
        "VoteResult", description="The outcome of a vote: success, or why it was not counted."
    ),
]
