"""Who may do what: roles, the permissions they grant, and the actor every write records."""

import getpass
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PREVIEWER = "previewer"
    EDITOR = "editor"
    ADMIN = "admin"


class Permission(StrEnum):
    PREVIEW = "preview"  # read articles in any status
    EDIT = "edit"  # write articles and tags
    ADMINISTER = "administer"  # manage tokens (and webhooks)


# The one table of who may do what. Anonymous readers hold no permission: they read public
# content and vote, which need none.
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.PREVIEWER: frozenset({Permission.PREVIEW}),
    Role.EDITOR: frozenset({Permission.PREVIEW, Permission.EDIT}),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, as revisions and events record it: a token's name, or a local user."""

    name: str
    role: Role | None = None

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
