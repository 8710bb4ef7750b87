"""The fields an editor writes, declared once.

The stored documents, the fixture files (reader and exporter) and the editor API all use these
declarations and their rules, so a field is added, or a rule tightened, in one place.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from cms.clock import storable
from cms.text.plaintext import PlainLine, PlainParagraphs, RequiredPlainLine

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
MAX_SLUG = 200
MAX_TAGS = 20
MAX_BODY = 200_000
# Pinned or excluded related articles, each: as many as a related list can show.
MAX_PINS = 20
# A byline's authors, and an author's bio (Markdown source), at most.
MAX_AUTHORS = 10
MAX_BIO = 2_000

Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_SLUG, pattern=SLUG_PATTERN)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _web_address(value: str) -> str:
    """Image addresses are fetched by browsers: only http(s), never `javascript:` or `data:`."""
    if not re.match(r"^https?://[^\s/?#]+", value, flags=re.IGNORECASE):
        raise ValueError("must be an http:// or https:// address")
    return value


WebAddress = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(_web_address),
]
# An image of the media library, by id: the SHA-256 of its bytes (`cms.media`).
LibraryImageId = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9a-f]{64}$")]


def _optional_web_address(value: str) -> str:
    return _web_address(value) if value else value


OptionalWebAddress = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=2000),
    AfterValidator(_optional_web_address),
]


def _whole_day_is_midnight(value: Any) -> Any:
    """YAML reads `2025-03-27` as a date; an article published that day starts at midnight UTC."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=UTC)
    return value


def _storable(value: datetime) -> datetime:
    try:
        return storable(value)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC") from None


# A moment as the store keeps it: UTC, milliseconds.
Moment = Annotated[datetime, BeforeValidator(_whole_day_is_midnight), AfterValidator(_storable)]


class ImageFields(BaseModel):
    """The hero image shown above an article: an image of the media library (`id`) or one
    elsewhere (`url`), with the article's own caption, credit and alt text."""

    id: str | None = None
    url: str = ""
    caption: str = ""
    credit: str = ""
    alt: str = ""

    @property
    def library_id(self) -> str | None:
        return self.id or None


class ArticleFields(BaseModel):
    """An article's editable content. Its workflow state (status, version) is kept apart."""

    headline: Text
    slug: Slug
    published_at: Moment
    authors: list[Slug] = Field(
        default_factory=list, description="The byline: author slugs, in the order credited."
    )
    credit: str = Field(
        default="", description='Free-text credit for agency or staff copy ("Reuters").'
    )
    section: Slug
    tags: list[Slug] = Field(default_factory=list, description="Tag slugs, in editorial order.")
    image: ImageFields | None = None
    excerpt: str = ""
    body: str = Field(default="", description="Markdown source.")
    related: list[Slug] = Field(
        default_factory=list,
        description="Slugs of articles pinned first in its related items, in this order.",
    )
    not_related: list[Slug] = Field(
        default_factory=list, description="Slugs of articles never shown in its related items."
    )
    unpublish_at: Moment | None = Field(
        default=None, description="When it leaves public view by itself (scheduled unpublication)."
    )
    wordpress_id: int | None = Field(
        default=None,
        ge=1,
        description="The WordPress post it was imported from: a re-import updates it by this id.",
    )
    original_guid: str = Field(
        default="",
        description="The id its feeds gave it where it was first published (a WordPress "
        "`guid`): Newsroom's feeds keep it, so readers do not show a migrated archive again.",
    )


# The content fields by name, in declaration order: what a revision records and compares.
ARTICLE_FIELDS = tuple(ArticleFields.model_fields)


class AuthorLinks(BaseModel):
    """Where else a person is found: each an http(s) address, or empty."""

    website: str = ""
    x: str = ""
    mastodon: str = ""
    bluesky: str = ""
    linkedin: str = ""


class AuthorFields(BaseModel):
    """A person credited in bylines. `account` (a desk account's id) is never shown publicly."""

    slug: Slug
    name: Text
    title: str = Field(default="", description='Their role, e.g. "Seoul correspondent".')
    bio: str = Field(default="", description="A short biography, Markdown source.")
    avatar: str | None = Field(default=None, description="An image of the media library, by id.")
    links: AuthorLinks = Field(default_factory=AuthorLinks)
    account: str = ""


class TagFields(BaseModel):
    slug: Slug
    name: Text
    description: str = ""


