"""Editing authors: create, change, delete. Needs an editor token."""

from typing import Annotated, Any

import strawberry

from api.auth import require
from api.authors.types import TYPE_NAME, Author
from api.context import Info
from api.media.types import TYPE_NAME as IMAGE
from api.nodes import node_id_of, node_id_or
from api.user_errors import (
    AuthorInUse,
    AuthorNotFound,
    InvalidInput,
    SlugTaken,
    returns_user_errors,
)
from cms import authors
from cms.access import Permission
from cms.errors import AuthorNotFoundError
from cms.visibility import Audience
from cms.workflow import authors as workflow


@strawberry.input(description="An author's links: each an http(s) URL, or empty.")
class AuthorLinksInput:
    website: str = strawberry.field(default="", description="Their own site.")
    x: str = strawberry.field(default="", description="Their X (Twitter) profile.")
    mastodon: str = strawberry.field(default="", description="Their Mastodon profile.")
    bluesky: str = strawberry.field(default="", description="Their Bluesky profile.")
    linkedin: str = strawberry.field(default="", description="Their LinkedIn profile.")


@strawberry.input(description="An author's fields; in a patch, only those given change.")
class AuthorInput:
    name: str | None = strawberry.field(default=strawberry.UNSET, description="Their name.")
    slug: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="Unique, URL-safe; made from the name when not given (`-2`, `-3`, ... for "
        "a name taken). Fixed once created: bylines name authors by slug.",
    )
    title: str | None = strawberry.field(
        default=strawberry.UNSET, description='Their role, e.g. "Seoul correspondent".'
    )
    bio: str | None = strawberry.field(
        default=strawberry.UNSET, description="A short biography, in Markdown."
    )
    avatar: strawberry.ID | None = strawberry.field(
        default=strawberry.UNSET,
        description="The `id` of an image of the media library; null for none.",
    )
    links: AuthorLinksInput | None = strawberry.field(
        default=strawberry.UNSET, description="Their pages elsewhere, replacing those held."
    )

    def values(self) -> dict[str, Any]:
        values = {
            name: value for name, value in vars(self).items() if value is not strawberry.UNSET
        }
        if isinstance(self.links, AuthorLinksInput):
            values["links"] = vars(self.links)
        if isinstance(self.avatar, str):
            # A library image by the id inside its global ID (as an article's image).
            values["avatar"] = node_id_of(self.avatar, IMAGE) or self.avatar
        return values


@strawberry.type(description="The author as saved.")
class AuthorSaved:
    author: Author = strawberry.field(description="The author after the save.")


@strawberry.type(description="The author was deleted.")
class AuthorDeleted:
    id: strawberry.ID = strawberry.field(description="The global ID it had.")
    slug: str = strawberry.field(description="The slug it had.")


def _saved(author: authors.Author) -> AuthorSaved:
    return AuthorSaved(author=Author.from_document(author, Audience.PREVIEW))


def _author_id(global_id: str) -> str:
    return node_id_or(global_id, TYPE_NAME, AuthorNotFoundError(global_id))


AuthorId = Annotated[strawberry.ID, strawberry.argument(description="The author's global `id`.")]
CreateAuthorResult = Annotated[
    AuthorSaved | InvalidInput | SlugTaken,
    strawberry.union("CreateAuthorResult", description="The new author, or why not."),
]
UpdateAuthorResult = Annotated[
    AuthorSaved | InvalidInput | AuthorNotFound,
    strawberry.union("UpdateAuthorResult", description="The saved author, or why not."),
]
DeleteAuthorResult = Annotated[
    AuthorDeleted | AuthorInUse | AuthorNotFound,
    strawberry.union("DeleteAuthorResult", description="What was deleted, or why not."),
]


@strawberry.type
class AuthorMutation:
    @strawberry.mutation(description="Create an author. Needs an editor token.")
    @returns_user_errors
    async def create_author(
        self,
        info: Info,
        input: Annotated[AuthorInput, strawberry.argument(description="The author.")],
    ) -> CreateAuthorResult:
        actor = await require(info, Permission.EDIT)
        return _saved(await workflow.create_author(actor=actor, content=input.values()))

    @strawberry.mutation(
        description="Change an author's name, title, bio, avatar or links (not the slug). "
        "Needs an editor token."
    )
    @returns_user_errors
    async def update_author(
        self,
        info: Info,
        id: AuthorId,
        input: Annotated[AuthorInput, strawberry.argument(description="Fields to change.")],
    ) -> UpdateAuthorResult:
        actor = await require(info, Permission.EDIT)
        changes = input.values()
        changes.pop("slug", None)
        author = await workflow.update_author(
            actor=actor, author_id=_author_id(id), changes=changes
        )
        return _saved(author)

    @strawberry.mutation(
        description="Delete an author; refused while any article's byline (in any status) "
        "names them. Needs an editor token."
    )
    @returns_user_errors
    async def delete_author(self, info: Info, id: AuthorId) -> DeleteAuthorResult:
        actor = await require(info, Permission.EDIT)
        author = await workflow.delete_author(actor=actor, author_id=_author_id(id))
        return AuthorDeleted(id=id, slug=author.slug)
