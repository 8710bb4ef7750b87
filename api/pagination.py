"""Relay connections: pages of a list with cursors, `pageInfo` and the list's size."""

from collections.abc import Callable, Sequence
from typing import Annotated

import strawberry
from strawberry import relay

from api.errors import user_input
from cms.pagination import MAX_PAGE_SIZE, check_page_size

First = Annotated[int, strawberry.argument(description=f"Page size, 0 to {MAX_PAGE_SIZE}.")]
After = Annotated[
    str | None, strawberry.argument(description="Start after this cursor (an edge's `cursor`).")
]


Preview = Annotated[
    bool,
    strawberry.argument(
        description="See articles in every status (drafts, review, scheduled, archived), with "
        "nested related items, tags and counts alike. Needs a previewer, editor or admin token."
    ),
]


def page_size(first: int, *, maximum: int | None = None) -> int:
    with user_input():
        if maximum is None:
            return check_page_size(first)
        return check_page_size(first, maximum=maximum)


def edges_and_info[T: relay.Node, I](
    items: Sequence[I],
    *,
    node: Callable[[I], T],
    cursor: Callable[[I], str],
    has_next_page: bool,
    after: str | None,
) -> tuple[list[relay.Edge[T]], relay.PageInfo]:
    edges = [relay.Edge(cursor=cursor(item), node=node(item)) for item in items]
    info = relay.PageInfo(
        has_next_page=has_next_page,
        # Forward pagination only: anything before `after` is a page the client has seen.
        has_previous_page=after is not None,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return edges, info
