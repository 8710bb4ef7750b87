"""Prometheus metrics of the GraphQL API: operations by name and outcome, votes, rate limits.

They go to the process's default registry, served at `/metrics` with the edge's (`web.metrics`).
"""

import functools
from collections.abc import Awaitable, Callable, Iterable

from graphql import GraphQLError
from prometheus_client import Counter, Histogram

from web.metrics import REFUSALS

OPERATIONS = Counter(
    "newsroom_graphql_operations_total",
    "GraphQL requests by operation name and outcome (ok, errors, refused, failed).",
    ["operation", "outcome"],
)
OPERATION_SECONDS = Histogram(
    "newsroom_graphql_operation_duration_seconds",
    "Time to parse, validate and execute a GraphQL operation.",
    ["operation"],
)
VOTES = Counter("newsroom_votes_total", "Vote mutations by result type.", ["outcome"])
RATE_LIMIT_HITS = Counter(
    "newsroom_rate_limit_hits_total", "Requests turned away by a rate limit, by scope.", ["scope"]
)

# Operation names come from clients: only so many become labels, so that a client inventing
# names cannot grow the metrics without bound. Later names are counted as "other".
MAX_OPERATION_NAMES = 100
MAX_OPERATION_NAME_LENGTH = 64
_operation_names: set[str] = set()


def operation_label(name: str | None) -> str:
    """The label for an operation: its name, "anonymous", "-" when none ran, or "other"."""
    if name is None:
        return "-"
    if name in _operation_names:
        return name
    if len(_operation_names) >= MAX_OPERATION_NAMES or len(name) > MAX_OPERATION_NAME_LENGTH:
        return "other"
    _operation_names.add(name)
    return name


def record_operation(
    name: str | None, outcome: str, seconds: float, errors: Iterable[GraphQLError]
) -> None:
    """One GraphQL request that reached the schema; a refused one counts under its codes."""
    label = operation_label(name)
    OPERATIONS.labels(label, outcome).inc()
    OPERATION_SECONDS.labels(label).observe(seconds)
    if outcome == "refused":
        for code in {(error.extensions or {}).get("code") for error in errors}:
            REFUSALS.labels(code=code).inc()


def count_outcomes[**P, R](
    counter: Counter,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Count a resolver's results by their GraphQL type (a union member's class name)."""

    def decorate(resolver: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(resolver)
        async def counted(*args: P.args, **kwargs: P.kwargs) -> R:
            result = await resolver(*args, **kwargs)
            counter.labels(outcome=type(result).__name__).inc()
            return result

        return counted

    return decorate
