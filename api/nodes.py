"""Fetching nodes by the ids inside their global IDs, through a per-request loader."""

from collections.abc import Callable, Iterable
from typing import Protocol

from beanie import PydanticObjectId
from strawberry.dataloader import DataLoader

from cms.articles import parse_object_id


class _Identified(Protocol):
    @property
    def id(self) -> PydanticObjectId | None: ...


async def nodes_by_id[D: _Identified, N](
    node_ids: Iterable[str],
    loader: DataLoader[PydanticObjectId, D | None],
    build: Callable[[D], N],
) -> list[N | None]:
    """One node per id, in order; `None` where the id is malformed or matches nothing."""
    wanted = list(node_ids)
    parsed = [parse_object_id(node_id) for node_id in wanted]
    found = await loader.load_many([object_id for object_id in parsed if object_id is not None])
    by_id = {str(document.id): document for document in found if document is not None}
    return [build(by_id[node_id]) if node_id in by_id else None for node_id in wanted]
