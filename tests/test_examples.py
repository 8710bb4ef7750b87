"""examples/: the documented operations and Apollo's possibleTypes, kept true to the schema."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import build_schema, parse, validate

from api.client_files import operation_files, possible_types_json
from api.schema import schema
from tests.cli import newsroom
from tests.conftest import REPO
from tests.graphql_client import GraphQLClient
from tests.servers import served

EXAMPLES = REPO / "examples"
OPERATIONS = sorted((EXAMPLES / "operations").glob("*.graphql"))


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda path: path.name)
def test_each_documented_operation_is_valid_against_the_committed_schema(
    operation: Path,
) -> None:
    committed = build_schema((REPO / "schema.graphql").read_text())

    errors = validate(committed, parse(operation.read_text()))

    assert [error.message for error in errors] == []


def test_the_committed_examples_match_the_code(tmp_path: Path, cli_env: dict[str, str]) -> None:
    written = newsroom("schema", "examples", "--output", str(tmp_path), env=cli_env)

    assert written.returncode == 0, written.stderr
    assert sorted(path.name for path in OPERATIONS) == sorted(operation_files())
    for path in OPERATIONS:
        assert path.read_text() == (tmp_path / "operations" / path.name).read_text(), (
            f"examples/operations/{path.name} is stale: run `make schema` and commit it."
        )
    assert (EXAMPLES / "possibleTypes.json").read_text() == possible_types_json(schema._schema), (
        "examples/possibleTypes.json is stale: run `make schema` and commit it."
    )


def test_possible_types_name_every_union_and_interface() -> None:
    found = json.loads((EXAMPLES / "possibleTypes.json").read_text())["possibleTypes"]

    assert found["VoteResult"] == ["ArticleNotFound", "InvalidStars", "RateLimited", "VoteSuccess"]
    assert found["Node"] == ["Article", "Author", "Tag"]
    assert "VoteSuccess" not in found


@pytest.mark.processes
def test_a_vote_updates_apollo_clients_cache_with_no_refetch_and_no_warning(
    demo: GraphQLClient, cli_env: dict[str, str], tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node, "`make test` installs Node.js"
    frontend = REPO / "tests" / "frontend"
    assert (frontend / "node_modules" / "@apollo" / "client").is_dir(), "`make test` installs it"

    with served(cli_env, tmp_path / "server.log") as url:
        run = subprocess.run(
            # Apollo's development build: the one that prints its warnings.
            [
                node,
                "--conditions=development",
                str(frontend / "apollo-cache.mjs"),
                f"{url}/graphql",
                "north-korea-sends-3000-more-troops-to-russia",
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    documented, control = result["documented"], result["control"]
    assert documented["typename"] == "VoteSuccess"
    assert documented["sent"] == ["ArticlePage", "Vote"]  # no refetch
    assert documented["warnings"] == []
    assert documented["after"]["count"] == documented["before"]["count"] + 1
    assert documented["after"]["distribution"][4]["count"] == (
        documented["before"]["distribution"][4]["count"] + 1
    )
    # The same check catches the warning when the rating has no identity.
    assert any("Cache data may be lost" in warning for warning in control["warnings"])
