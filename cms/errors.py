"""Failures cms reports on purpose: what the caller got wrong, or what the infrastructure failed at.

The API edge turns a `CallerError` into a typed result or a `BAD_USER_INPUT` error, and an
`InfrastructureError` into `SERVICE_UNAVAILABLE`: a store outage is never the caller's fault.
"""

from collections.abc import Sequence
from enum import StrEnum
from typing import ClassVar

from cms.content import FieldProblem
from cms.store.outages import InfrastructureError


class ErrorCode(StrEnum):
    """Machine-readable reasons, shared by every typed error the API returns."""

    ARTICLE_NOT_FOUND = "article_not_found"
    TAG_NOT_FOUND = "tag_not_found"
    REVISION_NOT_FOUND = "revision_not_found"
    INVALID_STARS = "invalid_stars"
    INVALID_INPUT = "invalid_input"
    VERSION_CONFLICT = "version_conflict"
    INVALID_TRANSITION = "invalid_transition"
    SLUG_TAKEN = "slug_taken"
    TAG_IN_USE = "tag_in_use"
    AUTHOR_NOT_FOUND = "author_not_found"
    AUTHOR_IN_USE = "author_in_use"
    RATE_LIMITED = "rate_limited"
    WEBHOOK_NOT_FOUND = "webhook_not_found"
    WEBHOOK_URL_REFUSED = "webhook_url_refused"
    WEBHOOK_EXISTS = "webhook_exists"
    IMAGE_NOT_FOUND = "image_not_found"
    IMAGE_REFUSED = "image_refused"
    IMAGE_IN_USE = "image_in_use"
    BAD_USER_INPUT = "bad_user_input"


class ImageProblem(StrEnum):
    """Why the media library refuses a file (or a focal point)."""

    TOO_LARGE = "too_large"
    TOO_MANY_PIXELS = "too_many_pixels"
    UNSUPPORTED_FORMAT = "unsupported_format"
    NOT_WHAT_IT_CLAIMS = "not_what_it_claims"
    CORRUPT = "corrupt"
    INVALID_FOCAL_POINT = "invalid_focal_point"


class CallerError(Exception):
    """The request cannot be done as asked; the caller can fix it."""

    code: ClassVar[ErrorCode] = ErrorCode.BAD_USER_INPUT
    field: str | None = None


class ContentionError(InfrastructureError):
    """A write lost to concurrent writes of the same document too many times in a row."""


def _short(value: str, limit: int = 128) -> str:
    """Messages quote at most a short prefix of what the caller sent."""
    return repr(value) if len(value) <= limit else f"{value[:limit]!r}..."


class ArticleNotFoundError(CallerError):
    code = ErrorCode.ARTICLE_NOT_FOUND

    def __init__(self, article_id: str, *, published: bool = True) -> None:
        kind = "published article" if published else "article"
        super().__init__(f"No {kind} has the ID {_short(article_id)}.")
        self.article_id = article_id


class FeedbackNotFoundError(CallerError):
    """No note has that id (the desk's inbox; the API has no action on a single note)."""

    def __init__(self, feedback_id: str) -> None:
        super().__init__(f"No feedback has the ID {_short(feedback_id)}.")


class TagNotFoundError(CallerError):
    code = ErrorCode.TAG_NOT_FOUND

    def __init__(self, tag_id: str) -> None:
        super().__init__(f"No tag has the ID {_short(tag_id)}.")


class RevisionNotFoundError(CallerError):
    code = ErrorCode.REVISION_NOT_FOUND

    def __init__(self, revision_id: str) -> None:
        super().__init__(f"No revision has the ID {_short(revision_id)}.")


class InvalidStarsError(CallerError):
    code = ErrorCode.INVALID_STARS
    field = "stars"

    def __init__(self, stars: int) -> None:
        super().__init__(f"Stars must be a whole number from 1 to 5; got {stars}.")
        self.stars = stars


class InvalidContentError(CallerError):
    """Submitted content breaks the rules fixture files follow; every problem is listed."""

    code = ErrorCode.INVALID_INPUT

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        count = len(problems)
        super().__init__(f"{count} field{'s' if count != 1 else ''} of the input are invalid.")
        self.problems = list(problems)


class VersionConflictError(CallerError):
    code = ErrorCode.VERSION_CONFLICT
    field = "version"

    def __init__(self, *, current: int, based_on: int) -> None:
        super().__init__(
            f"The article was saved by someone else: it is at version {current}, "
            f"your change was based on version {based_on}. Reload it and apply your change again."
        )
        self.current = current
        self.based_on = based_on


class InvalidTransitionError(CallerError):
    code = ErrorCode.INVALID_TRANSITION
    field = "to"

    def __init__(self, current: str, target: str, reason: str | None = None) -> None:
        message = reason or f"An article cannot go from {current} to {target}."
        super().__init__(message)
        self.current = current
        self.target = target


