"""Two saved versions of an article side by side: the fields that differ, the body word by word.

The API, the CLI and the desk compare revisions through here; restoring one is
`cms.workflow.articles.restore_revision`, a new save through the write path.
"""

from dataclasses import dataclass
from typing import Any

from beanie import PydanticObjectId

from cms.errors import RevisionNotFoundError
from cms.revisions import Revision, get_revision, revision_id
from cms.text.diff import Piece, compared
from cms.workflow.conflicts import differences


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class Comparison:
    old: Revision
    new: Revision
    # Every content field that differs, in the content's order (the body among them).
    fields: list[FieldChange]
    # The body word by word, when it differs.
    body: list[Piece] | None
    status_changed: bool


async def revision_at(article_id: PydanticObjectId, version: int) -> Revision:
    found = await get_revision(revision_id(article_id, version))
    if found is None:
        raise RevisionNotFoundError(revision_id(article_id, version))
    return found


async def compare(article_id: PydanticObjectId, old: int, new: int) -> Comparison:
    """What changed from version `old` to version `new` of the article."""
    before, after = await revision_at(article_id, old), await revision_at(article_id, new)
    fields = [
        FieldChange(found.field, found.theirs, found.yours)
        for found in differences(base=None, theirs=before.content, yours=after.content)
    ]
    body = None
    if any(change.field == "body" for change in fields):
        body = await compared(
            str(before.content.get("body") or ""), str(after.content.get("body") or "")
        )
    return Comparison(before, after, fields, body, before.status != after.status)
