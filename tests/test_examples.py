"""examples/: the documented operations and Apollo's possibleTypes, kept true to the schema."""

import json
import os
import select
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
from tests.servers import free_port, served

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


@pytest.mark.processes
def test_the_nextjs_route_handler_revalidates_the_tags_a_delivery_names(
    demo: GraphQLClient, cli_env: dict[str, str], tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node, "`make test` installs Node.js"
    env = {**cli_env, "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE": "true"}
    port = free_port()
    slug = "north-korea-test-fires-hypersonic-missile"

    with served(env, tmp_path / "server.log"):
        added = newsroom(
            "webhooks",
            "add",
            f"http://127.0.0.1:{port}/api/revalidate",
            "--events",
            "article.unpublished",
            env=env,
        )
        assert added.returncode == 0, added.stderr
        secret = added.stdout.strip().splitlines()[-1]
        with subprocess.Popen(
            [node, str(REPO / "tests" / "frontend" / "revalidate.mjs"), str(port)],
            env={**os.environ, "NEWSROOM_WEBHOOK_SECRET": secret},
            stdout=subprocess.PIPE,
            text=True,
        ) as handler:
            try:
                assert _line(handler) == "listening"
                taken_down = newsroom("articles", "unpublish", slug, env=env)
                assert taken_down.returncode == 0, taken_down.stderr
                answered = json.loads(_line(handler))
            finally:
                handler.terminate()

    assert answered["status"] == 200
    assert answered["tags"] == answered["body"]["cache_tags"]
    assert {"feeds", "sitemaps", f"slug:{slug}", "articles"} <= set(answered["tags"])
    assert answered["forged"] == {"status": 400, "tags": []}


def _line(process: subprocess.Popen[str], timeout: float = 60.0) -> str:
    """The next line `process` prints, within `timeout` seconds."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "nothing printed in time"
    return process.stdout.readline().strip()
