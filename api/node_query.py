"""`node(id:)`: any object by its global ID, as Relay's specification has it; `previewNode(id:)`:
the same for a token that may preview, in any status."""

from typing import Annotated

import strawberry
from strawberry import relay

from api.articles.types import Article
from api.auth import audience_for
from api.authors.types import Author
from api.context import Info
from api.tags.types import Tag
from cms.visibility import Audience

NODE_TYPES: dict[str, type[Article] | type[Tag] | type[Author]] = {
    "Article": Article,
    "Tag": Tag,
    "Author": Author,
}
GlobalId = Annotated[
    strawberry.ID, strawberry.argument(description="A global ID, from any `id` field.")
]


@strawberry.type
class NodeQuery:
    @strawberry.field(
        description="Any public object by its global `id`, or null if none has that ID (Relay's "
        "`node`: refetchable fragments use it). A preview reads `previewNode`."
    )
    async def node(self, info: Info, id: GlobalId) -> relay.Node | None:
        return await _node(info, id, Audience.PUBLIC)

    @strawberry.field(
        description="Any object by its global `id`, in any status, for a token that may "
        "preview (UNAUTHENTICATED without one); null if none has that ID."
    )
    async def preview_node(self, info: Info, id: GlobalId) -> relay.Node | None:
        return await _node(info, id, await audience_for(info, preview=True))


async def _node(info: Info, id: strawberry.ID, audience: Audience) -> relay.Node | None:
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
