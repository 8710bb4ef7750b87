"""What editors send to create and change articles.

The rules (required fields, slug pattern, dates) are the content shape's in `cms.content`,
checked by the write path; these inputs only carry the values, so a new field is one change
there plus its line here.
"""

from datetime import datetime
from typing import Any

import strawberry

from api.media.types import TYPE_NAME
from api.nodes import node_id_of
from cms import authors
from cms.articles import parse_object_id
from cms.content import FieldProblem
from cms.errors import InvalidContentError

# `Author`'s type name in global IDs (`api.authors.types`, which imports the article types).
AUTHOR = "Author"


@strawberry.input(
    description="An article's hero image: an image of the media library (`id`) or one "
    "elsewhere (`url`), one of the two."
)
class ImageInput:
    id: strawberry.ID | None = strawberry.field(
        default=None, description="The `id` of an image of the media library (`uploadImage`)."
    )
    url: str = strawberry.field(default="", description="Absolute URL of an image elsewhere.")
    caption: str = strawberry.field(
        default="", description="What the image shows (empty: the library's caption)."
    )
    credit: str = strawberry.field(
        default="", description="Who took or supplied it (empty: the library's credit)."
    )
    alt: str = strawberry.field(
        default="", description="Text alternative (empty: the library's alt text)."
    )

    def values(self) -> dict[str, Any]:
        """As the content rules take it: a library image by the id inside its global ID."""
        values = vars(self).copy()
        if self.id is not None:
            values["id"] = node_id_of(self.id, TYPE_NAME) or self.id
        return values


def _values(obj: object) -> dict[str, Any]:
    """The fields that were given (not UNSET), with nested inputs as plain dicts and authors by
    the id inside their global ID (`author_slugs` turns those into slugs)."""
    values: dict[str, Any] = {}
    for name, value in vars(obj).items():
        if value is strawberry.UNSET:
            continue
        values[name] = value.values() if isinstance(value, ImageInput) else value
    if values.get("author") is None:
        values.pop("author", None)
    return values


async def author_slugs(values: dict[str, Any]) -> dict[str, Any]:
    """`values` with `authors` given by global ID as the slugs the content rules take; an ID
    that names no author is a field problem at its place."""
    if values.get("authors") is None:
        values.pop("authors", None)
        return values
    ids = [parse_object_id(node_id_of(global_id, AUTHOR) or "") for global_id in values["authors"]]
    found = await authors.by_ids([object_id for object_id in ids if object_id is not None])
    slugs, problems = [], []
    for index, (global_id, object_id) in enumerate(zip(values["authors"], ids, strict=True)):
        author = found.get(object_id) if object_id is not None else None
        if author is None:
            problems.append(FieldProblem(f"authors.{index}", f"no author has the ID {global_id!r}"))
        else:
            slugs.append(author.slug)
    if problems:
        raise InvalidContentError(problems)
    return {**values, "authors": slugs}


@strawberry.input(description="A new article. It starts as a draft.")
class ArticleInput:
    headline: str = strawberry.field(description="The headline.")
    slug: str = strawberry.field(description="Unique, URL-safe: lowercase words joined by `-`.")
    authors: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="The byline: authors' global `id`s, in order."
    )
    credit: str = strawberry.field(
        default="", description='Free-text credit for agency or staff copy ("Reuters").'
    )
    author: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The byline as a name, used when neither `authors` nor `credit` is given: a "
        "name in `NEWSROOM_BYLINE_CREDITS` becomes the credit, any other finds or creates that "
        "author.",
        deprecation_reason="Give `authors` (and `credit`).",
    )
    section: str = strawberry.field(description="The section's slug, e.g. `world`.")
    tags: list[str] = strawberry.field(
        default_factory=list, description="Tag slugs (existing tags), in editorial order."
    )
    image: ImageInput | None = strawberry.field(default=None, description="Hero image.")
    excerpt: str = strawberry.field(default="", description="One or two sentences, plain text.")
    body: str = strawberry.field(default="", description="The body, in Markdown.")
    published_at: datetime | None = strawberry.field(
        default=strawberry.UNSET,
        description="Intended publication time; publishing without one sets it to then.",
    )
    related: list[str] = strawberry.field(
        default_factory=list,
        description="Slugs of articles to show first in its related items, in this order.",
    )
    not_related: list[str] = strawberry.field(
        default_factory=list, description="Slugs of articles never to show in its related items."
    )
    unpublish_at: datetime | None = strawberry.field(
        default=None,
        description="When it leaves public view by itself (after its publication time).",
    )

    def values(self) -> dict[str, Any]:
        values = _values(self)
        if values.get("published_at") is None:
            values.pop("published_at", None)
        return values


@strawberry.input(description="Changes to an article: only the fields given change.")
class ArticlePatch:
    headline: str | None = strawberry.field(default=strawberry.UNSET, description="The headline.")
    slug: str | None = strawberry.field(default=strawberry.UNSET, description="The slug.")
    authors: list[strawberry.ID] | None = strawberry.field(
        default=strawberry.UNSET, description="Authors' global `id`s, replacing the byline."
    )
    credit: str | None = strawberry.field(
        default=strawberry.UNSET, description="The byline's free-text credit; empty for none."
    )
    author: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="The byline as a name, mapped as in `ArticleInput.author`, when neither "
        "`authors` nor `credit` is given.",
        deprecation_reason="Give `authors` (and `credit`).",
    )
    section: str | None = strawberry.field(default=strawberry.UNSET, description="The section.")
    tags: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Tag slugs, replacing the current list."
    )
    image: ImageInput | None = strawberry.field(
        default=strawberry.UNSET, description="Hero image; `null` removes it."
    )
    excerpt: str | None = strawberry.field(default=strawberry.UNSET, description="The excerpt.")
    body: str | None = strawberry.field(default=strawberry.UNSET, description="Markdown body.")
    published_at: datetime | None = strawberry.field(
        default=strawberry.UNSET, description="The publication time."
    )
    related: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Pinned related articles' slugs, replacing the list."
    )
    not_related: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Excluded related articles' slugs, replacing the list.",
    )
    unpublish_at: datetime | None = strawberry.field(
        default=strawberry.UNSET,
        description="When it leaves public view by itself; `null` keeps it up.",
    )

    def values(self) -> dict[str, Any]:
        return _values(self)
