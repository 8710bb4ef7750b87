"""Fetching nodes by the ids inside their global IDs, through a per-request loader."""

from collections.abc import Callable, Iterable
from typing import Protocol

from beanie import PydanticObjectId
from strawberry import relay
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
    parsed = [parse_object_id(node_id) for node_id in node_ids]
    found = await loader.load_many([object_id for object_id in parsed if object_id is not None])
    by_id = {document.id: document for document in found if document is not None}
    return [build(by_id[object_id]) if object_id in by_id else None for object_id in parsed]


def node_id_of(global_id: str, type_name: str) -> str | None:
    """The id inside `global_id` if it names a `type_name`; None for anything else."""
    try:
        parsed = relay.GlobalID.from_id(global_id)
    except relay.GlobalIDValueError:
        return None
    return parsed.node_id if parsed.type_name == type_name else None
