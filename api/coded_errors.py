"""Errors that reach the top-level `errors` list with a machine-readable code."""

from collections.abc import Iterator
from contextlib import contextmanager

from graphql import GraphQLError

from api.scalars import InvalidScalarValue
from cms.errors import CallerError
from cms.store.outages import UNAVAILABLE, is_outage


class CodedError(GraphQLError):
    code = "INTERNAL_SERVER_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": self.code})


class BadUserInput(CodedError):
    """The request asked for something the schema's types allow but the API does not."""

    code = "BAD_USER_INPUT"


class Unauthenticated(CodedError):
    """No valid token for something that needs one."""

    code = "UNAUTHENTICATED"


class Forbidden(CodedError):
    """A valid token whose role does not allow this."""

    code = "FORBIDDEN"


class ServiceUnavailable(CodedError):
    """The store failed; the request may work later."""

    code = "SERVICE_UNAVAILABLE"

    def __init__(self, message: str = UNAVAILABLE) -> None:
        super().__init__(message)


@contextmanager
def user_input() -> Iterator[None]:
    """Report cms's complaints about arguments (page size, cursor) as BAD_USER_INPUT errors."""
    try:
        yield
    except CallerError as error:
        raise BadUserInput(str(error)) from error


def is_expected(error: GraphQLError) -> bool:
    """Errors that answer the request (syntax, validation, bad input, a store outage), as
    opposed to bugs."""
    original = error.original_error
    return (
        original is None
        or isinstance(original, GraphQLError | InvalidScalarValue)
        or is_outage(original)
    )
