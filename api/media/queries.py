"""Editors read the media library."""

from typing import Annotated

import strawberry

from api.auth import require
from api.context import Info
from api.media.types import TYPE_NAME, LibraryImage
from api.nodes import node_id_of
from cms.access import Permission
from cms.errors import ImageNotFoundError
from cms.media import library


@strawberry.type
class MediaQuery:
    @strawberry.field(
        description="An image of the media library by its `id`, or null. Needs a previewer, "
        "editor or admin token."
    )
    async def library_image(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The image's `id`.")],
    ) -> LibraryImage | None:
        await require(info, Permission.PREVIEW)
        image_id = node_id_of(id, TYPE_NAME)
        if image_id is None:
            return None
        try:
            return LibraryImage.of(await library.get_image(image_id))
        except ImageNotFoundError:
            return None
