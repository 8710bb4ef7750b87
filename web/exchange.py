"""What one HTTP request learns on its way through, for its log lines and its metrics."""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(slots=True)
class Exchange:
    request_id: str
    # The GraphQL operation that was chosen to run: its name, or "anonymous".
    operation: str | None = None


# Set by the edge middleware for the task that answers the request; log records read it too.
CURRENT: ContextVar[Exchange | None] = ContextVar("newsroom_exchange", default=None)


def current() -> Exchange | None:
    return CURRENT.get()
