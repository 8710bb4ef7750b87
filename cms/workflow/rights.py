"""Who may change which article, and which moves of the workflow are theirs.

The one rule for every face: editors and admins (EDIT) write any article and make every move the
table allows (`cms.workflow.transitions`); a contributor (WRITE_OWN) writes drafts they created
and submits them for review, nothing more. The API's mutations need EDIT; the desk asks here.
"""

from cms.access import Actor, NotAllowedError, Permission
from cms.status import ArticleStatus
from cms.workflow.transitions import TRANSITIONS

# The order the desk shows moves in, and their words.
MOVE_ORDER = (
    ArticleStatus.REVIEW,
    ArticleStatus.PUBLISHED,
    ArticleStatus.SCHEDULED,
    ArticleStatus.ARCHIVED,
    ArticleStatus.DRAFT,
)


def move_word(current: ArticleStatus, target: ArticleStatus) -> str:
    """What a button that makes this move says."""
    if target is ArticleStatus.DRAFT:
        return "Unpublish" if current is ArticleStatus.PUBLISHED else "Back to draft"
    return {
        ArticleStatus.REVIEW: "Submit for review",
        ArticleStatus.PUBLISHED: "Publish",
        ArticleStatus.SCHEDULED: "Schedule",
        ArticleStatus.ARCHIVED: "Archive",
    }[target]


def _own_draft(actor: Actor, status: ArticleStatus, created_by: str) -> bool:
    return (
        actor.can(Permission.WRITE_OWN)
        and bool(created_by)
        and created_by == actor.id
        and status is ArticleStatus.DRAFT
    )


def may_edit(actor: Actor, *, status: ArticleStatus, created_by: str) -> bool:
    """Whether `actor` may change this article's content."""
    return actor.can(Permission.EDIT) or _own_draft(actor, status, created_by)


def moves_for(actor: Actor, *, status: ArticleStatus, created_by: str) -> list[ArticleStatus]:
    """The moves the table allows from `status` that `actor` may make, in the desk's order."""
    allowed = TRANSITIONS[status]
    if actor.can(Permission.EDIT):
        return [target for target in MOVE_ORDER if target in allowed]
    if _own_draft(actor, status, created_by):
        return [ArticleStatus.REVIEW]
    return []


def authorize_edit(actor: Actor, *, status: ArticleStatus, created_by: str) -> None:
    if not may_edit(actor, status=status, created_by=created_by):
        raise NotAllowedError(actor, Permission.EDIT)


def authorize_move(
    actor: Actor, *, status: ArticleStatus, created_by: str, to: ArticleStatus
) -> None:
    """Refuse a move that is not `actor`'s to make. A move the table refuses for everyone is
    left to the write path, which says why (`InvalidTransitionError`)."""
    if actor.can(Permission.EDIT):
        return
    if to is not ArticleStatus.REVIEW or not _own_draft(actor, status, created_by):
        raise NotAllowedError(actor, Permission.EDIT)
