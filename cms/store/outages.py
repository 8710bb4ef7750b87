"""Telling a store outage from a bug, and saying so without naming the store's address."""

from pymongo.errors import ConnectionFailure, PyMongoError

from cms.errors import InfrastructureError

# What callers are told: PyMongo's own messages name the server's host and port.
UNAVAILABLE = "The content store is unavailable; try again shortly."


def is_outage(error: BaseException) -> bool:
    """Whether `error` means the store could not be reached or did not answer in time.

    `ConnectionFailure` covers a refused or dropped connection (`AutoReconnect`), a server that
    cannot be selected, and network and pool timeouts; `timeout` is PyMongo's flag for the
    client-side operation timeout (`pymongo.timeout`), whatever the class.
    """
    if isinstance(error, InfrastructureError | ConnectionFailure):
        return True
    return isinstance(error, PyMongoError) and error.timeout
