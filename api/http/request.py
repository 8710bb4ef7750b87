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

from graphql import (
    GraphQLError,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    OperationDefinitionNode,
    TypeNode,
    parse,
)
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException
from starlette.requests import Request

from web.codes import RequestCode
from web.limits import MULTIPART
from web.refusals import JSON, Refusal

GRAPHQL_RESPONSE = "application/graphql-response+json"
PARAMETERS = ("query", "operationName", "variables", "extensions")
# Far deeper than any real variables; much deeper and json.loads itself would run out of stack.
MAX_JSON_DEPTH = 32
# A GET's parameters plus a few of a client's own (cache busters); more is not a GraphQL request.
MAX_QUERY_FIELDS = 16
SHA256 = re.compile(r"[0-9a-fA-F]{64}")
# Files in one multipart request, and its other fields (`operations`, `map`): the body's size
# limit bounds their bytes.
MAX_UPLOADS = 10
MAX_FORM_FIELDS = 4
# `variables.file` or `variables.files.0`: where a file goes in the operation.
UPLOAD_PATH = re.compile(r"variables\.[_A-Za-z][_0-9A-Za-z]*(?:\.\d{1,3})?")


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


async def read_request(
    request: Request, *, max_document: int, uploads: bool = False
) -> GraphQLRequest:
    """The request's GraphQL parameters, from the query string (GET), the JSON body (POST), or
    (with `uploads`: an editor's verified token) a multipart body carrying files."""
    if request.method == "GET":
        parameters = _query_parameters(request.scope["query_string"])
    elif uploads and _media_type(request.headers.get("content-type")) == MULTIPART:
        parameters, variables = await _multipart_parameters(request, max_document=max_document)
        read = _well_formed(parameters, max_document=max_document)
        _require_upload_variables(read, variables)
        return read
    else:
        _check_content_type(request.headers.get("content-type"))
        parameters = _body_parameters(await request.body())
    return _well_formed(parameters, max_document=max_document)


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _only_json(why: str = "") -> Refusal:
    return Refusal(
        415,
        RequestCode.UNSUPPORTED_MEDIA_TYPE,
        why + "Send the request as JSON, with `Content-Type: application/json`.",
    )


async def _multipart_parameters(
    request: Request, *, max_document: int
) -> tuple[dict[str, Any], set[str]]:
    """The operation of a GraphQL multipart request (`operations`, `map`, then the files), its
    files placed in its variables where `map` says, and the names of those variables.

    A multipart body is what a form on another site can send without asking first: only an
    editor's request may be one (the view checks), and only to upload (a `map` naming files),
    so every other operation still has to come as JSON. The body's size was bounded at the edge.
    """
    try:
        form = await request.form(
            max_files=MAX_UPLOADS,
            max_fields=MAX_FORM_FIELDS,
            max_part_size=max_document + 64 * 1024,
        )
    except MultiPartException as error:
        raise bad_request(f"The multipart body cannot be read: {error.message}") from None
    operations, files_map = form.get("operations"), form.get("map")
    if not isinstance(operations, str) or not isinstance(files_map, str):
        raise bad_request(
            "A multipart request needs the fields `operations` and `map`, before its files "
            "(the GraphQL multipart request spec)."
        )
    parameters = parse_json(operations, "`operations`")
    if isinstance(parameters, list):
        raise bad_request("Batches are not supported: send one operation per request.")
    if not isinstance(parameters, dict):
        raise bad_request("`operations` must be a JSON object with a `query`.")
    places = parse_json(files_map, "`map`")
    if not isinstance(places, dict) or not all(
        isinstance(paths, list) and all(isinstance(path, str) for path in paths)
        for paths in places.values()
    ):
        raise bad_request("`map` must be a JSON object of lists of paths, one list per file.")
    if not places or not any(places.values()):
        # Not an upload: JSON, as every other operation (see above).
        raise _only_json("A multipart request must carry a file for an `Upload` variable. ")
    for key, paths in places.items():
        upload = form.get(key)
        if not isinstance(upload, UploadFile):
            raise bad_request(f"`map` names the file {key!r}, which the request does not carry.")
        for path in paths:
            _place(parameters, path, upload)
    return parameters, {path.split(".")[1] for paths in places.values() for path in paths}


def _require_upload_variables(read: GraphQLRequest, variables: set[str]) -> None:
    """Files go only where the operation declares an `Upload` variable (`Upload`, `Upload!`,
    `[Upload!]`...): a multipart body that puts one anywhere else is not an upload, and is
    refused as any other operation sent as a form would be (415)."""
    if not read.query:
        raise _only_json("A multipart request sends its document, not a persisted query's hash. ")
    try:
        # `_well_formed` bounded the document's length: parsing it is cheap.
        document = parse(read.query, no_location=True)
    except GraphQLError as error:
        raise bad_request(f"The operation's document cannot be parsed: {error.message}") from None
    operations = [
        definition
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
        and (
            read.operation_name is None
            or (definition.name and definition.name.value) == read.operation_name
        )
    ]
    if len(operations) != 1:
        raise bad_request("The multipart request's document has no single operation to run.")
    declared = {
        definition.variable.name.value
        for definition in operations[0].variable_definitions or ()
        if _named_type(definition.type) == "Upload"
    }
    if not variables <= declared:
        shown = ", ".join(f"${name}" for name in sorted(variables - declared))
        raise _only_json(
            f"The files go to {shown}, which the operation does not declare as `Upload`. "
        )


def _named_type(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    return node.name.value if isinstance(node, NamedTypeNode) else ""


def _place(parameters: dict[str, Any], path: str, upload: UploadFile) -> None:
    """Put the file where `path` says, which must be a variable (or an item of one) that the
    operation left null for it."""
    if not UPLOAD_PATH.fullmatch(path):
        raise bad_request(f"`map` path {path[:60]!r} does not name a variable (`variables.x`).")
    _, name, *index = path.split(".")
    variables = parameters.get("variables")
    holder: Any = variables
    key: str | int = name
    if index and isinstance(variables, dict) and isinstance(variables.get(name), list):
        holder, key = variables[name], int(index[0])
    present = (isinstance(holder, dict) and key in holder) or (
        isinstance(holder, list) and isinstance(key, int) and key < len(holder)
    )
    if not present or holder[key] is not None:
        raise bad_request(f"`map` path {path!r} is not a null variable of the operation.")
    holder[key] = upload


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
        raise _only_json()
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
