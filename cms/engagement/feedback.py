"""Readers' private notes to the editors ("how can we improve this post?"), never shown publicly.

A note is plain text, stored as sent (trimmed) and never rendered as markup; it is written
through the journal, so it is announced on the event log (`feedback.submitted`) like every write.
"""

import contextlib
from datetime import datetime
from typing import Any, ClassVar

from beanie import Document, PydanticObjectId
from bson import ObjectId
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from cms.access import ANONYMOUS, Actor
from cms.articles import Article, by_ids, parse_object_id
from cms.clock import utcnow
from cms.content import FieldProblem
from cms.engagement.votes import Vote, ledger_id
from cms.errors import ArticleNotFoundError, FeedbackNotFoundError, InvalidContentError
from cms.spine import journal
from cms.spine.events import Event, EventType
from cms.spine.journal import Change, ChangeKind, ChangeRefused, Operation, new_op_id
from cms.text.plaintext import plain_text, unify_line_ends
from cms.visibility import Audience

MAX_LENGTH = 2000


class Feedback(Document):
    """One note about one article."""

    article: PydanticObjectId
    message: str
    # The sender's stars for the article when they wrote, if they had voted on it.
    stars: int | None = None
    at: datetime
    # Who marked it handled (`Actor.name`), and when; None while it waits.
    handled_by: str | None = None
    handled_at: datetime | None = None
    recent_ops: list[str] = Field(default_factory=list)

    class Settings:
        name = "feedback"
        indexes: ClassVar[list[IndexModel]] = [
            # One article's notes, newest first (all notes: by `_id`, which grows with time).
            IndexModel([("article", ASCENDING), ("_id", DESCENDING)]),
            # Notes with few stars, newest first (the desk's inbox filter).
            IndexModel([("stars", ASCENDING), ("_id", DESCENDING)]),
        ]


def clean_message(message: str) -> str:
    """The note as stored: trimmed, line ends unified; InvalidContentError if it is unfit."""
    text = unify_line_ends(message).strip()
    problem = None
    if not text:
        problem = "Write a few words: the note is empty."
    elif len(text) > MAX_LENGTH:
        problem = f"At most {MAX_LENGTH} characters; got {len(text)}."
    else:
        try:
            plain_text(text, paragraphs=True)
        except ValueError as error:
            problem = f"The note {error}."
    if problem:
        raise InvalidContentError([FieldProblem("message", problem)])
    return text


async def submit(*, voter: str | None, article_id: str, message: str) -> tuple[Article, Feedback]:
    """Store a reader's note about a public article for the editors; the article and the note."""
    text = clean_message(message)
    object_id = parse_object_id(article_id)
    found = await by_ids([object_id], Audience.PUBLIC) if object_id else {}
    article = found.get(object_id) if object_id else None
    if article is None or object_id is None:
        raise ArticleNotFoundError(article_id)
    stars = await _stars(object_id, voter) if voter else None
    feedback = Feedback(
        id=PydanticObjectId(), article=object_id, message=text, stars=stars, at=utcnow()
    )
    await journal.run(_submitted(feedback, article))
    return article, feedback


async def _stars(article_id: PydanticObjectId, voter: str) -> int | None:
    entry = await Vote.get_pymongo_collection().find_one(
        {"_id": ledger_id(article_id, voter)}, {"stars": 1}
    )
    return int(entry["stars"]) if entry else None


def _submitted(feedback: Feedback, article: Article) -> Operation:
    op_id = new_op_id()
    change = Change(
        collection=Feedback.Settings.name,
        target=feedback.id,
        kind=ChangeKind.INSERT,
        document=feedback.model_dump(exclude={"id", "recent_ops", "handled_by", "handled_at"}),
    )
    event = Event(
        event_id=f"{op_id}:0",
        type=EventType.FEEDBACK_SUBMITTED,
        at=feedback.at,
        actor=ANONYMOUS.name,
        subject=str(article.id),
        slug=article.slug,
        # The note itself stays with the editors: event readers get where to find it.
        data={"feedback_id": str(feedback.id), "stars": feedback.stars},
    )
    return Operation(
        id=op_id, at=feedback.at, actor=ANONYMOUS.name, changes=[change], events=[event]
    )


# Stars the desk's inbox calls low.
LOW_STARS = (1, 2)


async def page_of_feedback(
    *,
    first: int,
    before: ObjectId | None,
    article_id: PydanticObjectId | None,
    low: bool = False,
) -> tuple[list[Feedback], bool]:
    """Notes newest first (about one article, if given; with low stars only, if `low`), older
    than `before`; and whether more follow."""
    query: dict[str, Any] = {} if article_id is None else {"article": article_id}
    if low:
        # `$in` rather than a range: notes without stars hold null, and a range over mixed
        # types is wrong on the embedded store.
        query["stars"] = {"$in": list(LOW_STARS)}
    if before is not None:
        query["_id"] = {"$lt": before}
    found = (
        await Feedback.get_pymongo_collection()
        .find(query)
        .sort([("_id", DESCENDING)])
        .limit(first + 1)
        .to_list()
    )
    notes = [Feedback.model_validate(document) for document in found]
    return notes[:first], len(notes) > first


async def count_feedback(article_id: PydanticObjectId | None) -> int:
    query = {} if article_id is None else {"article": article_id}
    return await Feedback.get_pymongo_collection().count_documents(query)


async def mark_handled(*, actor: Actor, feedback_id: str) -> Feedback:
    """Mark a note handled by `actor`, now; FeedbackNotFoundError if there is no such note. A
    note handled already keeps who handled it first (the store decides between two at once)."""
    object_id = parse_object_id(feedback_id)
    found = await Feedback.get(object_id) if object_id else None
    if found is None or object_id is None:
        raise FeedbackNotFoundError(feedback_id)
    if found.handled_at is not None:
        return found
    now = utcnow()
    change = Change(
        collection=Feedback.Settings.name,
        target=object_id,
        kind=ChangeKind.UPDATE,
        expect={"handled_at": None},
        set={"handled_by": actor.name, "handled_at": now},
    )
    # Nothing to announce: the note and its handling stay with the editors.
    operation = Operation(id=new_op_id(), at=now, actor=actor.name, changes=[change])
    # Refused if someone else marked it a moment ago: theirs stands.
    with contextlib.suppress(ChangeRefused):
        await journal.run(operation)
    after = await Feedback.get(object_id)
    assert after is not None
    return after
