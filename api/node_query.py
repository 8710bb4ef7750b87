"""`node(id:)`: any object by its global ID."""

from typing import Annotated

import strawberry
from strawberry import relay

from api.articles.types import Article
from api.auth import audience_for
from api.context import Info
from api.pagination import Preview
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
        preview: Preview = False,
    ) -> relay.Node | None:
        audience = await audience_for(info, preview=preview)
        # Parsed here rather than by strawberry's `relay.node()`, which raises on a foreign or
        # malformed ID: an ID that names nothing here is simply not found.
        try:
            global_id = relay.GlobalID.from_id(id)
        except relay.GlobalIDValueError:
            return None
        node_type = NODE_TYPES.get(global_id.type_name)
        if node_type is None:
            return None
        (found,) = await node_type.load_nodes(info, [global_id.node_id], audience)
        return found
