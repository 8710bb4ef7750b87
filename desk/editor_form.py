"""The editor's form: an article's content fields as the browser sends them, and back.

Every content field (`cms.content.ArticleFields`) has a control with a visible label here. The
form carries text as typed; the rules are the write path's (`cms.workflow.articles`), and each
problem it reports is shown next to the control its field path names.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slugify import slugify

from cms.content import ARTICLE_FIELDS, MAX_SLUG, FieldProblem
from desk.forms import Form

# What the editor's "Publish at" and "Unpublish at" show and take: minutes, in UTC.
MINUTES = "%Y-%m-%dT%H:%M"


@dataclass(frozen=True, slots=True)
class Control:
    name: str  # the form field's name, also its element id
    label: str
    field: str  # the content field it edits (a dotted path for the image's parts)


CONTROLS = (
    Control("headline", "Headline", "headline"),
    Control("slug", "Slug", "slug"),
    Control("excerpt", "Excerpt", "excerpt"),
    Control("body", "Body", "body"),
    Control("section", "Section", "section"),
    Control("tags", "Tags", "tags"),
    Control("authors", "Authors", "authors"),
    Control("credit", "Byline credit", "credit"),
    Control("image", "Image", "image.id"),
    Control("image_url", "External image URL", "image.url"),
    Control("image_caption", "Image caption", "image.caption"),
    Control("image_credit", "Image credit", "image.credit"),
    Control("image_alt", "Image alt text", "image.alt"),
    Control("published_at", "Publish at", "published_at"),
    Control("unpublish_at", "Unpublish at", "unpublish_at"),
    Control("related", "Related articles", "related"),
    Control("not_related", "Never related", "not_related"),
)
LISTS = ("tags", "authors", "related", "not_related")
IMAGE_PARTS = ("url", "caption", "credit", "alt")
TEXTS = ("headline", "slug", "excerpt", "body", "section", "credit")
# What a conflict or a message calls each content field.
FIELD_LABELS = {
    **{control.field: control.label for control in CONTROLS if "." not in control.field},
    "image": "Image",
    # Set by an import (the WordPress post it came from), never typed: a save keeps it.
    "wordpress_id": "WordPress post id",
    # Set by an import (WordPress's guid), never typed: a save keeps it as it is.
    "original_guid": "Original feed id",
}
assert set(FIELD_LABELS) == set(ARTICLE_FIELDS), "every content field has a control"

FormValues = dict[str, str | list[str]]


def _distinct(values: list[str]) -> list[str]:
    """In the order given, each once, blanks dropped."""
    return list(dict.fromkeys(value.strip() for value in values if value.strip()))


def _moment(text: str) -> str | None:
    """A time as typed (a `datetime-local` value is UTC here); None if blank. Anything else
    is left for the rules to refuse at its field."""
    text = text.strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).isoformat()


def suggested_slug(headline: str) -> str:
    """A slug for a headline, by the slug rule (lowercase words joined by `-`)."""
    return slugify(headline, max_length=MAX_SLUG, word_boundary=True)


def content_of_form(form: Form) -> dict[str, Any]:
    """The content fields the form sends, unchecked. A blank Publish at is left out (the write
    path keeps the time it has, or takes now), a blank slug is suggested from the headline."""

    def text(name: str) -> str:
        return form.get(name, "")

    def many(name: str) -> list[str]:
        return _distinct(form.getlist(name))

    content: dict[str, Any] = {name: text(name) for name in TEXTS}
    content["body"] = content["body"].replace("\r\n", "\n")
    content["excerpt"] = content["excerpt"].replace("\r\n", "\n")
    if not content["slug"].strip():
        content["slug"] = suggested_slug(content["headline"])
    for name in LISTS:
        content[name] = many(name)
    image = {part: text(f"image_{part}") for part in IMAGE_PARTS}
    if text("image_id").strip():
        # The picker's choice: an image of the media library, by its id.
        image["id"] = text("image_id").strip()
    content["image"] = image if any(value.strip() for value in image.values()) else None
    published_at = _moment(text("published_at"))
    if published_at is not None:
        content["published_at"] = published_at
    content["unpublish_at"] = _moment(text("unpublish_at"))
    return content


def _shown_moment(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime(MINUTES)
    return str(value or "")


def form_values(content: Mapping[str, Any]) -> FormValues:
    """What the controls show for this content (as saved, or as sent back with problems)."""
    values: FormValues = {name: str(content.get(name) or "") for name in TEXTS}
    for name in LISTS:
        values[name] = [str(item) for item in content.get(name) or []]
    image = content.get("image") or {}
    for part in ("id", *IMAGE_PARTS):
        values[f"image_{part}"] = str(image.get(part) or "")
    values["published_at"] = _shown_moment(content.get("published_at"))
    values["unpublish_at"] = _shown_moment(content.get("unpublish_at"))
    return values


def problems_by_control(problems: list[FieldProblem]) -> dict[str, list[str]]:
    """The write path's problems under the control each belongs to (`image.url` -> `image_url`,
    `tags.2` -> `tags`, the image as a whole -> the picker, `image`); one about the whole
    article under `""`."""
    by_field = {control.field: control.name for control in CONTROLS}
    found: dict[str, list[str]] = {}
    for problem in problems:
        parts = problem.field.split(".")
        name = by_field.get(".".join(parts[:2])) or by_field.get(parts[0], "")
        if parts[0] == "image" and name == "" and len(parts) == 1:
            name = "image"
        found.setdefault(name, []).append(problem.message)
    return found


def shown(field: str, value: Any) -> str:
    """A content value as a conflict shows it: plain text."""
    if value is None or value == [] or value == "":
        return "(empty)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if isinstance(value, dict):
        parts = ("id", *IMAGE_PARTS) if value.get("id") else IMAGE_PARTS
        return "\n".join(f"{part}: {value.get(part) or ''}" for part in parts)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return str(value)
