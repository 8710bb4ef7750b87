"""Persisted GraphQL documents, by the SHA-256 of their text.

Apollo's automatic persisted queries: a client sends the hash alone; an unknown hash is answered
`PERSISTED_QUERY_NOT_FOUND` and the client sends the text once, which is then kept for every
API process. Documents added by an admin (`newsroom documents add`) are *trusted*: with
`NEWSROOM_TRUSTED_DOCUMENTS_ONLY`, they are the only ones the API runs.
"""

import hashlib
from datetime import datetime

from beanie import Document

from cms.clock import utcnow


class PersistedDocument(Document):
    id: str  # type: ignore[assignment]  # the SHA-256 of `text`, hexadecimal
    text: str
    trusted: bool = False
    at: datetime

    class Settings:
        name = "documents"


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def lookup(sha256: str) -> PersistedDocument | None:
    found = await PersistedDocument.get_pymongo_collection().find_one({"_id": sha256})
    return PersistedDocument.model_validate(found) if found else None


async def register(text: str, *, trusted: bool = False) -> str:
    """Keep `text`; its hash. A trusted registration makes an existing document trusted."""
    sha256 = digest(text)
    update: dict[str, object] = {"$setOnInsert": {"text": text, "at": utcnow()}}
    if trusted:
        update["$set"] = {"trusted": True}
    else:
        update["$setOnInsert"] = {"text": text, "at": utcnow(), "trusted": False}
    await PersistedDocument.get_pymongo_collection().update_one(
        {"_id": sha256}, update, upsert=True
    )
    return sha256


async def trusted_documents() -> list[PersistedDocument]:
    return await PersistedDocument.find({"trusted": True}).to_list()
