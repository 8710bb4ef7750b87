"""The GraphQL face of star ratings."""

from typing import Annotated, Self

import strawberry
from strawberry import relay

from api.articles.types import Article
from api.user_errors import ArticleNotFound, InvalidStars, RateLimited
from cms.engagement.ratings import STARS, RatingSummary


@strawberry.type(description="How many votes gave one number of stars.")
class StarCount:
    stars: int = strawberry.field(description="The number of stars, 1 to 5.")
    count: int = strawberry.field(description="How many votes gave that many stars.")


@strawberry.type(description="Readers' star rating of an article, 1 to 5 stars.")
class Rating:
    id: strawberry.ID = strawberry.field(
        description="Stable and unique per article (not the article's own `id`), so that "
        "normalizing caches (Apollo Client, Relay) update one record when a vote changes it."
    )
    average: float = strawberry.field(
        description="Mean stars, rounded to one decimal; 0 when there are no votes yet."
    )
    count: int = strawberry.field(description="How many votes were cast.")
    distribution: list[StarCount] = strawberry.field(
        description="Votes per number of stars, from 1 to 5, zeros included. Votes brought from "
        "a system that kept only totals (WordPress's Rate My Post) count in `count` and "
        "`average` but not here: `distributionCount` says how many votes it holds."
    )
    distribution_count: int = strawberry.field(
        description="How many of `count`'s votes `distribution` holds: all of them, unless some "
        "were imported as totals only."
    )

    @classmethod
    def from_summary(cls, summary: RatingSummary, article_id: object) -> Self:
        return cls(
            id=strawberry.ID(relay.to_base64("Rating", str(article_id))),
            average=summary.average,
            count=summary.count,
            distribution_count=sum(summary.distribution),
            distribution=[
                StarCount(stars=stars, count=count)
                for stars, count in zip(STARS, summary.distribution, strict=True)
            ],
        )


@strawberry.type(
    description="The vote is counted: the reader's first vote on the article, or their new stars "
    "in place of their earlier vote (the same stars again change nothing)."
)
class VoteSuccess:
    article: Article = strawberry.field(
        description="The article voted on: select `rating { id ... }` in it so that a "
        "normalizing cache updates the article in place."
    )
    rating: Rating = strawberry.field(description="The article's rating including this vote.")


VoteResult = Annotated[
    VoteSuccess | ArticleNotFound | InvalidStars | RateLimited,
    strawberry.union(
        "VoteResult", description="The outcome of a vote: success, or why it was not counted."
    ),
]
