"""Request ids, log lines written off the event loop, and Prometheus metrics that count."""

import json
import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from api import metrics
from api.examples import VOTE_MUTATION
from api.http.view import GraphQLOverHTTP
from api.settings import Settings
from tests.factories import global_id, make_article
from tests.graphql_client import CommandCounter, GraphQLClient, app_serving
from tests.servers import served
from web.logs import configure_logging, stop_logging

# Tags come from the store (articles would come from the in-memory catalog): round trips to count.
COUNT_ARTICLES = "query CountArticles { articles { totalCount } tags { totalCount } }"


class Recorder(logging.Handler):
    """Keeps records and the thread that handled them; can be told to hold up that thread."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.threads: set[str] = set()
        self.gate = threading.Event()
        self.gate.set()

    def emit(self, record: logging.LogRecord) -> None:
        self.gate.wait(timeout=30)
        self.threads.add(threading.current_thread().name)
        self.format(record)  # a traceback is rendered here, on this thread
        self.records.append(record)


@pytest.fixture
def recorder(settings: Settings) -> Iterator[Recorder]:
    """Newsroom's logging, as `newsroom` sets it up, writing to a recorder."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    handler = Recorder()
    configure_logging(settings, handler=handler)
    yield handler
    stop_logging()
    root.handlers, root.level = saved
    root.setLevel(saved[1])


async def test_each_response_has_a_request_id(client: GraphQLClient) -> None:
    first = await client.http.get("/healthz")
    second = await client.http.post("/graphql", json={"query": "{"})

    assert len(first.headers["x-request-id"]) == 16
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_a_sane_incoming_request_id_is_kept_others_are_replaced(
    client: GraphQLClient,
) -> None:
    kept = await client.http.get("/healthz", headers={"x-request-id": "lb-7f3a:0042"})
    replaced = await client.http.get("/healthz", headers={"x-request-id": "<script>" * 30})

    assert kept.headers["x-request-id"] == "lb-7f3a:0042"
    assert "<" not in replaced.headers["x-request-id"]


async def test_each_request_gets_one_access_line_with_its_id(
    client: GraphQLClient, recorder: Recorder
) -> None:
    response = await client.http.post(
        "/graphql", json={"query": COUNT_ARTICLES}, headers={"x-request-id": "req-1"}
    )
    stop_logging()

    (line,) = [record for record in recorder.records if record.name == "newsroom.access"]
    assert response.headers["x-request-id"] == "req-1"
    assert line.getMessage().startswith("POST /graphql 200 ")
    assert line.getMessage().endswith(" CountArticles")
    assert line.request_id == "req-1"  # type: ignore[attr-defined]
    assert line.access["operation"] == "CountArticles"  # type: ignore[attr-defined]


async def test_a_path_cannot_start_a_log_line_of_its_own(
    client: GraphQLClient, recorder: Recorder
) -> None:
    await client.http.get("/nowhere%0A2026-01-01 INFO newsroom.access fake")
    stop_logging()

    (line,) = [record for record in recorder.records if record.name == "newsroom.access"]
    assert "\n" not in line.getMessage()
    assert line.getMessage().startswith("GET /nowhere\\n2026-01-01 INFO newsroom.access fake 404")


