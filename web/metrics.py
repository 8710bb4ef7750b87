"""Prometheus metrics: what the API answered, refused and asked of the store (`/metrics`).

Counters live in the process's default registry, so any module may import one and count:
`RATE_LIMIT_HITS.labels(scope="votes").inc()`. With several worker processes, each has its own.
"""

import functools
from collections.abc import Awaitable, Callable, Iterable

from graphql import GraphQLError
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from pymongo import monitoring
from starlette.requests import Request
from starlette.responses import Response

HTTP_REQUESTS = Counter(
    "newsroom_http_requests_total", "HTTP responses by route and status code.", ["route", "status"]
)
HTTP_SECONDS = Histogram(
    "newsroom_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response.",
    ["route"],
)
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
REFUSALS = Counter(
    "newsroom_refusals_total",
    "Requests refused before any resolver ran, by error code.",
    ["code"],
)
STORE_COMMANDS = Counter(
    "newsroom_store_commands_total",
    "Round trips to the store by command and outcome, background upkeep included.",
    ["command", "outcome"],
)
STORE_SECONDS = Histogram(
    "newsroom_store_command_duration_seconds", "Store round trip time by command.", ["command"]
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


# Children for each label set, so that a request does not go through `labels()` each time.
_responses: dict[tuple[str, int], Counter] = {}
_response_seconds: dict[str, Histogram] = {}


def record_response(route: str, status: int, seconds: float) -> None:
    """One HTTP response, on the route it was for (a short fixed list) with its status."""
    counter = _responses.get((route, status))
    if counter is None:
        counter = _responses.setdefault((route, status), HTTP_REQUESTS.labels(route, status))
    counter.inc()
    histogram = _response_seconds.get(route)
    if histogram is None:
        histogram = _response_seconds.setdefault(route, HTTP_SECONDS.labels(route))
    histogram.observe(seconds)


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


class StoreMetrics(monitoring.CommandListener):
    """Counts and times every command PyMongo sends (called on the event loop: kept tiny)."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        STORE_COMMANDS.labels(event.command_name, "ok").inc()
        STORE_SECONDS.labels(event.command_name).observe(event.duration_micros / 1e6)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        STORE_COMMANDS.labels(event.command_name, "failed").inc()
        STORE_SECONDS.labels(event.command_name).observe(event.duration_micros / 1e6)


def metrics_endpoint(request: Request) -> Response:
    """The text exposition format (a sync endpoint: Starlette renders it on a worker thread)."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
