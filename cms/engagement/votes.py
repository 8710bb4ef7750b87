"""One vote per reader and article: the vote ledger, and counters that follow it exactly.

A reader is a voter id (random, carried in a signed cookie by the API). The `votes` ledger holds
one entry per article and voter, `_id = "<article id>:<voter id>"`: the pair is unique because it
is the `_id` (mongoeco checks compound unique indexes by scanning the collection).

A vote is two writes the store cannot make atomic, so it is one journal operation of two changes:

1. the ledger entry: inserted on a first vote, or updated expecting the stars it had, so that two
   concurrent votes of one voter cannot both move the counters from the same previous stars;
2. the article's counters: `$inc` by the difference (`counter_delta`), no expectation;
3. the votes of the article's day (`cms.engagement.vote_days`): one more, no expectation.

If the process dies between them the journal completes the second: the sweep after
`journal_grace`, or at once the voter's next vote, which settles the operations named in its
ledger entry before writing on top of them. The counters change applies once per operation as
long as its id is still among the counters' `recent_ops` when the completion comes; they keep
`COUNTER_OPS` ids, so a vote completed by the sweep is exact unless that many votes reach the
same article in the meantime (and `newsroom ratings rebuild` repairs even that).
"""

from datetime import datetime
from typing import Any

from beanie import Document, PydanticObjectId
from pydantic import Field

from cms.access import ANONYMOUS
from cms.articles import Article, by_ids, parse_object_id
from cms.clock import utcnow
from cms.engagement.ratings import (
    COLLECTION,
    STARS,
    SUMMARY_FIELDS,
    ArticleRating,
    RatingSummary,
    Tally,
)
from cms.engagement.vote_days import day_change
from cms.errors import ArticleNotFoundError, ContentionError, InvalidStarsError
from cms.spine import journal
from cms.spine.events import Event, EventType
from cms.spine.journal import Change, ChangeKind, ChangeRefused, Operation, new_op_id
from cms.visibility import Audience

LEDGER = "votes"
# Operation ids a counters document remembers (see above): about 32 KB of ids on a busy article.
COUNTER_OPS = 1000
# Each refusal means another vote of the same voter on the same article went first: of a
# voter's concurrent votes (a few; the per-voter rate limit bounds them), each round one wins.
MAX_ATTEMPTS = 30


class Vote(Document):
    """One voter's current stars for one article."""

    id: str  # type: ignore[assignment]  # "<article id>:<voter id>"
    article: PydanticObjectId
    voter: str
    stars: int
    at: datetime
    recent_ops: list[str] = Field(default_factory=list)

    class Settings:
        # Read by `_id`; a recount reads an article's entries by `_id` range: no further index.
        name = LEDGER


def ledger_id(article_id: PydanticObjectId, voter: str) -> str:
    return f"{article_id}:{voter}"


def counter_delta(previous: int | None, stars: int) -> dict[str, int]:
    """How the counters move when a voter's stars go from `previous` (None: no vote) to `stars`.

    Nothing moves for the same stars again; a change of mind moves the total by the difference
    and one vote from one number of stars to the other, without counting the voter twice.
    """
    if previous == stars:
        return {}
    delta = {"votes": 1, "star_total": stars, f"stars_{stars}": 1}
    if previous is not None:
        delta["votes"] = 0
        delta["star_total"] -= previous
        delta[f"stars_{previous}"] = -1
    return {name: value for name, value in delta.items() if value}


async def cast(
    *, voter: str, new_voter: bool, article_id: str, stars: int
) -> tuple[Article, RatingSummary]:
    """Record `voter`'s `stars` for a public article; the article and its rating after the vote.

    `new_voter`: the voter id was just issued, so it has no ledger entry to read.
    """
    if stars not in STARS:
        raise InvalidStarsError(stars)
    object_id = parse_object_id(article_id)
    found = await by_ids([object_id], Audience.PUBLIC) if object_id else {}
    article = found.get(object_id) if object_id else None
    if article is None or object_id is None:
        raise ArticleNotFoundError(article_id)
    entry_id = ledger_id(object_id, voter)
    for _ in range(MAX_ATTEMPTS):
        entry = None if new_voter else await _entry(entry_id)
        previous = entry["stars"] if entry else None
        if previous == stars:
            counters = await ArticleRating.get_pymongo_collection().find_one(
                {"_id": object_id}, SUMMARY_FIELDS
            )
            return article, RatingSummary.of(counters)
        operation = _vote(article, voter=voter, previous=previous, stars=stars)
        try:
            _, counters, _ = await journal.run(operation)
        except ChangeRefused:
            new_voter = False  # another vote of this voter wrote the entry first: vote on top
            continue
        return article, RatingSummary.of(counters)
    raise ContentionError(f"The vote on {article_id} kept losing to the same voter's other votes.")


async def _entry(entry_id: str) -> dict[str, Any] | None:
    """The ledger entry, after completing any vote on it still in flight.

    A vote interrupted between its ledger write and its counters write names itself in the
    entry's `recent_ops`: settling it first means the counters never lag behind the ledger that
    the next vote builds on.
    """
    entry = await Vote.get_pymongo_collection().find_one({"_id": entry_id})
    if entry is not None and await journal.settle(entry.get("recent_ops", [])):
        entry = await Vote.get_pymongo_collection().find_one({"_id": entry_id})
    return entry


def _vote(article: Article, *, voter: str, previous: int | None, stars: int) -> Operation:
    assert article.id is not None
    op_id, now = new_op_id(), utcnow()
    entry_id = ledger_id(article.id, voter)
    if previous is None:
        document = {"article": article.id, "voter": voter, "stars": stars, "at": now}
        ledger = Change(
            collection=LEDGER, target=entry_id, kind=ChangeKind.INSERT, document=document
        )
    else:
        ledger = Change(
            collection=LEDGER,
            target=entry_id,
            kind=ChangeKind.UPDATE,
            expect={"stars": previous},
            set={"stars": stars, "at": now},
        )
    counters = Change(
        collection=COLLECTION,
        target=article.id,
        kind=ChangeKind.UPDATE,
        inc=counter_delta(previous, stars),
        upsert=True,
        # Counted from the ledger from the start: nothing to adopt as a baseline.
        set_on_insert={"baseline": Tally().fields()},
        keep_ops=COUNTER_OPS,
    )
    day = day_change(article.id, at=now, first=previous is None, keep_ops=COUNTER_OPS)
    event = Event(
        event_id=f"{op_id}:0",
        type=EventType.RATING_CHANGED,
        at=now,
        actor=ANONYMOUS.name,
        subject=str(article.id),
        slug=article.slug,
        # A change of mind also says what it replaced.
        data={"stars": stars} | ({} if previous is None else {"previous": previous}),
    )
    return Operation(
        id=op_id, at=now, actor=ANONYMOUS.name, changes=[ledger, counters, day], events=[event]
    )
