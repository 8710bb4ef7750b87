"""Edit conflicts: what differs between the version someone saved meanwhile and yours.

A save names the version it started from; when the article moved on since, nothing is written
and the editor is shown each field where the saved article ("theirs") and the submission
("yours") differ, with who saved theirs, to choose field by field. Where only one side changed a
field since the common version, that side is suggested; where both did, the person chooses.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from beanie import PydanticObjectId
from pymongo import ASCENDING

from cms.content import ARTICLE_FIELDS
from cms.revisions import Revision, get_revision, revision_id


class Side(StrEnum):
    THEIRS = "theirs"
    YOURS = "yours"


@dataclass(frozen=True, slots=True)
class FieldConflict:
    field: str
    theirs: Any
    yours: Any
    # The side that alone changed the field since the common version; None if both did (or
    # that version is not known).
    suggested: Side | None


def differences(
    *,
    base: Mapping[str, Any] | None,
    theirs: Mapping[str, Any],
    yours: Mapping[str, Any],
    fields: Iterable[str] = ARTICLE_FIELDS,
) -> list[FieldConflict]:
    """Every field where `theirs` and `yours` differ, in `fields` order."""
    found = []
    for name in fields:
        their_value, your_value = theirs.get(name), yours.get(name)
        if their_value == your_value:
            continue
        suggested = None
        if base is not None:
            if base.get(name) == your_value:
                suggested = Side.THEIRS  # only they changed it
            elif base.get(name) == their_value:
                suggested = Side.YOURS  # only you changed it
        found.append(FieldConflict(name, their_value, your_value, suggested))
    return found


def merged(
    *,
    theirs: Mapping[str, Any],
    yours: Mapping[str, Any],
    choices: Mapping[str, Side],
) -> dict[str, Any]:
    """Your values, except the fields where theirs was chosen."""
    return {
        name: theirs.get(name) if choices.get(name) is Side.THEIRS else value
        for name, value in yours.items()
    }


async def base_content(article_id: PydanticObjectId, version: int) -> dict[str, Any] | None:
    """The content as it was at `version` (None if that version left no revision)."""
    found = await get_revision(revision_id(article_id, version))
    return dict(found.content) if found is not None else None


async def savers_since(article_id: PydanticObjectId, version: int) -> dict[str, str]:
    """Who last changed each field after `version`: the name each later revision records."""
    found = (
        await Revision.get_pymongo_collection()
        .find({"article_id": article_id, "version": {"$gt": version}}, {"changed": 1, "actor": 1})
        .sort([("version", ASCENDING)])
        .to_list()
    )
    savers: dict[str, str] = {}
    for revision in found:
        for name in revision.get("changed", []):
            savers[name] = revision["actor"]
    return savers
