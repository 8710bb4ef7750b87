"""Editors add images to the media library (GraphQL multipart uploads) and describe them."""

from typing import Annotated

import strawberry
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload

from api.auth import require
from api.context import Info
from api.media.types import TYPE_NAME, ImageDetailsInput, LibraryImage
from api.nodes import node_id_or
from api.user_errors import ImageNotFound, ImageRefused, InvalidInput, returns_user_errors
from cms.access import Permission
from cms.errors import ImageNotFoundError
from cms.media import library


@strawberry.type(description="The image, added now or found in the library already.")
class ImageUploaded:
    image: LibraryImage = strawberry.field(description="The library's image.")
    existed: bool = strawberry.field(
        description="True if the library held the same file already: nothing was stored, and "
        "its details are the ones it had (change them with `updateImage`)."
    )


@strawberry.type(description="The image as saved.")
class ImageSaved:
    image: LibraryImage = strawberry.field(description="The library's image after the change.")


UploadImageResult = Annotated[
    ImageUploaded | ImageRefused | InvalidInput,
    strawberry.union("UploadImageResult", description="The library's image, or why not."),
]
UpdateImageResult = Annotated[
    ImageSaved | ImageNotFound | ImageRefused | InvalidInput,
    strawberry.union("UpdateImageResult", description="The changed image, or why not."),
]


@strawberry.type
class MediaMutation:
    @strawberry.mutation(
        description="Add an image file to the media library, sent as the GraphQL multipart "
        "request spec says (Apollo Upload Client's `createUploadLink` does it). JPEG, PNG, GIF, "
        "WebP or AVIF, up to `NEWSROOM_UPLOAD_MAX_BYTES` and `NEWSROOM_UPLOAD_MAX_PIXELS`. The "
        "same file twice is one image. Needs an editor token."
    )
    @returns_user_errors
    async def upload_image(
        self,
        info: Info,
        file: Annotated[Upload, strawberry.argument(description="The image file.")],
        details: Annotated[
            ImageDetailsInput | None,
            strawberry.argument(description="Its alt text, caption, credit and focal point."),
        ] = None,
    ) -> UploadImageResult:
        actor = await require(info, Permission.EDIT)
        upload: UploadFile = file  # type: ignore[assignment]  # the scalar's value (`api.scalars`)
        data = await upload.read()
        added = await library.add_image(
            actor=actor,
            data=data,
            filename=upload.filename or "",
            content_type=upload.content_type,
            values=details.values() if details else {},
            limits=library.Limits.of(info.context.settings),
        )
        return ImageUploaded(image=LibraryImage.of(added.image), existed=added.existed)

    @strawberry.mutation(
        description="Change the library's alt text, caption, credit or focal point of an image. "
        "Articles keep their own caption, credit and alt text. Needs an editor token."
    )
    @returns_user_errors
    async def update_image(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The image's `id`.")],
        details: Annotated[
            ImageDetailsInput, strawberry.argument(description="The details to change.")
        ],
    ) -> UpdateImageResult:
        actor = await require(info, Permission.EDIT)
        image_id = node_id_or(id, TYPE_NAME, ImageNotFoundError(id))
        image = await library.update_image(actor=actor, image_id=image_id, changes=details.values())
        return ImageSaved(image=LibraryImage.of(image))
