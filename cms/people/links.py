"""One-time links to set a password: for a new person, or one who forgot theirs.

A link carries 32 random bytes, stored only as their SHA-256. It works for 24 hours and once: using
it is one journaled operation whose first change marks the link used only if it is unused and
unexpired, so of two uses at once one is refused by the store. Making a new link for a person
retires their older ones. Opening a link (GET) changes nothing: mail scanners and previews follow
links, and must not use them up. Used and expired links are kept until the upkeep prunes them a day
after they expire, so that someone who clicks one twice is told it was used rather than unknown.
"""

import secrets
from datetime import datetime, timedelta
from typing import Literal

from beanie import Document, PydanticObjectId
from pydantic import Field

from cms.clock import utcnow
from cms.errors import LinkRefusedError, PersonError
from cms.people import sessions
from cms.people.accounts import COLLECTION as PEOPLE
from cms.people.accounts import Person, person_event
from cms.people.sessions import session_id
from cms.spine import journal
from cms.spine.events import EventType
from cms.spine.journal import Change, ChangeKind, ChangeRefused, Operation, new_op_id

MAX_AGE = timedelta(hours=24)
# Kept after expiry so a late click is told why, then pruned.
KEPT = timedelta(days=1)
PATH = "/desk/password/"

Purpose = Literal["welcome", "reset"]


class PasswordLink(Document):
    id: str  # type: ignore[assignment]  # the SHA-256 of the link's token
    person: PydanticObjectId
    purpose: Purpose
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    recent_ops: list[str] = Field(default_factory=list)

    class Settings:
        name = "password_links"


def url_of(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{PATH}{token}"


async def issue(person: Person, *, purpose: Purpose) -> str:
    """A new link's token for `person`; their earlier links stop working."""
    if person.disabled:
        raise PersonError(f"{person.email} is disabled: enable them first.")
    token = secrets.token_urlsafe(32)
    now = utcnow()
    collection = PasswordLink.get_pymongo_collection()
    await collection.delete_many({"person": person.id, "used_at": None})
    link = PasswordLink(
        id=session_id(token),
        person=person.id,
        purpose=purpose,
        created_at=now,
        expires_at=now + MAX_AGE,
    )
    await link.insert()
    return token


UNKNOWN = (
    "This link is not one Newsroom made, or a newer link replaced it. Ask an admin for a new one."
)
USED = (
    "This link was used already: each link sets a password once. Log in, or ask an admin for a "
    "new link."
)
EXPIRED = "This link has expired: links work for 24 hours. Ask an admin for a new one."


async def check(token: str, *, now: datetime | None = None) -> tuple[PasswordLink, Person]:
    """The link and its person, if it may still be used; LinkRefusedError saying why not."""
    now = now or utcnow()
    found = await PasswordLink.get(session_id(token)) if sessions.well_formed(token) else None
    person = await Person.get(found.person) if found is not None else None
    if found is None or person is None or person.disabled:
        raise LinkRefusedError(UNKNOWN, gone=False)
    if found.used_at is not None:
        raise LinkRefusedError(USED, gone=True)
    if now >= found.expires_at:
        raise LinkRefusedError(EXPIRED, gone=True)
    return found, person


async def use(token: str, *, password_hash: str) -> Person:
    """Set the person's password through their link, once: LinkRefusedError if it is unknown,
    used or expired by now. Every session of theirs ends."""
    link, person = await check(token)
    now = utcnow()
    op_id = new_op_id()
    actor = person.actor  # they set it themselves
    after: Person = person.model_copy(
        update={"password_hash": password_hash, "password_set_at": now, "updated_at": now}
    )
    changes = [
        Change(
            collection=PasswordLink.Settings.name,
            target=link.id,
            kind=ChangeKind.UPDATE,
            expect={"used_at": None, "expires_at": {"$gt": now}},
            set={"used_at": now},
        ),
        Change(
            collection=PEOPLE,
            target=person.id,
            kind=ChangeKind.UPDATE,
            set={"password_hash": password_hash, "password_set_at": now, "updated_at": now},
        ),
    ]
    event = person_event(
        EventType.PERSON_UPDATED, actor=actor, person=after, op_id=op_id, change="password"
    )
    try:
        await journal.run(
            Operation(id=op_id, at=now, actor=actor.name, changes=changes, events=[event])
        )
    except ChangeRefused:
        # Used or expired in the meantime: say which, as a fresh look shows it.
        await check(token)
        raise LinkRefusedError(USED, gone=True) from None
    await sessions.end_all(person.id)
    return after


async def prune(*, now: datetime | None = None) -> int:
    cutoff = (now or utcnow()) - KEPT
    result = await PasswordLink.get_pymongo_collection().delete_many(
        {"expires_at": {"$lte": cutoff}}
    )
    return result.deleted_count
