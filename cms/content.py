"""The fields an editor writes, declared once.

The stored documents, the fixture files (reader and exporter) and the editor API all use these
declarations and their rules, so a field is added, or a rule tightened, in one place.
"""

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
)

from cms.clock import storable

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"

Slug = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=SLUG_PATTERN)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _whole_day_is_midnight(value: Any) -> Any:
    """YAML reads `2025-03-27` as a date; an article published that day starts at midnight UTC."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=UTC)
    return value


# A moment as the store keeps it: UTC, milliseconds.
Moment = Annotated[datetime, BeforeValidator(_whole_day_is_midnight), AfterValidator(storable)]


class ImageFields(BaseModel):
    """The hero image shown above an article."""

    url: Text
    caption: str = ""
    credit: str = ""
    alt: str = ""


class ArticleFields(BaseModel):
    """An article's editable content. Its workflow state (status, version) is kept apart."""

    headline: Text
    slug: Slug
    published_at: Moment
    author: Text
    section: Slug
    tags: list[Slug] = Field(default_factory=list, description="Tag slugs, in editorial order.")
    image: ImageFields | None = None
    excerpt: str = ""
    body: str = Field(default="", description="Markdown source.")


# The content fields by name, in declaration order: what a revision records and compares.
ARTICLE_FIELDS = tuple(ArticleFields.model_fields)


class TagFields(BaseModel):
    slug: Slug
    name: Text
    description: str = ""


_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class StrictImage(ImageFields):
    model_config = _STRICT


class ArticleContent(ArticleFields):
    """Content as an editor submits it: unknown keys are refused, so typos don't pass silently."""

    model_config = _STRICT

    image: StrictImage | None = None
    body: str = ""

    def values(self) -> dict[str, Any]:
        return self.model_dump()


class TagContent(TagFields):
    model_config = _STRICT


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
