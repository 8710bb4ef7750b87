"""API tokens that belong to a person: never above their role, and none for a contributor."""

from cms.access import Actor, Role, token_roles_for
from cms.errors import PersonError
from cms.people.accounts import Person, actor_id
from cms.tokens import ApiToken, create_token


async def mint(*, actor: Actor, person: Person, name: str, role: Role) -> tuple[ApiToken, str]:
    """A token of `role` held by `person` (revoked when they are disabled, or their role falls
    below it)."""
    allowed = token_roles_for(person.role)
    if person.disabled:
        raise PersonError(f"{person.email} is disabled: a disabled person holds no token.")
    if not allowed:
        raise PersonError(
            f"{person.email} is a {person.role}: contributors hold no API tokens (a token would "
            "read every draft, not only theirs)."
        )
    if role not in allowed:
        raise PersonError(
            f"{person.email} is a {person.role}: their tokens may be {', '.join(allowed)}."
        )
    return await create_token(actor=actor, name=name, role=role, owner=actor_id(person.id))
