"""Desk sessions, kept in the store so that every API process knows them and any can end them.

A session is 32 random bytes, sent as a cookie and stored only as its SHA-256 (whoever reads the
store cannot log in with what they read). It ends when it has gone `idle` seconds without a
request, or `max_age` seconds after its login, whichever comes first; when its person logs out,
is disabled or sets a new password; or when an admin ends it. `seen_at` is written at most once a
minute per session, not on every request, so idle time is counted to the minute.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar, Protocol

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel

from cms.clock import utcnow

SEEN_PRECISION = timedelta(minutes=1)
# What a cookie may hold: `token_urlsafe(32)`; anything else is refused before the store is asked.
TOKEN_LENGTH = 43
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


class DeskSession(Document):
    id: str  # type: ignore[assignment]  # the SHA-256 of the session's token
    person: PydanticObjectId
    created_at: datetime
    seen_at: datetime
    # When it ends however busy it is (its login plus the maximum age then in force).
    expires_at: datetime

    class Settings:
        name = "sessions"
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("person", ASCENDING)]),
            IndexModel([("expires_at", ASCENDING)]),
            # The upkeep's prune of idle sessions (`expires_at` or `seen_at` past): each way of
            # its `$or` needs an index of its own, or the store reads every session.
            IndexModel([("seen_at", ASCENDING)]),
        ]


class State(StrEnum):
    LIVE = "live"
    IDLE = "idle"  # no request for longer than the idle timeout
    EXPIRED = "expired"  # older than its maximum age


@dataclass(frozen=True, slots=True)
class Lifetime:
    idle: timedelta
    max_age: timedelta


class Times(Protocol):
    created_at: datetime
    seen_at: datetime
    expires_at: datetime


def state(session: Times, *, now: datetime, lifetime: Lifetime) -> State:
    """Whether a session still holds at `now` (by its times: a pure rule)."""
    if now >= session.expires_at or now >= session.created_at + lifetime.max_age:
        return State.EXPIRED
    if now >= session.seen_at + lifetime.idle:
        return State.IDLE
    return State.LIVE


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return len(token) == TOKEN_LENGTH and set(token) <= _ALPHABET


async def open_session(person: PydanticObjectId, *, lifetime: Lifetime) -> tuple[DeskSession, str]:
    """A new session for `person`: the stored record, and its token (for the cookie only)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session = DeskSession(
        id=session_id(token),
        person=person,
        created_at=now,
        seen_at=now,
        expires_at=now + lifetime.max_age,
    )
    await session.insert()
    return session, token


async def resume(token: str, *, lifetime: Lifetime) -> DeskSession | None:
    """The live session a cookie names, seen now; None (and the session gone) if it ended."""
    if not well_formed(token):
        return None
    found = await DeskSession.get(session_id(token))
    if found is None:
        return None
    now = utcnow()
    if state(found, now=now, lifetime=lifetime) is not State.LIVE:
        await end(found.id)
        return None
    if now - found.seen_at >= SEEN_PRECISION:
        await DeskSession.get_pymongo_collection().update_one(
            {"_id": found.id}, {"$set": {"seen_at": now}}
        )
        found.seen_at = now
    return found


async def end(session: str) -> None:
    """End one session (by its id); ending one that has ended already is fine."""
    await DeskSession.get_pymongo_collection().delete_one({"_id": session})


async def end_all(person: PydanticObjectId | None) -> int:
    """End every session of `person`; how many there were."""
    result = await DeskSession.get_pymongo_collection().delete_many({"person": person})
    return result.deleted_count


async def prune(*, lifetime: Lifetime, now: datetime | None = None) -> int:
    """Delete the sessions that have ended, idle or expired; how many."""
    now = now or utcnow()
    ended = {"$or": [{"expires_at": {"$lte": now}}, {"seen_at": {"$lte": now - lifetime.idle}}]}
    return (await DeskSession.get_pymongo_collection().delete_many(ended)).deleted_count
