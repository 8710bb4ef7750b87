"""Star ratings: one counter document per article, changed only by atomic increments."""

from collections.abc import Iterable
from dataclasses import dataclass

from beanie import Document, PydanticObjectId
from pydantic import Field

from cms import journal
from cms.access import Actor
from cms.articles import Article, by_ids, parse_object_id
from cms.clock import utcnow
from cms.errors import ArticleNotFoundError, InvalidStarsError
from cms.events import Event, EventType
from cms.journal import Change, ChangeKind, Operation, new_op_id
from cms.store.batches import find_in
from cms.visibility import Audience

STARS = range(1, 6)
COLLECTION = "ratings"


class ArticleRating(Document):
    """Vote counters for the article whose `_id` this shares."""

    votes: int = 0
    star_total: int = 0
    stars_1: int = 0
    stars_2: int = 0
    stars_3: int = 0
    stars_4: int = 0
    stars_5: int = 0
    recent_ops: list[str] = Field(default_factory=list)

    class Settings:
        # Looked up by `_id` only (the article's id): no further index.
        name = COLLECTION


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
    found = await find_in(ArticleRating.get_pymongo_collection(), "_id", wanted)
    by_id = {document["_id"]: ArticleRating.model_validate(document) for document in found}
    return {article_id: RatingSummary.of(by_id.get(article_id)) for article_id in wanted}


async def vote(*, actor: Actor, article_id: str, stars: int) -> tuple[Article, RatingSummary]:
    """Count one vote of `stars` for a public article, and return its new rating.

    The counters change in one `$inc` on one document, so concurrent votes are never lost and no
    transaction is needed; the journal announces it (`rating.changed`) exactly once.
    """
    if stars not in STARS:
        raise InvalidStarsError(stars)
    object_id = parse_object_id(article_id)
    found = await by_ids([object_id], Audience.PUBLIC) if object_id else {}
    article = found.get(object_id) if object_id else None
    if article is None or object_id is None:
        raise ArticleNotFoundError(article_id)
    op_id = new_op_id()
    now = utcnow()
    change = Change(
        collection=COLLECTION,
        target=object_id,
        kind=ChangeKind.UPDATE,
        inc={"votes": 1, "star_total": stars, f"stars_{stars}": 1},
        upsert=True,
    )
    event = Event(
        event_id=f"{op_id}:0",
        type=EventType.RATING_CHANGED,
        at=now,
        actor=actor.name,
        subject=article_id,
        slug=article.slug,
        data={"stars": stars},
    )
    (updated,) = await journal.run(
        Operation(id=op_id, at=now, actor=actor.name, changes=[change], events=[event])
    )
    return article, RatingSummary.of(ArticleRating.model_validate(updated))