class SlugTakenError(CallerError):
    code = ErrorCode.SLUG_TAKEN
    field = "slug"

    def __init__(self, slug: str) -> None:
        super().__init__(f"The slug {_short(slug)} is already taken.")


class TagInUseError(CallerError):
    code = ErrorCode.TAG_IN_USE

    def __init__(self, slug: str, count: int) -> None:
        articles = "article uses" if count == 1 else "articles use"
        super().__init__(
            f"The tag {_short(slug)} cannot be deleted: {count} {articles} it. "
            "Remove it from them first."
        )
        self.count = count


class AuthorNotFoundError(CallerError):
    code = ErrorCode.AUTHOR_NOT_FOUND

    def __init__(self, author_id: str) -> None:
        super().__init__(f"No author has the ID {_short(author_id)}.")


class AuthorInUseError(CallerError):
    code = ErrorCode.AUTHOR_IN_USE

    def __init__(self, slug: str, articles: Sequence[str]) -> None:
        shown = ", ".join(articles[:10]) + (", ..." if len(articles) > 10 else "")
        super().__init__(
            f"The author {_short(slug)} cannot be deleted: the byline of {len(articles)} "
            f"article(s) names them ({shown}). Take them out of those bylines first."
        )
        self.articles = list(articles)


class RateLimitedError(CallerError):
    """Too many requests of one kind from one client address or voter: try again later."""

    code = ErrorCode.RATE_LIMITED

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many requests from this reader or network; try again in {retry_after} seconds."
        )
        self.retry_after = retry_after


class InvalidCursorError(CallerError):
    def __init__(self, cursor: str) -> None:
        super().__init__(f"{_short(cursor)} is not a cursor from this list and order.")


class PageSizeError(CallerError):
    def __init__(self, argument: str, value: int, maximum: int) -> None:
        super().__init__(f"`{argument}` must be between 0 and {maximum}; got {value}.")


class TokenError(CallerError):
    """A token command that cannot be done (a taken or unknown name, a bad role)."""


class WebhookNotFoundError(CallerError):
    code = ErrorCode.WEBHOOK_NOT_FOUND

    def __init__(self, endpoint: str) -> None:
        super().__init__(f"No webhook endpoint has the ID or URL {_short(endpoint)}.")


class WebhookUrlRefusedError(CallerError):
    """The URL is not http(s), does not resolve, or resolves to a non-public address."""

    code = ErrorCode.WEBHOOK_URL_REFUSED
    field = "url"

    def __init__(self, url: str, why: str) -> None:
        super().__init__(f"The webhook URL {_short(url)} {why}.")


class WebhookExistsError(CallerError):
    code = ErrorCode.WEBHOOK_EXISTS
    field = "url"

    def __init__(self, url: str) -> None:
        super().__init__(f"A webhook endpoint for {_short(url)} exists already.")


class PersonError(CallerError):
    """A change to people that cannot be done (an address taken or invalid, an unknown person,
    the last admin disabled or demoted, a token above their role)."""


class PasswordRuleError(CallerError):
    """A password that breaks the rule (8 to 128 characters)."""

    field = "password"


class LinkRefusedError(CallerError):
    """A one-time link that is unknown, used already or expired; `gone` for the last two."""

    def __init__(self, message: str, *, gone: bool) -> None:
        super().__init__(message)
        self.gone = gone


class LoginRefusedError(CallerError):
    """Wrong email or password: the same words whichever it was, or whether the account exists."""

    def __init__(self) -> None:
        super().__init__("The email or password is not right.")


class ImageNotFoundError(CallerError):
    code = ErrorCode.IMAGE_NOT_FOUND

    def __init__(self, image_id: str) -> None:
        super().__init__(f"No image of the library has the ID {_short(image_id)}.")


class ImageRefusedError(CallerError):
    """A file (or a focal point) the library does not take: `problem` says why, for programs."""

    code = ErrorCode.IMAGE_REFUSED

    def __init__(self, problem: ImageProblem, message: str, *, field: str | None = "file") -> None:
        super().__init__(message)
        self.problem = problem
        self.field = field


class ImageInUseError(CallerError):
    code = ErrorCode.IMAGE_IN_USE

    def __init__(self, image_id: str, slugs: Sequence[str], count: int) -> None:
        shown = ", ".join(slugs)
        more = f" and {count - len(slugs)} more" if count > len(slugs) else ""
        articles = "article uses" if count == 1 else "articles use"
        super().__init__(
            f"The image {image_id[:12]}... cannot be deleted: {count} {articles} it "
            f"({shown}{more}). Give them another image first."
        )
        self.slugs = list(slugs)
        self.count = count
