"""Changing an account: its role, whether it may log in, its password. Each is one journaled
operation with the actor and an event; what the change takes away goes with it: disabling a
person revokes their tokens in the same operation and ends their sessions; lowering a role
revokes their tokens above it; a new password ends every session of theirs."""

from dataclasses import dataclass, field
from typing import Any

from cms.access import GRANTS, Actor, Role
from cms.clock import utcnow
from cms.errors import PersonError
from cms.people import sessions
from cms.people.accounts import (
    COLLECTION,
    Person,
    actor_id,
    admins_change,
    check_role,
    person_event,
)
from cms.spine import journal
from cms.spine.events import EventType
from cms.spine.journal import Change, ChangeKind, ChangeRefused, Operation, new_op_id
from cms.tokens import ApiToken, revocation, tokens_of


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a change took away with it."""

    person: Person
    revoked: list[str] = field(default_factory=list)  # token names
    sessions_ended: int = 0


LAST_ADMIN = (
    "{email} is the last active admin: make someone else an admin first, so that someone can "
    "still manage people."
)


async def _run(
    *,
    actor: Actor,
    person: Person,
    values: dict[str, Any],
    change: str,
    revoke: list[ApiToken],
    admins: int = 0,
) -> Person:
    """One operation: the admins' count first (so the last admin is refused before anything
    changes), the account, then its revoked tokens; events in that order."""
    op_id = new_op_id()
    now = utcnow()
    values = {**values, "updated_at": now}
    changes: list[Change] = []
    if admins:
        changes.append(admins_change(admins))
    changes.append(
        Change(
            collection=COLLECTION,
            target=person.id,
            kind=ChangeKind.UPDATE,
            set={
                name: value.value if isinstance(value, Role) else value
                for name, value in values.items()
            },
        )
    )
    after: Person = person.model_copy(update=values)
    events = [
        person_event(
            EventType.PERSON_UPDATED, actor=actor, person=after, op_id=op_id, change=change
        )
    ]
    for index, token in enumerate(revoke, start=1):
        token_changes, token_events = revocation(actor=actor, token=token, op_id=op_id, index=index)
        changes += token_changes
        events += token_events
    try:
        await journal.run(
            Operation(id=op_id, at=now, actor=actor.name, changes=changes, events=events)
        )
    except ChangeRefused:
        if admins >= 0:
            raise
        raise PersonError(LAST_ADMIN.format(email=person.email)) from None
    return after


def _is_active_admin(person: Person) -> bool:
    return person.role is Role.ADMIN and not person.disabled


async def disable(*, actor: Actor, person: Person) -> Outcome:
    """They cannot log in any more: their sessions end and their tokens are revoked at once."""
    revoke = await tokens_of(actor_id(person.id))
    if not person.disabled:
        person = await _run(
            actor=actor,
            person=person,
            values={"disabled": True},
            change="disabled",
            revoke=revoke,
            admins=-1 if _is_active_admin(person) else 0,
        )
    ended = await sessions.end_all(person.id)
    return Outcome(person, [token.name for token in revoke], ended)


async def enable(*, actor: Actor, person: Person) -> Outcome:
    if not person.disabled:
        return Outcome(person)
    after = await _run(
        actor=actor,
        person=person,
        values={"disabled": False},
        change="enabled",
        revoke=[],
        admins=1 if person.role is Role.ADMIN else 0,
    )
    return Outcome(after)


async def set_role(*, actor: Actor, person: Person, role: Role) -> Outcome:
    """A new role; their tokens whose role it does not cover are revoked with the change."""
    check_role(role)
    if role is person.role:
        return Outcome(person)
    held = await tokens_of(actor_id(person.id))
    revoke = [token for token in held if not GRANTS[token.role] <= GRANTS[role]]
    admins = 0
    if not person.disabled:
        admins = (role is Role.ADMIN) - (person.role is Role.ADMIN)
    after = await _run(
        actor=actor,
        person=person,
        values={"role": role},
        change="role",
        revoke=revoke,
        admins=admins,
    )
    return Outcome(after, [token.name for token in revoke])


async def set_password_hash(*, actor: Actor, person: Person, password_hash: str) -> Outcome:
    """A new password (hashed by `cms.people.passwords`): every session of theirs ends."""
    after = await _run(
        actor=actor,
        person=person,
        values={"password_hash": password_hash, "password_set_at": utcnow()},
        change="password",
        revoke=[],
    )
    ended = await sessions.end_all(person.id)
    return Outcome(after, sessions_ended=ended)
