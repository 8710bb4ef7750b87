"""Editing tags: create, rename or describe, delete. Needs an editor token."""

from typing import Annotated, Any

import strawberry

from api.auth import require
from api.context import Info
from api.nodes import node_id_or
from api.tags.types import Tag
from api.user_errors import InvalidInput, SlugTaken, TagInUse, TagNotFound, returns_user_errors
from cms import tags
from cms.access import Permission
from cms.errors import TagNotFoundError
from cms.visibility import Audience
from cms.workflow import tags as workflow


@strawberry.input(description="A new tag.")
class TagInput:
    slug: str = strawberry.field(description="Unique, URL-safe: lowercase words joined by `-`.")
    name: str = strawberry.field(description="Display name.")
    description: str = strawberry.field(default="", description="What the tag covers.")


@strawberry.input(description="Changes to a tag; its slug stays (articles refer to it).")
class TagPatch:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Display name.")
    description: str | None = strawberry.field(
        default=strawberry.UNSET, description="What the tag covers."
    )

    def values(self) -> dict[str, Any]:
        return {name: value for name, value in vars(self).items() if value is not strawberry.UNSET}


@strawberry.type(description="The tag as saved.")
class TagSaved:
    tag: Tag = strawberry.field(description="The tag after the save.")


@strawberry.type(description="The tag was deleted.")
class TagDeleted:
    id: strawberry.ID = strawberry.field(description="The global ID it had.")
    slug: str = strawberry.field(description="The slug it had.")


def _saved(tag: tags.Tag) -> TagSaved:
    return TagSaved(tag=Tag.from_document(tag, Audience.PREVIEW))


def _tag_id(global_id: str) -> str:
    return node_id_or(global_id, "Tag", TagNotFoundError(global_id))


TagId = Annotated[strawberry.ID, strawberry.argument(description="The tag's global `id`.")]
CreateTagResult = Annotated[
    TagSaved | InvalidInput | SlugTaken,
    strawberry.union("CreateTagResult", description="The new tag, or why not."),
]
UpdateTagResult = Annotated[
    TagSaved | InvalidInput | TagNotFound,
    strawberry.union("UpdateTagResult", description="The saved tag, or why not."),
]
DeleteTagResult = Annotated[
    TagDeleted | TagInUse | TagNotFound,
    strawberry.union("DeleteTagResult", description="What was deleted, or why not."),
]


@strawberry.type
class TagMutation:
    @strawberry.mutation(description="Create a tag. Needs an editor token.")
    @returns_user_errors
    async def create_tag(
        self, info: Info, input: Annotated[TagInput, strawberry.argument(description="The tag.")]
    ) -> CreateTagResult:
        actor = await require(info, Permission.EDIT)
        return _saved(await workflow.create_tag(actor=actor, content=vars(input)))

    @strawberry.mutation(description="Rename or describe a tag. Needs an editor token.")
    @returns_user_errors
    async def update_tag(
        self,
        info: Info,
        id: TagId,
        input: Annotated[TagPatch, strawberry.argument(description="Fields to change.")],
    ) -> UpdateTagResult:
        actor = await require(info, Permission.EDIT)
        tag = await workflow.update_tag(actor=actor, tag_id=_tag_id(id), changes=input.values())
        return _saved(tag)

    @strawberry.mutation(
        description="Delete a tag; refused while any article (in any status) carries it. "
        "Needs an editor token."
    )
    @returns_user_errors
    async def delete_tag(self, info: Info, id: TagId) -> DeleteTagResult:
        actor = await require(info, Permission.EDIT)
        tag = await workflow.delete_tag(actor=actor, tag_id=_tag_id(id))
        return TagDeleted(id=id, slug=tag.slug)
