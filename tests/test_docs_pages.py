"""The docs pages a new reader pastes from run as written: every command and GraphQL operation
of the Frontend quick start, the Editors' workflow and Webhooks, against `newsroom serve` on the
demo content, each answering as the page shows (tests/docs_blocks.py has the format)."""

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate
from markdown_it import MarkdownIt

from tests.conftest import REPO
from tests.docs_blocks import Command, Operation, Serve, steps, with_snippets
from tests.docs_runner import run_page

DOCS = REPO / "docs"
RUNNABLE = ["frontend/quickstart.md", "editors/workflow.md", "webhooks.md"]
# The schema page shows the schema itself, not an operation.
OPERATIONS = [
    pytest.param(fence.content, id=f"{page.relative_to(DOCS)}:{(fence.map or [0])[0] + 1}")
    for page in sorted(DOCS.rglob("*.md"))
    if page.name != "schema.md"
    for fence in MarkdownIt("commonmark").parse(page.read_text())
    if fence.type == "fence" and fence.info.split()[:1] == ["graphql"]
]


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_in_the_docs_is_valid_against_the_committed_schema(operation: str) -> None:
    committed = build_schema((REPO / "schema.graphql").read_text())

    errors = validate(committed, parse(with_snippets(operation, REPO)))

    assert [error.message for error in errors] == []


@pytest.mark.parametrize("page", RUNNABLE)
def test_each_block_of_a_runnable_page_can_be_run(page: str) -> None:
    found = steps((DOCS / page).read_text(), REPO)

    assert isinstance(found[0], Serve), "the page starts the server as a reader does"
    assert any(isinstance(step, Command) for step in found)
    assert any(isinstance(step, Operation) for step in found)


@pytest.mark.processes
@pytest.mark.parametrize("page", RUNNABLE)
def test_each_command_and_operation_answers_as_the_page_shows(
    page: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    run_page(steps((DOCS / page).read_text(), REPO), tmp_path, cli_env)
