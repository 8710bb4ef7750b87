"""How a GraphQL result becomes an HTTP answer: a code on every error, the status the spec asks."""

import re
from collections.abc import Iterable
from enum import StrEnum

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from api.coded_errors import is_expected
from api.http.request import GRAPHQL_RESPONSE
from web.codes import RequestCode

# graphql-core's message when MaxTokensLimiter stops the parser.
TOKEN_LIMIT = "tokens. Parsing aborted."
# graphql-core ends a message with its guesses: " Did you mean 'x' or 'y'?".
SUGGESTION = re.compile(r" ?Did you mean [^?]*\?")
# graphql-core quotes the names and values a client sent; a short prefix of each is enough.
ECHO = 40
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
MAX_MESSAGE = 500


class Outcome(StrEnum):
    OK = "ok"
    ERRORS = "errors"  # executed, and some fields failed
    REFUSED = "refused"  # a request error (parse, validation, operation, variables): not run
    FAILED = "failed"  # a bug before execution


def outcome_of(result: ExecutionResult) -> Outcome:
    errors = result.errors or []
    if not errors:
        return Outcome.OK
    before_execution = isinstance(result, PreExecutionError) or (
        # Variable values that do not fit: graphql-core refuses them without executing.
        result.data is None and all(error.path is None for error in errors)
    )
    if not before_execution:
        return Outcome.ERRORS
    return Outcome.REFUSED if all(is_expected(error) for error in errors) else Outcome.FAILED


def label_errors(errors: Iterable[GraphQLError], outcome: Outcome) -> None:
    """Give every error a code: those from validation and resolvers carry theirs already."""
    for error in errors:
        if not (error.extensions or {}).get("code"):
            error.extensions = {**(error.extensions or {}), "code": _code(error, outcome)}


def _code(error: GraphQLError, outcome: Outcome) -> RequestCode:
    if isinstance(error, GraphQLSyntaxError):
        if TOKEN_LIMIT in error.message:
            return RequestCode.TOO_MANY_TOKENS
        return RequestCode.GRAPHQL_PARSE_FAILED
    if outcome is Outcome.REFUSED:
        return RequestCode.BAD_USER_INPUT
    return RequestCode.INTERNAL_SERVER_ERROR


def finish(response: GraphQLHTTPResponse, outcome: Outcome, *, suggestions: bool) -> None:
    """No `data` when nothing ran; messages without guesses (if so set) or long echoes."""
    refused = outcome in (Outcome.REFUSED, Outcome.FAILED)
    if refused:
        response.pop("data", None)
    for error in response.get("errors") or []:
        assert isinstance(error, dict)
        error["message"] = clean_message(
            error["message"], suggestions=suggestions, from_graphql_core=refused
        )


def clean_message(message: str, *, suggestions: bool, from_graphql_core: bool) -> str:
    """Resolvers' own messages are written to be shown; only their length is bounded here."""
    if not suggestions:
        message = SUGGESTION.sub("", message)
    if from_graphql_core:
        message = QUOTED.sub(_shortened, message)
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


def _shortened(quoted: re.Match[str]) -> str:
    text = quoted[0]
    return text if len(text) <= ECHO + 2 else f"{text[: ECHO + 1]}…{text[-1]}"


def status_for(outcome: Outcome, media_type: str) -> int:
    """`application/json` answers 200 to any well-formed request (legacy clients trust nothing
    else); `application/graphql-response+json` says with 400 that nothing ran."""
    if outcome is Outcome.FAILED:
        return 500
    if outcome is Outcome.REFUSED and media_type == GRAPHQL_RESPONSE:
        return 400
    return 200
