"""Expected failures as data: every typed mutation error implements `UserError`.

`user_error` is the one mapper from cms's `CallerError`s to these types, and mutations
decorated with `returns_user_errors` return what it gives for any `CallerError` they meet, so a
failure is reported the same way everywhere.
"""

import functools
from collections.abc import Awaitable, Callable
from enum import Enum
from typing import TYPE_CHECKING, cast

import strawberry
from strawberry.schema.name_converter import NameConverter

from api.coded_errors import BadUserInput
from cms import errors
from cms.errors import ErrorCode, ImageProblem

_names = NameConverter()


# What each code means to a program, for the schema. Every cms code is a `UserErrorCode` but
# BAD_USER_INPUT, which no typed result carries (it is a top-level error): a code added to cms
# without a description here fails at import.
DESCRIPTIONS: dict[ErrorCode, str] = {
    ErrorCode.ARTICLE_NOT_FOUND: "No article (for votes: no published one) has that ID.",
    ErrorCode.TAG_NOT_FOUND: "No tag has that ID.",
    ErrorCode.REVISION_NOT_FOUND: "No revision has that ID.",
    ErrorCode.INVALID_STARS: "Stars must be a whole number from 1 to 5.",
    ErrorCode.INVALID_INPUT: "Some fields break the content rules; see `problems`.",
    ErrorCode.VERSION_CONFLICT: (
        "Someone saved the article since the version the change was based on."
    ),
    ErrorCode.INVALID_TRANSITION: "The workflow does not allow that move.",
    ErrorCode.SLUG_TAKEN: "The slug is in use.",
    ErrorCode.TAG_IN_USE: "Articles still carry the tag.",
    ErrorCode.AUTHOR_NOT_FOUND: "No author has that ID.",
    ErrorCode.AUTHOR_IN_USE: "Articles' bylines still name the author; see `articles`.",
    ErrorCode.RATE_LIMITED: "Too many requests from this reader or network; see `retryAfter`.",
    ErrorCode.WEBHOOK_NOT_FOUND: "No webhook endpoint has that ID.",
    ErrorCode.WEBHOOK_URL_REFUSED: (
        "Webhooks cannot be sent to that URL: not http(s), not resolvable, or not a public "
        "internet address."
    ),
    ErrorCode.WEBHOOK_EXISTS: "An endpoint for that URL exists already.",
    ErrorCode.IMAGE_NOT_FOUND: "No image of the media library has that ID.",
    ErrorCode.IMAGE_REFUSED: "The media library does not take that file or value; see `reason`.",
    ErrorCode.IMAGE_IN_USE: "Articles still show the image.",
}

if TYPE_CHECKING:
    UserErrorCode = Enum  # its members are cms's codes, made below
else:
    UserErrorCode = strawberry.enum(
        Enum(
            "UserErrorCode",
            {
                code.name: strawberry.enum_value(code, description=DESCRIPTIONS[code])
                for code in ErrorCode
                if code is not ErrorCode.BAD_USER_INPUT
            },
        ),
        description="Why a mutation did not do what was asked, for programs.",
    )


@strawberry.interface(description="Something a mutation could not do, and why.")
class UserError:
    code: UserErrorCode = strawberry.field(description="What went wrong, for programs.")
    message: str = strawberry.field(description="What went wrong, for people.")
    field: str | None = strawberry.field(
        description="The input field at fault (a dotted path, e.g. `image.url`), if one is."
    )


@strawberry.interface(description="Why a vote was not counted.")
class VoteError(UserError):
    pass


@strawberry.type(description="No article has that ID (for a vote: no published article).")
class ArticleNotFound(VoteError):
    pass


@strawberry.type(description="The vote was not counted: stars were not from 1 to 5.")
class InvalidStars(VoteError):
    pass


@strawberry.type(
    description="Too many votes or notes from this reader or network for now: nothing was done. "
    "The HTTP response carries the same wait in its `Retry-After` header."
)
class RateLimited(VoteError):
    retry_after: int = strawberry.field(description="Seconds to wait before trying again.")


@strawberry.type(description="No tag has that ID.")
class TagNotFound(UserError):
    pass


@strawberry.type(description="No revision has that ID.")
class RevisionNotFound(UserError):
    pass


@strawberry.type(description="One field that breaks the content rules.")
class FieldError(UserError):
    pass


@strawberry.type(description="Some fields break the content rules (the same as fixture files').")
class InvalidInput(UserError):
    problems: list[FieldError] = strawberry.field(description="Every problem, one per field.")


@strawberry.type(
    description="Someone saved the article since the version this change was based on."
)
class VersionConflict(UserError):
    current_version: int = strawberry.field(description="The article's version now.")
    your_version: int = strawberry.field(description="The version the change was based on.")


@strawberry.type(description="The workflow does not allow this move.")
class InvalidTransition(UserError):
    from_status: str = strawberry.field(description="The article's status.")
    to_status: str = strawberry.field(description="The status asked for.")


@strawberry.type(description="Another article or tag has this slug.")
class SlugTaken(UserError):
    pass


@strawberry.type(description="The tag cannot be deleted while articles carry it.")
class TagInUse(UserError):
    article_count: int = strawberry.field(description="How many articles (any status) carry it.")


@strawberry.type(description="No author has that ID.")
class AuthorNotFound(UserError):
    pass


