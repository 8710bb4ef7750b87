"""The queries the code sends to the store, recorded as it sends them, and the index of those `cms`
declares (`cms.database.declared_indexes`) that would serve each.

A `QueryRecorder` is a PyMongo command listener: in the test's own process it is passed to the
app, and in a `newsroom` command's process `sitecustomize.py` (written beside the command by
`cli_recording_env`) registers one that appends each query to a file as a line of JSON.
"""

import contextlib
import itertools
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bson import json_util
from pymongo import monitoring

# Where each command that selects documents keeps its filter (`update` and `delete` hold one per
# statement); `aggregate` filters with its first stage when that is a `$match`.
_FILTER_KEYS = {"find": "filter", "count": "query", "distinct": "query", "findAndModify": "query"}
_STATEMENTS = {"update": ("updates", "q"), "delete": ("deletes", "q")}
# Conditions an index cannot narrow (they match almost everything, or what is not there).
_UNSELECTIVE = {"$ne", "$nin", "$not", "$exists", "$type"}


@dataclass(frozen=True)
class Query:
    """One query as the store received it."""

    collection: str
    command: str
    filter: Mapping[str, Any]
    sort: tuple[str, ...] = ()

    def describe(self) -> str:
        shown = json_util.dumps(self.filter)
        return f"{self.command} {self.collection} {shown}" + (
            f" sort {list(self.sort)}" if self.sort else ""
        )

    def to_json(self) -> str:
        return json_util.dumps(
            {"collection": self.collection, "command": self.command, "filter": self.filter}
            | {"sort": list(self.sort)}
        )

    @classmethod
    def from_json(cls, line: str) -> "Query":
        found = json_util.loads(line)
        return cls(found["collection"], found["command"], found["filter"], tuple(found["sort"]))


def queries_of(command_name: str, command: Mapping[str, Any]) -> list[Query]:
    """The queries one command sends (none for commands that select no documents)."""
    collection = command.get(command_name)
    if not isinstance(collection, str):
        return []
    if command_name in _FILTER_KEYS:
        sort = tuple(command.get("sort") or ())
        return [
            Query(collection, command_name, command.get(_FILTER_KEYS[command_name]) or {}, sort)
        ]
    if command_name in _STATEMENTS:
        statements, key = _STATEMENTS[command_name]
        return [
            Query(collection, command_name, statement.get(key) or {})
            for statement in command.get(statements, ())
        ]
    if command_name == "aggregate":
        pipeline = command.get("pipeline") or [{}]
        first = pipeline[0].get("$match", {})
        sorts = [stage["$sort"] for stage in pipeline[1:2] if "$sort" in stage]
        return [Query(collection, command_name, first, tuple(sorts[0]) if sorts else ())]
    return []


def _narrowing(value: Any) -> bool:
    """Whether a field's condition narrows the documents an index would read."""
    if isinstance(value, Mapping) and value and all(str(key).startswith("$") for key in value):
        return not set(value) <= _UNSELECTIVE
    return True


def constrained(filter: Mapping[str, Any]) -> list[frozenset[str]]:
    """The sets of fields a filter narrows, one set per way of matching (`$or` gives several)."""
    ways: list[frozenset[str]] = [frozenset()]
    for key, value in filter.items():
        if key == "$and":
            parts = [constrained(part) for part in value]
        elif key == "$or":
            parts = [[way for part in value for way in constrained(part)]]
        elif key.startswith("$"):  # $expr, $nor, $where: nothing an index serves
            continue
        elif _narrowing(value):
            parts = [[frozenset({key})]]
        else:
            continue
        for alternatives in parts:
            ways = [way | other for way, other in itertools.product(ways, alternatives)]
    return ways


def serving_index(
    query: Query, indexes: Mapping[str, Sequence[tuple[str, ...]]]
) -> list[tuple[str, ...]] | None:
    """For each way the query matches, an index whose first field it narrows (or, with no
    condition, sorts by); None when some way has none: the store would read the collection."""
    declared = [("_id",), *indexes.get(query.collection, ())]
    chosen = []
    for fields in constrained(query.filter):
        usable = [
            index
            for index in declared
            if index[0] in fields or (not fields and query.sort[:1] == index[:1])
        ]
        if not usable:
            return None
        chosen.append(max(usable, key=lambda index: sum(key in fields for key in index)))
    return chosen


class QueryRecorder(monitoring.CommandListener):
    """Records the queries sent while `recording()` is open (or always, with `path`: one JSON
    line each, appended to that file, for a process of its own)."""

    def __init__(self, path: Path | None = None) -> None:
        self.queries: list[Query] = []
        self._on = path is not None
        self._path = path

    @contextlib.contextmanager
    def recording(self) -> Iterator[None]:
        self._on = True
        try:
            yield
        finally:
            self._on = False

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if not self._on:
            return
        found = queries_of(event.command_name, event.command)
        if self._path is not None and found:
            with self._path.open("a") as file:
                file.writelines(query.to_json() + "\n" for query in found)
        self.queries.extend(found)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


REPO = Path(__file__).resolve().parent.parent
_SITECUSTOMIZE = """\
import os
from pathlib import Path

from pymongo import monitoring

from tests.query_plans import QueryRecorder

monitoring.register(QueryRecorder(Path(os.environ["NEWSROOM_TEST_QUERIES"])))
"""


@dataclass
class CommandQueries:
    """What `newsroom` commands run with `env` send, read back from their file."""

    env: dict[str, str]
    path: Path

    def read(self) -> list[Query]:
        if not self.path.exists():
            return []
        return [Query.from_json(line) for line in self.path.read_text().splitlines()]


def cli_recording_env(env: Mapping[str, str], directory: Path) -> CommandQueries:
    """`env` for `newsroom` commands whose every query is appended to a file in `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "sitecustomize.py").write_text(_SITECUSTOMIZE)
    recorded = CommandQueries(dict(env), directory / "queries.jsonl")
    path = os.pathsep.join([str(directory), str(REPO), env.get("PYTHONPATH", "")])
    recorded.env |= {"PYTHONPATH": path.rstrip(os.pathsep)}
    recorded.env["NEWSROOM_TEST_QUERIES"] = str(recorded.path)
    return recorded


def explain_scans(plan: Mapping[str, Any]) -> bool:
    """Whether an `explain` answer's winning plan reads a whole collection."""
    stack: list[Any] = [plan.get("queryPlanner", plan)]
    while stack:
        node = stack.pop()
        if isinstance(node, Mapping):
            if node.get("stage") == "COLLSCAN":
                return True
            stack.extend(value for key, value in node.items() if key != "rejectedPlans")
        elif isinstance(node, list):
            stack.extend(node)
    return False