_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class StrictImage(ImageFields):
    model_config = _STRICT

    id: LibraryImageId | None = None
    url: OptionalWebAddress = Field(default="", validate_default=True)
    caption: PlainParagraphs = Field(default="", max_length=1000)
    credit: PlainLine = ""
    alt: PlainLine = ""

    @field_validator("url")
    @classmethod
    def _one_source(cls, url: str, info: ValidationInfo) -> str:
        """An image is one of the library's (`id`) or one elsewhere (`url`), never both."""
        library = info.data.get("id")
        if not url and not library:
            raise ValueError(
                "Field required: the image's `url` (for an image of the media library, its "
                "`id`; in a fixture file, its `file`)"
            )
        if url and library:
            raise ValueError("give either `url` (an image elsewhere) or `id`, not both")
        return url


class ArticleContent(ArticleFields):
    """Content as an editor submits it: unknown keys are refused, so typos don't pass silently.

    Stricter than what the store may hold from older versions: text fields are plain text,
    image addresses http(s), and lists and bodies bounded.
    """

    model_config = _STRICT

    headline: RequiredPlainLine
    authors: list[Slug] = Field(default_factory=list, max_length=MAX_AUTHORS)
    credit: PlainLine = Field(default="", max_length=200, validate_default=True)
    tags: list[Slug] = Field(default_factory=list, max_length=MAX_TAGS)
    image: StrictImage | None = None
    excerpt: PlainParagraphs = Field(default="", max_length=1000)
    body: str = Field(default="", max_length=MAX_BODY)
    related: list[Slug] = Field(default_factory=list, max_length=MAX_PINS)
    not_related: list[Slug] = Field(default_factory=list, max_length=MAX_PINS)
    original_guid: PlainLine = Field(default="", max_length=2000)

    @field_validator("unpublish_at")
    @classmethod
    def _leaves_after_it_arrives(
        cls, value: datetime | None, info: ValidationInfo
    ) -> datetime | None:
        published_at = info.data.get("published_at")
        if value is not None and published_at is not None and value <= published_at:
            raise ValueError("must be later than the publication time")
        return value

    @field_validator("authors")
    @classmethod
    def _each_once(cls, authors: list[str]) -> list[str]:
        if len(set(authors)) != len(authors):
            raise ValueError("names an author more than once")
        return authors

    @field_validator("credit")
    @classmethod
    def _has_a_byline(cls, credit: str, info: ValidationInfo) -> str:
        # Said at the credit: where an editor with no author to name writes the byline.
        if "authors" in info.data and not info.data["authors"] and not credit:
            raise ValueError("a byline is required: at least one author, or a credit")
        return credit

    def values(self) -> dict[str, Any]:
        return self.model_dump()


class StrictAuthorLinks(AuthorLinks):
    model_config = _STRICT

    website: OptionalWebAddress = ""
    x: OptionalWebAddress = ""
    mastodon: OptionalWebAddress = ""
    bluesky: OptionalWebAddress = ""
    linkedin: OptionalWebAddress = ""


class AuthorContent(AuthorFields):
    model_config = _STRICT

    name: RequiredPlainLine
    title: PlainLine = Field(default="", max_length=200)
    bio: str = Field(default="", max_length=MAX_BIO)
    avatar: LibraryImageId | None = None
    links: StrictAuthorLinks = Field(default_factory=StrictAuthorLinks)
    account: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] = ""


class TagContent(TagFields):
    model_config = _STRICT

    name: RequiredPlainLine
    description: PlainParagraphs = ""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with submitted content: where (dotted path; empty for the whole) and what."""

    field: str
    message: str


def _shown(value: Any) -> str:
    """A short, literal rendering of a bad value: messages never echo a whole large input."""
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:57]}..."


def field_problems(
    error: ValidationError, *, renames: dict[str, str] | None = None
) -> list[FieldProblem]:
    """Pydantic's complaints as problems; `renames` maps field names to what the user wrote."""
    problems = []
    for detail in error.errors():
        parts = [str(part) for part in detail["loc"]]
        if parts and renames:
            parts[0] = renames.get(parts[0], parts[0])
        message = detail["msg"]
        if "input" in detail and detail["type"] not in {"missing", "extra_forbidden"}:
            message = f"{message} (got {_shown(detail['input'])})"
        problems.append(FieldProblem(".".join(parts), message))
    return problems


def changed_fields(
    before: dict[str, Any], after: dict[str, Any], fields: Iterable[str]
) -> list[str]:
    return [name for name in fields if before.get(name) != after.get(name)]
