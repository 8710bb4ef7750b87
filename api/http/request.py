"""GraphQL over HTTP: what a well-formed request is, and the media type its answer uses.

The rules are the GraphQL-over-HTTP draft's, as the `graphql-http` server audit checks them
(`tests/http_audit`). Anything that is not a well-formed request is a `Refusal`: one error with a
code, answered before any GraphQL is parsed and without touching the store.
"""

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from web.codes import RequestCode
from web.refusals import JSON, Refusal

GRAPHQL_RESPONSE = "application/graphql-response+json"
PARAMETERS = ("query", "operationName", "variables", "extensions")
# Far deeper than any real variables; much deeper and json.loads itself would run out of stack.
MAX_JSON_DEPTH = 32
# A GET's parameters plus a few of a client's own (cache busters); more is not a GraphQL request.
MAX_QUERY_FIELDS = 16
SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def bad_request(message: str) -> Refusal:
    return Refusal(400, RequestCode.BAD_REQUEST, message)


@dataclass(frozen=True, slots=True)
class GraphQLRequest:
    query: str
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None


@functools.lru_cache(maxsize=256)
def negotiate(accept: str) -> str:
    """The media type to answer in: the client's most preferred of the two served.

    No `Accept` (or `*/*`) means `application/json`, the legacy type every client reads.
    """
    if not accept.strip():
        return JSON
    ranges = []
    for position, part in enumerate(accept.split(",")):
        media, *parameters = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranges.append((-quality, position, media.lower()))
    for _, _, media in sorted(ranges):
        if media == GRAPHQL_RESPONSE:
            return GRAPHQL_RESPONSE
        if media in (JSON, "application/*", "*/*"):
            return JSON
    raise Refusal(
        406,
        RequestCode.NOT_ACCEPTABLE,
        f"Responses are {GRAPHQL_RESPONSE} or {JSON}; the Accept header allows neither.",
    )


def negotiate_post(accept: str) -> str:
    """`negotiate` for a POST, which is always an operation: `application/json` when the
    `Accept` header allows neither type served (a browser's form prefers HTML)."""
    try:
        return negotiate(accept)
    except Refusal:
        return JSON


async def read_request(request: Request, *, max_document: int) -> GraphQLRequest:
    """The request's GraphQL parameters, from the query string (GET) or the JSON body (POST)."""
    if request.method == "GET":
        parameters = _query_parameters(request.scope["query_string"])
    else:
        _check_content_type(request.headers.get("content-type"))
        parameters = _body_parameters(await request.body())
    return _well_formed(parameters, max_document=max_document)


def _query_parameters(raw: bytes) -> dict[str, Any]:
    try:
        pairs = parse_qsl(
            raw.decode(),
            keep_blank_values=True,
            errors="strict",
            max_num_fields=MAX_QUERY_FIELDS,
        )
    except UnicodeDecodeError:
        raise bad_request("The query string is not valid UTF-8.") from None
    except ValueError:
        raise bad_request("The query string has too many parameters.") from None
    parameters: dict[str, Any] = {}
    for name, value in pairs:
        if name not in PARAMETERS:
            continue
        if name in parameters:
            raise bad_request(f"`{name}` appears more than once in the query string.")
        # In a GET, an empty parameter is an absent one; variables and extensions are JSON.
        if value == "":
            continue
        parameters[name] = (
            parse_json(value, f"`{name}`") if name in ("variables", "extensions") else value
        )
    return parameters


def _check_content_type(content_type: str | None) -> None:
    """Only JSON in UTF-8: also what keeps an HTML form on another site from posting here."""
    media, *parameters = (content_type or "").split(";")
    if media.strip().lower() != JSON:
        raise Refusal(
            415,
            RequestCode.UNSUPPORTED_MEDIA_TYPE,
            "Send the request as JSON, with `Content-Type: application/json`.",
        )
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            raise Refusal(
                415, RequestCode.UNSUPPORTED_MEDIA_TYPE, "Send the request body in UTF-8."
            )