async def test_a_crash_is_a_coded_500_logged_with_its_traceback(
    client: GraphQLClient, recorder: Recorder, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def crash(self: object, request: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(GraphQLOverHTTP, "answer", crash)

    response = await client.http.post("/graphql", json={"query": "{ __typename }"})
    stop_logging()

    assert response.status_code == 500
    assert response.json() == {
        "errors": [
            {"message": "Unexpected error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
    assert response.headers["x-content-type-options"] == "nosniff"
    (failure,) = [record for record in recorder.records if record.levelno == logging.ERROR]
    assert failure.request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
    assert failure.exc_info is not None
    assert "disk on fire" in str(failure.exc_info[1])


def test_logging_does_not_wait_for_the_output(recorder: Recorder) -> None:
    recorder.gate.clear()
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        # Returns while the output is held up: the record is only queued.
        logging.getLogger("newsroom.test").exception("It failed")
    assert recorder.records == []

    recorder.gate.set()
    stop_logging()

    (record,) = recorder.records
    assert record.exc_info is not None
    assert threading.main_thread().name not in recorder.threads


@pytest.mark.processes
async def test_production_logs_json_lines_with_request_ids(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = {
        **cli_env,
        "NEWSROOM_ENVIRONMENT": "production",
        "NEWSROOM_SECRET_KEY": "a-production-secret-of-at-least-32-chars",
    }

    with served(env, tmp_path / "server.log") as url:
        response = httpx.post(
            f"{url}/graphql", json={"query": COUNT_ARTICLES}, headers={"x-request-id": "abc-9"}
        )

    lines = [json.loads(line) for line in (tmp_path / "server.log").read_text().splitlines()]
    (access,) = [line for line in lines if line.get("request_id") == "abc-9"]
    assert response.headers["x-request-id"] == "abc-9"
    assert access["logger"] == "newsroom.access"
    assert access["status"] == 200
    assert access["path"] == "/graphql"
    assert access["operation"] == "CountArticles"
    assert access["level"] == "info"
    assert isinstance(access["duration_ms"], float)
    # What is logged while shutting down is written too, before the process exits.
    assert "Application shutdown complete." in [line["message"] for line in lines]


def sample(exposition: str, name: str, labels: dict[str, str]) -> float:
    """The sum of the samples of `name` with these labels (among others) in /metrics."""
    return sum(
        found.value
        for family in text_string_to_metric_families(exposition)
        for found in family.samples
        if found.name == name and labels.items() <= found.labels.items()
    )


async def read_metrics(client: GraphQLClient) -> str:
    response = await client.http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return response.text


async def test_metrics_count_operations_refusals_and_store_round_trips(
    client: GraphQLClient, commands: CommandCounter
) -> None:
    operation = {"operation": "CountArticles", "outcome": "ok"}
    refused = {"code": "BAD_REQUEST"}
    invalid = {"code": "GRAPHQL_VALIDATION_FAILED"}
    before = await read_metrics(client)
    commands.reset()

    await client.data(COUNT_ARTICLES)
    sent = list(commands.names)
    await client.http.post("/graphql", content=b"[", headers={"content-type": "application/json"})
    await client.execute("{ nope }")
    after = await read_metrics(client)

    def grew(name: str, labels: dict[str, str]) -> float:
        return sample(after, name, labels) - sample(before, name, labels)

    assert grew("newsroom_graphql_operations_total", operation) == 1
    timed = {"operation": "CountArticles"}
    assert grew("newsroom_graphql_operation_duration_seconds_count", timed) == 1
    assert grew("newsroom_refusals_total", refused) == 1
    assert grew("newsroom_refusals_total", invalid) == 1
    assert sent
    for command in set(sent):
        # At least these: the app's background upkeep may have sent some too.
        store = {"command": command, "outcome": "ok"}
        assert grew("newsroom_store_commands_total", store) >= sent.count(command)
    assert grew("newsroom_http_requests_total", {"route": "graphql", "status": "400"}) == 1
    assert grew("newsroom_http_request_duration_seconds_count", {"route": "graphql"}) == 3


@pytest.mark.slow
async def test_metrics_count_votes_by_result(client: GraphQLClient) -> None:
    article = await make_article()
    before = await read_metrics(client)

    await client.data(VOTE_MUTATION, {"articleId": global_id(article), "stars": 4})
    await client.data(VOTE_MUTATION, {"articleId": global_id(article), "stars": 9})
    after = await read_metrics(client)

    for outcome in ("VoteSuccess", "InvalidStars"):
        labels = {"outcome": outcome}
        counted = sample(after, "newsroom_votes_total", labels)
        assert counted - sample(before, "newsroom_votes_total", labels) == 1


async def test_metrics_can_be_turned_off(settings: Settings) -> None:
    async with app_serving(settings.model_copy(update={"metrics": False})) as http:
        response = await http.get("/metrics")

    assert response.status_code == 404


def test_operation_names_become_labels_only_up_to_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_operation_names", set())
    monkeypatch.setattr(metrics, "MAX_OPERATION_NAMES", 3)

    labels = [metrics.operation_label(f"Op{index}") for index in range(5)]

    assert labels == ["Op0", "Op1", "Op2", "other", "other"]
    assert metrics.operation_label("Op1") == "Op1"
    assert metrics.operation_label("x" * 100) == "other"
    assert metrics.operation_label(None) == "-"
