"""Finding stored objects for the schema: by the id inside a global ID (`node`, relay's node
resolution, mutations) or by slug, through the request's loaders for an audience."""

from collections.abc import Callable, Iterable
from typing import Protocol, Self

from beanie import PydanticObjectId
from strawberry import relay
from strawberry.dataloader import DataLoader

from api.auth import audience_for
from api.coded_errors import user_input
from api.context import Info
from api.loaders import Loaders
from cms.arguments import slug_argument
from cms.articles import parse_object_id
from cms.errors import CallerError
from cms.visibility import Audience


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


# Loaders of one kind of document: by id, by slug.
type Finders[D] = tuple[DataLoader[PydanticObjectId, D | None], DataLoader[str, D | None]]


class StoredNode[D: _Identified]:
    """A node type whose objects are documents `D`, loaded for an audience by id (what `node`,
    `api.node_query`, and relay's own node resolution call) or by slug. Listed before
    `relay.Node` among a type's bases; the type says which loaders find its documents and how
    one becomes a node."""

    @classmethod
    def finders(cls, loaders: Loaders) -> Finders[D]:
        """Of the request's loaders for an audience, those finding `D` by id and by slug."""
        raise NotImplementedError

    @classmethod
    def from_document(cls, document: D, audience: Audience) -> Self:
        raise NotImplementedError

    @classmethod
    async def resolve_nodes(
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Self | None]:
        """Relay's resolution: what the public sees (one body serves every `required`)."""
        return await cls.load_nodes(info, node_ids, Audience.PUBLIC)

    @classmethod
    async def load_nodes(
        cls, info: Info, node_ids: Iterable[str], audience: Audience
    ) -> list[Self | None]:
        loader, _ = cls.finders(info.context.loaders_for(audience))
        return await nodes_by_id(node_ids, loader, lambda found: cls.from_document(found, audience))

    @classmethod
    async def with_slug(cls, info: Info, slug: str, *, preview: bool) -> Self | None:
        """The object with this slug as `preview` lets the caller see it, or None.

        A slug that cannot exist is BAD_USER_INPUT, before the store is asked.
        """
        with user_input():
            slug_argument(slug)
        audience = await audience_for(info, preview=preview)
        _, by_slug = cls.finders(info.context.loaders_for(audience))
        found = await by_slug.load(slug)
        return cls.from_document(found, audience) if found else None


def node_id_of(global_id: str, type_name: str) -> str | None:
    """The id inside `global_id` if it names a `type_name`; None for anything else."""
    try:
        parsed = relay.GlobalID.from_id(global_id)
    except relay.GlobalIDValueError:
        return None
    return parsed.node_id if parsed.type_name == type_name else None


def node_id_or(global_id: str, type_name: str, missing: CallerError) -> str:
    """The id inside `global_id` if it names a `type_name`; else `missing` is raised (what a
    mutation reports for an object that is not there)."""
    node_id = node_id_of(global_id, type_name)
    if node_id is None:
        raise missing
    return node_id
