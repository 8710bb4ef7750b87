"""Who may do what: roles, the permissions they grant, the actor every write records, and the one
rule every face (the API, the desk) applies to a caller before it acts.
"""

import getpass
from dataclasses import dataclass
from enum import StrEnum

from cms.errors import CallerError


class Role(StrEnum):
    PREVIEWER = "previewer"  # tokens only: a site's preview deployment
    CONTRIBUTOR = "contributor"  # people only: writes their own drafts, no tokens
    EDITOR = "editor"
    ADMIN = "admin"


class Permission(StrEnum):
    PREVIEW = "preview"  # read articles in any status
    PREVIEW_OWN = "preview_own"  # read the articles one created, in any status
    WRITE_OWN = "write_own"  # write drafts of one's own and submit them for review
    EDIT = "edit"  # write articles and tags, move them through every step of the workflow
    ADMINISTER = "administer"  # manage people, tokens (and webhooks)


# The one table of who may do what. Anonymous readers hold no permission: they read public
# content and vote, which need none.
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.PREVIEWER: frozenset({Permission.PREVIEW}),
    Role.CONTRIBUTOR: frozenset({Permission.PREVIEW_OWN, Permission.WRITE_OWN}),
    Role.EDITOR: frozenset(
        {Permission.PREVIEW, Permission.PREVIEW_OWN, Permission.WRITE_OWN, Permission.EDIT}
    ),
    Role.ADMIN: frozenset(Permission),
}
# The roles a person may hold, and those an API token may carry. A contributor holds no token:
# a token that may preview would read every draft, and "previews only their own" would be moot.
PERSON_ROLES = (Role.CONTRIBUTOR, Role.EDITOR, Role.ADMIN)
TOKEN_ROLES = (Role.PREVIEWER, Role.EDITOR, Role.ADMIN)


def token_roles_for(role: Role) -> tuple[Role, ...]:
    """The token roles a person of `role` may hold: none above their own permissions."""
    return tuple(token for token in TOKEN_ROLES if GRANTS[token] <= GRANTS[role])


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, as revisions, events and webhooks record it.

    `name` is what people read (a token's name, `cli:<user>`, a person's display name); `id` is
    stable (`person:<account id>` for a person; the name itself otherwise). A person's email is
    never part of it.
    """

    name: str
    role: Role | None = None
    id: str = ""

    def __post_init__(self) -> None:
        if not self.id:
            object.__setattr__(self, "id", self.name)

    def can(self, permission: Permission) -> bool:
        return self.role is not None and permission in GRANTS[self.role]

    @classmethod
    def local(cls, tool: str) -> "Actor":
        """Someone at this machine's shell: they hold the store's keys, so they act as admin."""
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        return cls(name=f"{tool}:{user}", role=Role.ADMIN)


ANONYMOUS = Actor(name="anonymous")
SCHEDULER = Actor(name="system:scheduler")


class NotAuthenticatedError(CallerError):
    """No valid credentials (token or session) for something that needs them."""


class NotAllowedError(CallerError):
    """Valid credentials whose role does not allow this."""

    def __init__(self, actor: Actor, permission: Permission) -> None:
        role = actor.role.value if actor.role else "none"
        super().__init__(f"The role {role} does not allow this ({permission.value}).")
        self.permission = permission


def authorize(actor: Actor | None, permission: Permission) -> Actor:
    """The caller, if `permission` is theirs: the one rule of every protected action."""
    if actor is None:
        raise NotAuthenticatedError("This needs credentials.")
    if not actor.can(permission):
        raise NotAllowedError(actor, permission)
    return actor


def may_read(actor: Actor, *, created_by: str | None) -> bool:
    """Whether `actor` may read an article that is not public, in any status: with PREVIEW any
    article, with PREVIEW_OWN only those it created."""
    if actor.can(Permission.PREVIEW):
        return True
    return actor.can(Permission.PREVIEW_OWN) and bool(created_by) and created_by == actor.id
