"""Votes per article and day: a small counter document per pair, moved by the vote itself.

The ledger keeps each reader's current stars and when they last voted, not every vote, so votes
per day cannot be read back from it; and counting them per page view would be a scan. Each vote
therefore moves one more counter in its journal operation, beside the article's rating counters
(`cms.engagement.votes`): `_id = "<article id>:<YYYY-MM-DD>"` (UTC), read by `_id` only.
"""

from datetime import date, datetime, timedelta

from beanie import Document, PydanticObjectId
from pydantic import Field

from cms.spine.journal import Change, ChangeKind
from cms.store.batches import find_in

COLLECTION = "vote_days"


class VoteDay(Document):
    """The votes cast on one article on one day (UTC): `first` of them by new voters."""

    id: str  # type: ignore[assignment]  # "<article id>:<YYYY-MM-DD>"
    article: PydanticObjectId
    day: str
    votes: int = 0
    first: int = 0
    recent_ops: list[str] = Field(default_factory=list)

    class Settings:
        # Read by `_id` only.
        name = COLLECTION


def day_id(article_id: PydanticObjectId, day: date) -> str:
    return f"{article_id}:{day.isoformat()}"


def day_change(article_id: PydanticObjectId, *, at: datetime, first: bool, keep_ops: int) -> Change:
    """What one vote cast at `at` adds to its day (`first`: the voter had no vote yet)."""
    day = at.date()
    return Change(
        collection=COLLECTION,
        target=day_id(article_id, day),
        kind=ChangeKind.UPDATE,
        inc={"votes": 1, "first": 1} if first else {"votes": 1},
        upsert=True,
        set_on_insert={"article": article_id, "day": day.isoformat()},
        keep_ops=keep_ops,
    )


async def votes_per_day(
    article_id: PydanticObjectId, *, last: date, days: int
) -> list[tuple[date, int]]:
    """Votes cast on each of the `days` days up to `last`, oldest first: `days` reads by `_id`
    (batched), however many votes there were."""
    wanted = [last - timedelta(days=back) for back in range(days - 1, -1, -1)]
    ids = [day_id(article_id, day) for day in wanted]
    found = await find_in(VoteDay.get_pymongo_collection(), "_id", ids, projection={"votes": 1})
    counts = {document["_id"]: int(document.get("votes", 0)) for document in found}
    return [(day, counts.get(day_id(article_id, day), 0)) for day in wanted]
