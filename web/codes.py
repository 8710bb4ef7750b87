"""The `extensions.code` of errors that refuse a request, as Apollo and most clients name them."""

from enum import StrEnum


class RequestCode(StrEnum):
    # The HTTP request itself: answered before any GraphQL is parsed.
    BAD_REQUEST = "BAD_REQUEST"
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    SUBSCRIPTION_OVER_HTTP = "SUBSCRIPTION_OVER_HTTP"
    # The GraphQL document: refused before any resolver runs.
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    TOO_MANY_TOKENS = "TOO_MANY_TOKENS"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
    TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
    OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
    # Persisted documents (Apollo's automatic persisted queries, trusted documents).
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
    DOCUMENT_NOT_TRUSTED = "DOCUMENT_NOT_TRUSTED"
    # A value that does not fit its type, in the document or in the variables.
    BAD_USER_INPUT = "BAD_USER_INPUT"
    # The store did not answer in time: the request may work later.
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    # A bug: the message is masked in production.
    INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
