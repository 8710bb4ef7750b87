"""Relay connections: pages of a list with cursors, `pageInfo` and the list's size.

Every connection pages both ways, as Relay's `loadNext` and `loadPrevious` do: `first` items
after `after`, or the `last` items before `before`. A null argument means the same as leaving it
out (`first: null` is the default page size).
"""

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Protocol

import strawberry
from strawberry import relay

from api.coded_errors import BadUserInput, user_input
from cms.reading.pagination import MAX_PAGE_SIZE, Cursor, SlugPage, check_page_size

DEFAULT_PAGE_SIZE = 10

First = Annotated[
    int | None,
    strawberry.argument(description=f"Page size, 0 to {MAX_PAGE_SIZE}; null means the default."),
]
After = Annotated[
    str | None, strawberry.argument(description="Start after this cursor (an edge's `cursor`).")
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description=f"Page backwards: the last this many items (0 to {MAX_PAGE_SIZE}) before "
        "`before`, or at the end of the list; `first` is then ignored."
    ),
]
Before = Annotated[
    str | None,
    strawberry.argument(description="With `last`: end just before this cursor (an edge's)."),
]


Preview = Annotated[
    bool,
    strawberry.argument(
        description="See articles in every status (drafts, review, scheduled, archived), with "
        "nested related items, tags and counts alike. Needs a previewer, editor or admin token."
    ),
]


def page_size(first: int | None, *, maximum: int | None = None, argument: str = "first") -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    with user_input():
        if maximum is None:
            return check_page_size(first, argument=argument)
        return check_page_size(first, argument=argument, maximum=maximum)


@dataclass(frozen=True, slots=True)
class Window:
    """Which page is asked for: `first` after `after`, or `last` before `before`."""

    first: int
    after: str | None
    last: int | None
    before: str | None

    @classmethod
    def of(
        cls, *, first: int | None, after: str | None, last: int | None, before: str | None
    ) -> "Window":
        if last is None and before is not None:
            raise BadUserInput("`before` pages backwards: give `last` with it.")
        if last is not None and after is not None:
            raise BadUserInput(
                "Page forwards with `first` and `after`, or backwards with `last` and `before`; "
                "not `after` with `last`."
            )
        return cls(
            first=page_size(first),
            after=after,
            last=page_size(last, argument="last") if last is not None else None,
            before=before,
        )


def edges_and_info[T: relay.Node, I](
    items: Sequence[I],
    *,
    node: Callable[[I], T],
    cursor: Callable[[I], str],
    has_next_page: bool,
    has_previous_page: bool,
) -> tuple[list[relay.Edge[T]], relay.PageInfo]:
    edges = [relay.Edge(cursor=cursor(item), node=node(item)) for item in items]
    info = relay.PageInfo(
        has_next_page=has_next_page,
        has_previous_page=has_previous_page,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return edges, info


class _SlugPager[D](Protocol):
    def __call__(
        self, *, first: int, after: Cursor | None, last: int | None, before: Cursor | None
    ) -> Awaitable[SlugPage[D]]: ...


async def slug_ordered[D, T: relay.Node](
    window: Window,
    *,
    key: str,
    pages: _SlugPager[D],
    node: Callable[[D], T],
    cursor: Callable[[D], Cursor],
) -> tuple[list[relay.Edge[T]], relay.PageInfo, int]:
    """A page of a list in slug order (tags, authors): its edges, where it sits, and the list's
    size. Cursors name the list (`key`): one from another list is BAD_USER_INPUT."""

    def decoded(text: str | None) -> Cursor | None:
        return None if text is None else Cursor.decode(text, key=key, datetime_value=False)

    with user_input():
        after, before = decoded(window.after), decoded(window.before)
    page = await pages(first=window.first, after=after, last=window.last, before=before)
    edges, info = edges_and_info(
        page.items,
        node=node,
        cursor=lambda item: cursor(item).encode(),
        has_next_page=page.has_next_page,
        has_previous_page=page.has_previous_page,
    )
    return edges, info, page.total_count