@strawberry.type(description="The author cannot be deleted while any article's byline names them.")
class AuthorInUse(UserError):
    articles: list[str] = strawberry.field(
        description="Slugs of the articles (any status) whose byline names them."
    )


@strawberry.type(description="No webhook endpoint has that ID.")
class WebhookNotFound(UserError):
    pass


@strawberry.type(
    description="Webhooks cannot be sent to that URL: it is not http(s), does not resolve, or "
    "resolves to a loopback, private, link-local or metadata address."
)
class WebhookUrlRefused(UserError):
    pass


@strawberry.type(description="An endpoint for that URL exists already.")
class WebhookExists(UserError):
    pass


@strawberry.type(description="No image of the media library has that ID.")
class ImageNotFound(UserError):
    pass


@strawberry.enum(description="Why the media library refused a file or a value.")
class ImageRefusal(Enum):
    TOO_LARGE = strawberry.enum_value(
        ImageProblem.TOO_LARGE, description="More bytes than `NEWSROOM_UPLOAD_MAX_BYTES`."
    )
    TOO_MANY_PIXELS = strawberry.enum_value(
        ImageProblem.TOO_MANY_PIXELS,
        description="More pixels than `NEWSROOM_UPLOAD_MAX_PIXELS` (read from its header: it "
        "was not decoded).",
    )
    UNSUPPORTED_FORMAT = strawberry.enum_value(
        ImageProblem.UNSUPPORTED_FORMAT,
        description="Not JPEG, PNG, GIF, WebP or AVIF (SVG, which can carry scripts, and HEIC, "
        "which cannot be read here, included).",
    )
    NOT_WHAT_IT_CLAIMS = strawberry.enum_value(
        ImageProblem.NOT_WHAT_IT_CLAIMS,
        description="Its name or media type says one format and its bytes another.",
    )
    CORRUPT = strawberry.enum_value(
        ImageProblem.CORRUPT, description="Damaged, cut short or empty: it does not decode."
    )
    INVALID_FOCAL_POINT = strawberry.enum_value(
        ImageProblem.INVALID_FOCAL_POINT, description="A focal point's x or y is not from 0 to 1."
    )


@strawberry.type(description="The media library did not take the file or value: nothing stored.")
class ImageRefused(UserError):
    reason: ImageRefusal = strawberry.field(description="Why, for programs.")


def _field(path: str | None) -> str | None:
    """A cms field path in the schema's spelling: `published_at.x` -> `publishedAt.x`."""
    if not path:
        return None
    head, dot, rest = path.partition(".")
    return _names.apply_naming_config(head) + dot + rest


def user_error(error: errors.CallerError) -> UserError:
    """The typed GraphQL error for a cms error a caller can fix."""
    code = UserErrorCode(error.code)
    message, field = str(error), _field(error.field)
    match error:
        case errors.InvalidContentError():
            problems = [
                FieldError(code=code, message=p.message, field=_field(p.field))
                for p in error.problems
            ]
            return InvalidInput(code=code, message=message, field=None, problems=problems)
        case errors.VersionConflictError():
            return VersionConflict(
                code=code,
                message=message,
                field=field,
                current_version=error.current,
                your_version=error.based_on,
            )
        case errors.InvalidTransitionError():
            return InvalidTransition(
                code=code,
                message=message,
                field=field,
                from_status=error.current.upper(),
                to_status=error.target.upper(),
            )
        case errors.TagInUseError():
            return TagInUse(code=code, message=message, field=field, article_count=error.count)
        case errors.AuthorInUseError():
            return AuthorInUse(code=code, message=message, field=field, articles=error.articles)
        case errors.ImageRefusedError():
            return ImageRefused(
                code=code, message=message, field=field, reason=ImageRefusal(error.problem)
            )
        case errors.RateLimitedError():
            return RateLimited(
                code=code, message=message, field=field, retry_after=error.retry_after
            )
    simple: dict[ErrorCode, type[UserError]] = {
        ErrorCode.ARTICLE_NOT_FOUND: ArticleNotFound,
        ErrorCode.INVALID_STARS: InvalidStars,
        ErrorCode.TAG_NOT_FOUND: TagNotFound,
        ErrorCode.AUTHOR_NOT_FOUND: AuthorNotFound,
        ErrorCode.REVISION_NOT_FOUND: RevisionNotFound,
        ErrorCode.SLUG_TAKEN: SlugTaken,
        ErrorCode.WEBHOOK_NOT_FOUND: WebhookNotFound,
        ErrorCode.WEBHOOK_URL_REFUSED: WebhookUrlRefused,
        ErrorCode.WEBHOOK_EXISTS: WebhookExists,
        ErrorCode.IMAGE_NOT_FOUND: ImageNotFound,
    }
    if error.code not in simple:
        raise BadUserInput(message) from error  # no typed result for it: a top-level error
    return simple[error.code](code=code, message=message, field=field)


def returns_user_errors[**P, R](
    resolver: Callable[P, Awaitable[R]],
) -> Callable[P, Awaitable[R]]:
    """A mutation whose cms `CallerError`s come back as their typed `UserError`, which must be a
    member of the mutation's result union (strawberry refuses any other at run time)."""

    @functools.wraps(resolver)
    async def resolve(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await resolver(*args, **kwargs)
        except errors.CallerError as error:
            # A member of the union `R` names; mypy cannot see which from here.
            return cast(R, user_error(error))

    return resolve
