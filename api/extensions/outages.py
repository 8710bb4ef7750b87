"""Schema extensions of Newsroom's own."""

import logging
from collections.abc import Iterator

from graphql import GraphQLError, located_error
from strawberry.extensions import SchemaExtension

from api.coded_errors import ServiceUnavailable
from cms.store.outages import is_outage

log = logging.getLogger(__name__)


class StoreOutages(SchemaExtension):
    """A store outage reaches the caller as SERVICE_UNAVAILABLE, wherever it happened.

    PyMongo's messages name the store's address, and an outage is neither the caller's mistake
    (BAD_USER_INPUT, a typed result) nor a bug (masked, logged with a traceback): each field it
    failed gets one generic error, and the log one warning with the details.
    """

    def on_execute(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        outages = [error for error in result.errors if _is_outage(error)]
        if not outages:
            return
        log.warning("The store is unavailable: %s", outages[0].original_error)
        result.errors = [
            located_error(ServiceUnavailable(), error.nodes, error.path)
            if _is_outage(error)
            else error
            for error in result.errors
        ]


def _is_outage(error: GraphQLError) -> bool:
    return error.original_error is not None and is_outage(error.original_error)
