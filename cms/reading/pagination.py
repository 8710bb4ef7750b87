"""Keyset cursors: pages that stay stable while articles are added or removed."""

import asyncio
import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from beanie import Document, SortDirection
from bson import ObjectId
from bson.errors import InvalidId

from cms.errors import InvalidCursorError, PageSizeError

MAX_PAGE_SIZE = 100
# Longer than any cursor this API hands out (a headline of 500 characters, UTF-8, in base64).
MAX_CURSOR = 4096


def check_page_size(value: int, *, argument: str = "first", maximum: int = MAX_PAGE_SIZE) -> int:
    if not 0 <= value <= maximum:
        raise PageSizeError(argument, value, maximum)
    return value


@dataclass(frozen=True, slots=True)
class Cursor:
    """A position in one list: the sort key's value and the `_id` that breaks ties.

    `key` names the list and its order, so a cursor from another list is refused rather than
    silently paging through the wrong one.
    """

    key: str
    value: Any
    id: ObjectId

    def encode(self) -> str:
        value = self.value.isoformat() if isinstance(self.value, datetime) else self.value
        raw = json.dumps([self.key, value, str(self.id)], separators=(",", ":"), ensure_ascii=False)
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str, *, key: str, datetime_value: bool) -> "Cursor":
        try:
            if len(cursor) > MAX_CURSOR:
                raise ValueError(cursor)
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            cursor_key, value, object_id = json.loads(raw)
            if cursor_key != key:
                raise ValueError(cursor_key)
            if datetime_value:
                value = _moment(value)
            elif not isinstance(value, str):
                raise TypeError(value)
            return cls(key, value, ObjectId(object_id))
        except (
            binascii.Error,
            ValueError,
            TypeError,
            InvalidId,
            RecursionError,
            OverflowError,
        ) as error:
            raise InvalidCursorError(cursor) from error


def _moment(value: Any) -> datetime:
    """A cursor's date as the lists hold theirs: with an offset, in UTC. A date without one (this
    API never hands such a cursor out) cannot be placed among them."""
    if not isinstance(value, str):
        raise TypeError(value)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(value)
    return moment.astimezone(UTC)


def keyset_filter(
    sort: tuple[str, int], after: Cursor, *, inclusive: bool = False
) -> dict[str, Any]:
    """Documents strictly after `after` (or from it on, `inclusive`), ordered by `sort` and then
    `_id` the same way."""
    field, direction = sort
    beyond = "$gt" if direction == 1 else "$lt"
    return {
        "$or": [
            {field: {beyond: after.value}},
            {field: after.value, "_id": {beyond + ("e" if inclusive else ""): after.id}},
        ]
    }


@dataclass(frozen=True, slots=True)
class SlugPage[D]:
    items: list[D]
    has_next_page: bool
    has_previous_page: bool
    total_count: int


async def page_by_slug[D: Document](
    model: type[D],
    *,
    first: int,
    after: Cursor | None,
    last: int | None = None,
    before: Cursor | None = None,
) -> SlugPage[D]:
    """Documents in slug order (tags, authors): `first` after `after`, or (given `last`) the
    `last` before `before`."""
    backward = last is not None
    size = last if last is not None else first
    cursor = before if backward else after
    direction = SortDirection.DESCENDING if backward else SortDirection.ASCENDING
    key = ("slug", -1 if backward else 1)
    query = keyset_filter(key, cursor) if cursor else {}
    # The other side of the cursor, its own document included: whether a page lies that way.
    behind = keyset_filter(("slug", -key[1]), cursor, inclusive=True) if cursor else None
    found, total, beyond = await asyncio.gather(
        model.find(query).sort([("slug", direction), ("_id", direction)]).limit(size + 1).to_list(),
        model.find({}).count(),
        model.get_pymongo_collection().find_one(behind, {"_id": 1}) if behind else _nothing(),
    )
    items, more = found[:size], len(found) > size
    if backward:
        return SlugPage(items[::-1], beyond is not None, more, total)
    return SlugPage(items, more, beyond is not None, total)


async def _nothing() -> None:
    return None
