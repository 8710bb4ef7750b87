"""Failures of the infrastructure, not of the caller: telling a store outage from a bug, and saying
so without naming the store's address."""

from pymongo.errors import ConnectionFailure, PyMongoError

# What callers are told: PyMongo's own messages name the server's host and port.
UNAVAILABLE = "The content store is unavailable; try again shortly."


class InfrastructureError(Exception):
    """The store or another service failed; retrying later may work."""


class StoreUnavailableError(InfrastructureError):
    """The store could not be started or reached."""


def is_outage(error: BaseException) -> bool:
    """Whether `error` means the store could not be reached or did not answer in time.

    `ConnectionFailure` covers a refused or dropped connection (`AutoReconnect`), a server that
    cannot be selected, and network and pool timeouts; `timeout` is PyMongo's flag for the
    client-side operation timeout (`pymongo.timeout`), whatever the class.
    """
    if isinstance(error, InfrastructureError | ConnectionFailure):
        return True
    return isinstance(error, PyMongoError) and error.timeout
