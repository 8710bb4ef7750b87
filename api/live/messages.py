"""What a graphql-transport-ws message must look like before the protocol acts on it.

The protocol's answer to anything else is to close the socket with 4400 and the reason; without
this check, a list, an object as `id` or a null `payload` raised inside Strawberry's handler and
the socket dropped with no close code at all.
"""

from typing import Any

from api.http.request import is_unicode

# Longer ids are not ids: a client numbers or names its operations.
MAX_ID = 128
PAYLOAD_ONLY = frozenset({"connection_init", "ping", "pong"})


def problem_with(message: Any) -> str | None:
    """Why `message` is not a well-formed client message; None if it is."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "A message must be a JSON object with a string `type`."
    kind = message["type"]
    if kind in PAYLOAD_ONLY:
        payload = message.get("payload")
        return None if payload is None or isinstance(payload, dict) else "Invalid `payload`."
    if kind not in ("subscribe", "complete"):
        return None  # Strawberry answers an unknown type (4400 as well)
    identifier = message.get("id")
    if not isinstance(identifier, str) or not 0 < len(identifier) <= MAX_ID:
        return f"`id` must be a string of 1 to {MAX_ID} characters."
    if kind == "subscribe":
        return _subscribe_problem(message.get("payload"))
    return None


def _subscribe_problem(payload: Any) -> str | None:
    if not isinstance(payload, dict):
        return "`payload` must be an object with a `query`."
    query = payload.get("query")
    if not isinstance(query, str) or not is_unicode(query):
        return "`payload.query` must be a string of Unicode text."
    for name in ("variables", "extensions"):
        if not isinstance(payload.get(name), dict | None):
            return f"`payload.{name}` must be an object or null."
    operation = payload.get("operationName")
    if operation is not None and not (isinstance(operation, str) and is_unicode(operation)):
        return "`payload.operationName` must be a string or null."
    return None


def normalised(message: dict[str, Any]) -> dict[str, Any]:
    """The protocol allows a null `payload` where Strawberry expects none."""
    if message.get("payload") is None and "payload" in message:
        return {key: value for key, value in message.items() if key != "payload"}
    return message
