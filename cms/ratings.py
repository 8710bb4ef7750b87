"""Star ratings: one counter document per article, changed only by atomic increments."""

from collections.abc import Iterable
from dataclasses import dataclass

from beanie import Document, PydanticObjectId
from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from cms.articles import Article, parse_object_id
from cms.errors import ArticleNotFoundError, InvalidStarsError
from cms.visibility import visible

STARS = range(1, 6)


class ArticleRating(Document):
    """Vote counters for the article whose `_id` this shares."""

    votes: int = 0
    star_total: int = 0
    stars_1: int = 0
    stars_2: int = 0
    stars_3: int = 0
    stars_4: int = 0
    stars_5: int = 0

    class Settings:
        # Looked up by `_id` only (the article's id): no further index.
        name = "ratings"


@dataclass(frozen=True, slots=True)
class RatingSummary:
    count: int
    total: int
    distribution: tuple[int, int, int, int, int]

    @property
    def average(self) -> float:
        if not self.count:
            return 0.0
        # Half up, in integers: round() on floats gives 4.45 -> 4.5 but 4.25 -> 4.2.
        tenths = (20 * self.total + self.count) // (2 * self.count)
        return tenths / 10

    @classmethod
    def of(cls, rating: ArticleRating | None) -> "RatingSummary":
        if rating is None:
            return cls(count=0, total=0, distribution=(0, 0, 0, 0, 0))
        stars = (rating.stars_1, rating.stars_2, rating.stars_3, rating.stars_4, rating.stars_5)
        return cls(count=rating.votes, total=rating.star_total, distribution=stars)


async def ratings_for(ids: Iterable[PydanticObjectId]) -> dict[PydanticObjectId, RatingSummary]:
    """Summaries for these articles, zero for those that have no votes yet."""
    wanted = list(set(ids))
    found = await ArticleRating.find({"_id": {"$in": wanted}}).to_list()
    by_id = {rating.id: rating for rating in found}
    return {article_id: RatingSummary.of(by_id.get(article_id)) for article_id in wanted}


async def vote(*, article_id: str, stars: int) -> tuple[Article, RatingSummary]:
    """Count one vote of `stars` for a visible article, and return its new rating.

    The counters change in one `$inc` on one document, so concurrent votes are never lost and no
    transaction is needed.
    """
    if stars not in STARS:
        raise InvalidStarsError(stars)
    object_id = parse_object_id(article_id)
    article = await Article.find_one({"_id": object_id, **visible()}) if object_id else None
    if article is None:
        raise ArticleNotFoundError(article_id)
    increment = {"$inc": {"votes": 1, "star_total": stars, f"stars_{stars}": 1}}
    collection = ArticleRating.get_pymongo_collection()
    try:
        updated = await collection.find_one_and_update(
            {"_id": object_id}, increment, upsert=True, return_document=ReturnDocument.AFTER
        )
    except DuplicateKeyError:
        # Two first votes raced to insert the counter; the loser's retry finds it (MongoDB
        # itself retries this case server-side since 4.2, other servers may not).
        updated = await collection.find_one_and_update(
            {"_id": object_id}, increment, return_document=ReturnDocument.AFTER
        )
    return article, RatingSummary.of(ArticleRating.model_validate(updated))
