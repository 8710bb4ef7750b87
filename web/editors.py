"""Who may send large request bodies: an editor whose token is verified, once, at the edge.

A request's body is limited before a face reads it (`web.limits`): small for anyone, larger for
an editor (article bodies), largest for an editor's upload (images). A token that merely looks
right unlocks nothing: it is checked against the store first, and what the check found is kept
on the request (`verified`), so the face that runs it does not ask the store again.
"""

from starlette.types import Scope

from cms import tokens
from cms.access import Actor, Permission

# Where the edge keeps what it found: absent if it did not check; the actor, or None.
SCOPE_KEY = "newsroom.token_actor"


def bearer_token(scope: Scope) -> str | None:
    """The request's `Authorization: Bearer` credentials, if any."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            return credentials.strip() if scheme.lower() == "bearer" else None
    return None


async def verify(scope: Scope) -> Actor | None:
    """The actor of the request's token (None without a valid one), checked once per request."""
    if SCOPE_KEY not in scope:
        token = bearer_token(scope)
        scope[SCOPE_KEY] = await tokens.authenticate(token) if token else None
    actor: Actor | None = scope[SCOPE_KEY]
    return actor


def checked(scope: Scope) -> tuple[bool, Actor | None]:
    """Whether the edge checked the request's token, and the actor it found."""
    return SCOPE_KEY in scope, scope.get(SCOPE_KEY)


def is_editor(actor: Actor | None) -> bool:
    return actor is not None and actor.can(Permission.EDIT)