def _body_parameters(body: bytes) -> dict[str, Any]:
    if not body.strip():
        raise bad_request("The request body is empty: send a JSON object with a `query`.")
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise bad_request("The request body is not valid UTF-8.") from None
    parameters = parse_json(text, "The request body")
    if isinstance(parameters, list):
        raise bad_request("Batches are not supported: send one JSON object per request.")
    if not isinstance(parameters, dict):
        raise bad_request("The request body must be a JSON object with a `query`.")
    return parameters


def _constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def parse_json(text: str, what: str) -> Any:
    """Strict JSON (no `NaN` or `Infinity`), nested at most MAX_JSON_DEPTH deep; a Refusal for
    anything else, whatever it holds: a 5,000-digit number is refused here, not by a bug."""
    try:
        value = json.loads(text, parse_constant=_constant)
    except RecursionError:
        raise bad_request(f"{what} nests JSON too deeply.") from None
    except json.JSONDecodeError as error:
        raise bad_request(
            f"{what} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})."
        ) from None
    except ValueError as error:
        # Python reads no integer of more than 4,300 digits (sys.get_int_max_str_digits).
        reason = "a number too long to read" if "digits" in str(error) else str(error)
        raise bad_request(f"{what} is not valid JSON ({reason}).") from None
    if _nests_deeper(value, MAX_JSON_DEPTH):
        raise bad_request(f"{what} nests JSON more than {MAX_JSON_DEPTH} levels deep.")
    return value


def _nests_deeper(value: Any, limit: int) -> bool:
    """Checked without recursion, so that no input can exhaust the stack here either."""
    pending: list[tuple[dict[str, Any] | list[Any], int]] = (
        [(value, 1)] if isinstance(value, dict | list) else []
    )
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def is_unicode(text: str) -> bool:
    """Whether `text` is Unicode text: JSON's `\\ud800` escape can smuggle a lone surrogate in,
    which neither UTF-8 nor a hash of the document can take."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def persisted_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """The document's SHA-256 named by Apollo's automatic persisted queries, if any."""
    persisted = (extensions or {}).get("persistedQuery")
    if not isinstance(persisted, dict):
        return None
    digest = persisted.get("sha256Hash")
    if not isinstance(digest, str) or not SHA256.fullmatch(digest):
        raise bad_request("`extensions.persistedQuery.sha256Hash` must be 64 hexadecimal digits.")
    return digest.lower()


def _well_formed(parameters: Mapping[str, Any], *, max_document: int) -> GraphQLRequest:
    query = parameters.get("query")
    extensions = parameters.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        raise bad_request("`extensions` must be a JSON object or null.")
    if query is None and persisted_hash(extensions) is not None:
        query = ""  # a persisted query sent by its hash alone: the view looks it up
    elif query is None:
        raise bad_request("A GraphQL request needs a `query`: the document to run.")
    if not isinstance(query, str):
        raise bad_request("`query` must be a string: the GraphQL document.")
    if not is_unicode(query):
        raise bad_request("`query` holds a lone surrogate (`\\ud800`): it is not Unicode text.")
    if not query.strip() and "query" in parameters:
        raise bad_request("`query` is empty: send the GraphQL document to run.")
    if len(query) > max_document:
        raise Refusal(
            413,
            RequestCode.REQUEST_TOO_LARGE,
            f"The GraphQL document is longer than {max_document} characters; "
            "send long text as variables.",
        )
    operation_name = parameters.get("operationName")
    if operation_name is not None and not (
        isinstance(operation_name, str) and is_unicode(operation_name)
    ):
        raise bad_request("`operationName` must be a string (of Unicode text) or null.")
    variables = parameters.get("variables")
    if variables is not None and not isinstance(variables, dict):
        raise bad_request("`variables` must be a JSON object or null.")
    # An empty name is no name, as in a GET.
    return GraphQLRequest(query, operation_name or None, variables, extensions)
