"""`node(id:)`: any object by its global ID."""

from typing import Annotated

import strawberry
from strawberry import relay

from api.articles.types import Article
from api.context import Info
from api.tags.types import Tag

NODE_TYPES: dict[str, type[Article] | type[Tag]] = {"Article": Article, "Tag": Tag}


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its global `id`, or null if none has that ID.")
    async def node(
        self,
        info: Info,
        id: Annotated[
            strawberry.ID, strawberry.argument(description="A global ID, from any `id` field.")
        ],
    ) -> relay.Node | None:
        # Parsed here rather than by strawberry's `relay.node()`, which raises on a foreign or
        # malformed ID: an ID that names nothing here is simply not found.
        try:
            global_id = relay.GlobalID.from_id(id)
        except relay.GlobalIDValueError:
            return None
        node_type = NODE_TYPES.get(global_id.type_name)
        if node_type is None:
            return None
        (found,) = await node_type.resolve_nodes(info=info, node_ids=[global_id.node_id])
        return found
