"""Expected failures as data: every typed mutation error implements `UserError`.

`user_error` is the one mapper from cms's `CallerError`s to these types; resolvers catch
`CallerError` and return what it gives, so a failure is reported the same way everywhere.
"""

from enum import Enum

import strawberry
from strawberry.schema.name_converter import NameConverter

from api.coded_errors import BadUserInput
from cms import errors
from cms.errors import ErrorCode

_names = NameConverter()


@strawberry.enum(description="Why a mutation did not do what was asked, for programs.")
class UserErrorCode(Enum):
    ARTICLE_NOT_FOUND = strawberry.enum_value(
        ErrorCode.ARTICLE_NOT_FOUND,
        description="No article (for votes: no published one) has that ID.",
    )
    TAG_NOT_FOUND = strawberry.enum_value(
        ErrorCode.TAG_NOT_FOUND, description="No tag has that ID."
    )
    REVISION_NOT_FOUND = strawberry.enum_value(
        ErrorCode.REVISION_NOT_FOUND, description="No revision has that ID."
    )
    INVALID_STARS = strawberry.enum_value(
        ErrorCode.INVALID_STARS, description="Stars must be a whole number from 1 to 5."
    )
    INVALID_INPUT = strawberry.enum_value(
        ErrorCode.INVALID_INPUT, description="Some fields break the content rules; see `problems`."
    )
    VERSION_CONFLICT = strawberry.enum_value(
        ErrorCode.VERSION_CONFLICT,
        description="Someone saved the article since the version the change was based on.",
    )
    INVALID_TRANSITION = strawberry.enum_value(
        ErrorCode.INVALID_TRANSITION, description="The workflow does not allow that move."
    )
    SLUG_TAKEN = strawberry.enum_value(ErrorCode.SLUG_TAKEN, description="The slug is in use.")
    TAG_IN_USE = strawberry.enum_value(
        ErrorCode.TAG_IN_USE, description="Articles still carry the tag."
    )
    RATE_LIMITED = strawberry.enum_value(
        ErrorCode.RATE_LIMITED,
        description="Too many requests from this reader or network; see `retryAfter`.",
    )
    WEBHOOK_NOT_FOUND = strawberry.enum_value(
        ErrorCode.WEBHOOK_NOT_FOUND, description="No webhook endpoint has that ID."
    )
    WEBHOOK_URL_REFUSED = strawberry.enum_value(
        ErrorCode.WEBHOOK_URL_REFUSED,
        description="Webhooks cannot be sent to that URL: not http(s), not resolvable, or not a "
        "public internet address.",
    )
    WEBHOOK_EXISTS = strawberry.enum_value(
        ErrorCode.WEBHOOK_EXISTS, description="An endpoint for that URL exists already."
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
        case errors.RateLimitedError():
            return RateLimited(
                code=code, message=message, field=field, retry_after=error.retry_after
            )
    simple: dict[ErrorCode, type[UserError]] = {
        ErrorCode.ARTICLE_NOT_FOUND: ArticleNotFound,
        ErrorCode.INVALID_STARS: InvalidStars,
        ErrorCode.TAG_NOT_FOUND: TagNotFound,
        ErrorCode.REVISION_NOT_FOUND: RevisionNotFound,
        ErrorCode.SLUG_TAKEN: SlugTaken,
        ErrorCode.WEBHOOK_NOT_FOUND: WebhookNotFound,
        ErrorCode.WEBHOOK_URL_REFUSED: WebhookUrlRefused,
        ErrorCode.WEBHOOK_EXISTS: WebhookExists,
    }
    if error.code not in simple:
        raise BadUserInput(message) from error  # no typed result for it: a top-level error
    return simple[error.code](code=code, message=message, field=field)
