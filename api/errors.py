"""Errors that reach the top-level `errors` list with a machine-readable code."""

from graphql import GraphQLError


class BadUserInput(GraphQLError):
    """The request asked for something the schema's types allow but the API does not."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})


def is_expected(error: GraphQLError) -> bool:
    """Errors that answer the request (syntax, validation, bad input), as opposed to bugs."""
    return error.original_error is None or isinstance(error.original_error, GraphQLError)
