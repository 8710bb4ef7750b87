"""Prometheus metrics of every web face: what was answered, refused and asked of the store, and
`/metrics` itself.

Counters live in the process's default registry, so any module may import one and count (the API
keeps its own in `api.metrics`). With several worker processes, each has its own.
"""

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
