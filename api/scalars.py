"""Custom scalars, described with their exact format so clients and code generators know it."""

from datetime import UTC, datetime
from typing import NewType

import strawberry
from starlette.datastructures import UploadFile

DATETIME_FORMAT = (
    "An instant as an RFC 3339 / ISO 8601 string with a UTC offset, e.g. "
    "`2025-03-27T08:00:00Z` or `2025-03-27T10:00:00+02:00`; answers are always in UTC, "
    "with `+00:00`. Input without an offset is taken as UTC."
)


class InvalidScalarValue(ValueError):
    """A value a scalar cannot take: the caller's to fix (`BAD_USER_INPUT`), never a bug."""


def _parse(value: object) -> datetime:
    if not isinstance(value, str) or len(value) > 64:
        raise InvalidScalarValue("a DateTime is an ISO 8601 string such as 2025-03-27T08:00:00Z")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidScalarValue(
            f"{value[:40]!r} is not an ISO 8601 date and time such as 2025-03-27T08:00:00Z"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise InvalidScalarValue(f"{value[:40]!r} is out of range once converted to UTC") from None


def _serialize(value: datetime) -> str:
    return value.isoformat()


# Given to the schema as `StrawberryConfig(scalar_map={datetime: DATETIME})`.
DATETIME = strawberry.scalar(
    name="DateTime",
    description=DATETIME_FORMAT,
    specified_by_url="https://scalars.graphql.org/chillicream/date-time.html",
    serialize=_serialize,
    parse_value=_parse,
)


# JSON-LD text; given to the schema as `scalar_map={JsonLd: JSON_LD}`.
JsonLd = NewType("JsonLd", str)
JSON_LD = strawberry.scalar(
    name="JsonLd",
    description="A JSON-LD document (https://www.w3.org/TR/json-ld11/) as JSON text, made safe to "
    'place as it is inside `<script type="application/ld+json">`: `<`, `>` and `&` are written '
    "as JSON `\\u003c`, `\\u003e` and `\\u0026` escapes, so the text parses to the same data.",
    specified_by_url="https://www.w3.org/TR/json-ld11/",
    serialize=str,
    parse_value=str,
)


def _upload(value: object) -> UploadFile:
    if not isinstance(value, UploadFile):
        raise InvalidScalarValue(
            "an Upload is a file part of a multipart/form-data request (the GraphQL multipart "
            "request spec), not a JSON value"
        )
    return value


def _no_output(value: object) -> None:
    raise TypeError("Upload is an input type")


# Given to the schema as `scalar_map={Upload: UPLOAD}` (strawberry's `Upload` type).
UPLOAD = strawberry.scalar(
    name="Upload",
    description="A file, sent as the GraphQL multipart request spec says "
    "(https://github.com/jaydenseric/graphql-multipart-request-spec): a multipart/form-data "
    "request with `operations`, `map` and the file, as Apollo Upload Client sends it. Accepted "
    "only with an editor token.",
    specified_by_url="https://github.com/jaydenseric/graphql-multipart-request-spec",
    serialize=_no_output,
    parse_value=_upload,
)
