"""API tokens: what editors, previewers and admins send as `Authorization: Bearer <token>`.

A token is 32 random bytes (URL-safe text with a recognisable prefix), shown once when created.
Only its SHA-256 is stored: tokens carry their full entropy, so a slow password hash would add
nothing but latency to every request that carries one.
"""

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Annotated, ClassVar

from beanie import Document, Indexed
from pydantic import Field
from pymongo import ASCENDING, IndexModel

from cms.access import TOKEN_ROLES, Actor, Role
from cms.clock import utcnow
from cms.errors import TokenError
from cms.spine import journal
from cms.spine.events import Event, EventType
from cms.spine.journal import Change, ChangeKind, ChangeRefused, Operation, new_op_id

PREFIX = "nr_"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# Anything else in the header is malformed; checked before the store is asked.
TOKEN_PATTERN = re.compile(rf"^{PREFIX}[A-Za-z0-9_-]{{43}}$")
# `last_used_at` is written at most this often per token: not a write per request.
LAST_USED_PRECISION = timedelta(minutes=1)


class ApiToken(Document):
    id: str  # type: ignore[assignment]  # the token's name
    role: Role
    hash: Annotated[str, Indexed(unique=True)]
    created_at: datetime
    created_by: str
    # The person the token belongs to (`Actor.id`), if any: disabling them, or lowering their
    # role below the token's, revokes it.
    owner: str | None = None
    last_used_at: datetime | None = None
    recent_ops: list[str] = Field(default_factory=list)

    @property
    def name(self) -> str:
        return self.id

    class Settings:
        name = "tokens"
        # A person's tokens, revoked with them.
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("owner", ASCENDING)])]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _event(kind: EventType, *, actor: Actor, name: str, role: Role, op_id: str) -> Event:
    return Event(
        event_id=f"{op_id}:0",
        type=kind,
        at=utcnow(),
        actor=actor.name,
        actor_id=actor.id,
        subject=name,
        data={"role": role.value},
    )


async def create_token(
    *, actor: Actor, name: str, role: Role, owner: str | None = None
) -> tuple[ApiToken, str]:
    """A new token: the stored record, and the token itself (shown once, never stored).

    A person's token (`owner`) is made through `cms.people.tokens`, which checks their role."""
    if role not in TOKEN_ROLES:
        raise TokenError(
            f"A token's role is one of {', '.join(TOKEN_ROLES)}; {role} is a person's role only."
        )
    if not NAME_PATTERN.match(name):
        raise TokenError(
            "A token name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter "
            "or digit."
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    record = ApiToken(
        id=name,
        role=role,
        hash=hash_token(secret),
        created_at=now,
        created_by=actor.name,
        owner=owner,
    )
    op_id = new_op_id()
    change = Change(
        collection=ApiToken.Settings.name,
        target=name,
        kind=ChangeKind.INSERT,
        document=record.model_dump(exclude={"id", "recent_ops"}),
    )
    event = _event(EventType.TOKEN_CREATED, actor=actor, name=name, role=role, op_id=op_id)
    try:
        await journal.run(
            Operation(id=op_id, at=now, actor=actor.name, changes=[change], events=[event])
        )
    except ChangeRefused:
        raise TokenError(f"A token named {name!r} exists already; revoke it first.") from None
    return record, secret


async def list_tokens() -> list[ApiToken]:
    return await ApiToken.find_all().sort("_id").to_list()


async def revoke_token(*, actor: Actor, name: str) -> ApiToken:
    found = await ApiToken.get(name)
    if found is None:
        raise TokenError(f"No token is named {name!r}.")
    op_id = new_op_id()
    changes, events = revocation(actor=actor, token=found, op_id=op_id, index=0)
    await journal.run(
        Operation(id=op_id, at=utcnow(), actor=actor.name, changes=changes, events=events)
    )
    return found


def revocation(
    *, actor: Actor, token: ApiToken, op_id: str, index: int
) -> tuple[list[Change], list[Event]]:
    """What revoking `token` changes and announces, as part of operation `op_id` (its `index`th
    event): for an operation that does more (a person disabled revokes their tokens with it)."""
    change = Change(collection=ApiToken.Settings.name, target=token.id, kind=ChangeKind.DELETE)
    event = _event(
        EventType.TOKEN_REVOKED, actor=actor, name=token.id, role=token.role, op_id=op_id
    )
    return [change], [event.model_copy(update={"event_id": f"{op_id}:{index}"})]


async def tokens_of(owner: str) -> list[ApiToken]:
    """The tokens a person holds."""
    return await ApiToken.find(ApiToken.owner == owner).sort("_id").to_list()


async def authenticate(token: str) -> Actor | None:
    """The actor a token stands for; None if it is malformed, unknown or revoked."""
    if not TOKEN_PATTERN.match(token):
        return None
    collection = ApiToken.get_pymongo_collection()
    found = await collection.find_one({"hash": hash_token(token)})
    if found is None:
        return None
    now = utcnow()
    last_used = found.get("last_used_at")
    if last_used is None or now - last_used > LAST_USED_PRECISION:
        await collection.update_one({"_id": found["_id"]}, {"$set": {"last_used_at": now}})
    return Actor(name=found["_id"], role=Role(found["role"]))
