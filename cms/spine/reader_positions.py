"""Durable readers of the event log: a position each, kept in the store.

The catalog follows the log in memory from where it starts, because it is rebuilt from the
store at every start. A reader that acts on events (webhooks) must instead resume where it
stopped, whichever process stopped: its position is a document, `readers/{_id: <name>}`,
that only moves forward. Every position at or below it has been handled for good.
"""

from datetime import datetime

from beanie import Document

from cms.clock import utcnow


class ReaderPosition(Document):
    id: str  # type: ignore[assignment]  # the reader's name
    position: int
    updated_at: datetime

    class Settings:
        name = "readers"


async def position(name: str) -> int | None:
    """Where reader `name` stands; None if it was never started."""
    found = await ReaderPosition.get_pymongo_collection().find_one({"_id": name})
    return int(found["position"]) if found else None


async def start(name: str, *, at: int) -> None:
    """Start reader `name` at `at`, unless it was started already (then it stays where it is)."""
    await ReaderPosition.get_pymongo_collection().update_one(
        {"_id": name},
        {"$setOnInsert": {"position": at, "updated_at": utcnow()}},
        upsert=True,
    )


async def advance(name: str, to: int) -> None:
    """Move reader `name` forward to `to` (never back: another process may be further on)."""
    await ReaderPosition.get_pymongo_collection().update_one(
        {"_id": name, "position": {"$lt": to}},
        {"$set": {"position": to, "updated_at": utcnow()}},
    )
