"""The command line as a person and a script meet it: output and nothing else, whole lines when
piped, JSON for every list, help that names what each option takes, and a clear word when
`serve` cannot listen."""

import asyncio
import json
import re
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
import typer.main
from typer.testing import CliRunner

from cms.access import Role
from cms.config import Settings
from cms.tokens import create_token
from newsroom.cli import app
from tests.cli import NEWSROOM, newsroom
from tests.factories import FACTORY, make_article
from tests.graphql_client import GraphQLClient
from tests.servers import free_port

LONG_SLUG = "a-" * 60 + "slug"
# A public address (the webhook guard refuses private ones); nothing is ever sent there in time.
HOOK = "https://93.184.215.14/hook"


def titles(output: str) -> list[str]:
    """The output's lines without the padding a table's title gets."""
    return [line.strip() for line in output.splitlines()]


def commands(group: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command of the `newsroom` tree, as its words."""
    click_group = typer.main.get_command(app) if group is app else group
    found = []
    for name, command in getattr(click_group, "commands", {}).items():
        words = (*prefix, name)
        found.append(words)
        found += commands(command, words)
    return found


@pytest.mark.slow
async def test_a_command_prints_its_output_and_log_lines_only_when_verbose(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    quiet = newsroom("tokens", "list", env=cli_env)
    verbose = newsroom("--verbose", "tokens", "list", env=cli_env)

    assert quiet.returncode == verbose.returncode == 0
    assert quiet.stderr == ""
    assert "0 tokens" in quiet.stdout
    assert "Using" in verbose.stderr  # the store it used, as the log says


@pytest.mark.slow
async def test_a_table_piped_to_a_file_keeps_its_lines_whole(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    await make_article(slug=LONG_SLUG)

    listed = newsroom("articles", "list", env=cli_env | {"COLUMNS": "40"})

    assert listed.returncode == 0, listed.stderr
    assert any(LONG_SLUG in line for line in listed.stdout.splitlines())
    assert titles(listed.stdout)[0] == "1 article"


@pytest.mark.parametrize(
    ("words", "keys"),
    [
        (("articles", "list"), {"slug", "status", "version", "published_at", "updated_by"}),
        (("tokens", "list"), {"name", "role", "created", "created_by", "last_used"}),
        (("documents", "list"), {"sha256", "document"}),
        (("webhooks", "list"), {"id", "url", "events", "status", "pending", "disabled_reason"}),
        (("users", "list"), {"id", "email", "name", "role", "state", "created"}),
    ],
)
@pytest.mark.slow
async def test_every_list_command_prints_json_for_scripts(
    client: GraphQLClient,
    cli_env: dict[str, str],
    tmp_path: Path,
    words: tuple[str, ...],
    keys: set[str],
) -> None:
    await make_article(slug=LONG_SLUG)
    await create_token(actor=FACTORY, name="laptop", role=Role.EDITOR)
    document = tmp_path / "front.graphql"
    document.write_text("query Front { articles { totalCount } }\n")
    assert newsroom("documents", "add", str(document), env=cli_env).returncode == 0
    assert newsroom("webhooks", "add", HOOK, env=cli_env).returncode == 0
    assert (
        newsroom(
            "users", "create", "ada@example.com", "--name", "Ada", "--role", "editor", env=cli_env
        ).returncode
        == 0
    )

    listed = newsroom(*words, "--json", env=cli_env)

    assert listed.returncode == 0, listed.stderr
    (row,) = json.loads(listed.stdout)
    assert keys <= set(row)


def test_help_names_what_options_take_and_leaves_out_types_and_folded_choices() -> None:
    # In this process (thirty commands' help, each a second as a process of its own), as typer
    # renders it for a terminal 80 columns wide.
    runner = CliRunner()
    for words in [(), *commands(app)]:
        shown = runner.invoke(app, [*words, "--help"], env={"COLUMNS": "80"}, terminal_width=80)

        assert shown.exit_code == 0, (words, shown.output)
        assert "<bool>" not in shown.output, words
        assert not re.search(r"<(str|int|path|list\[\w+\])>", shown.output), words
        # Choices are named by what they are (STATUS), listed whole in the help text.
        assert not re.search(r"<\w+(\|\w*)+", shown.output), words


@pytest.mark.slow
async def test_one_delivery_is_one_delivery(client: GraphQLClient, cli_env: dict[str, str]) -> None:
    assert (
        newsroom("webhooks", "add", HOOK, "--events", "article.published", env=cli_env).returncode
        == 0
    )
    assert "0 deliveries" in newsroom("webhooks", "deliveries", HOOK, env=cli_env).stdout

    await make_article(slug="one-story")
    listed = ""
    deadline = time.monotonic() + 30
    while "1 delivery" not in titles(listed) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        listed = newsroom("webhooks", "deliveries", HOOK, env=cli_env).stdout

    assert titles(listed)[0] == "1 delivery"
    assert titles(newsroom("webhooks", "list", env=cli_env).stdout)[0] == "1 webhook endpoint"


@pytest.mark.processes
def test_serve_on_a_busy_port_says_which_and_how_to_choose_another(
    settings: Settings, cli_env: dict[str, str]
) -> None:
    port = free_port()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", port))
        taken.listen()

        served = subprocess.run(
            [NEWSROOM, "serve", "--port", str(port)],
            env=cli_env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert served.returncode == 1
    assert f"port {port} on 127.0.0.1 is in use" in served.stderr
    assert "--port" in served.stderr
    assert "Errno" not in served.stderr + served.stdout
    assert "Traceback" not in served.stderr


@pytest.mark.processes
def test_serve_prints_the_address_once_it_answers(cli_env: dict[str, str]) -> None:
    port = free_port()
    server = subprocess.Popen(
        [NEWSROOM, "serve", "--port", str(port)],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        deadline = time.monotonic() + 60
        line = ""
        while time.monotonic() < deadline and "GraphiQL" not in line:
            line = server.stdout.readline()
        assert f"GraphiQL: http://127.0.0.1:{port}/graphql" in line

        # Right away, with no retry: the address printed is already answering.
        answered = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    finally:
        server.terminate()
        server.communicate(timeout=30)

    assert answered.status_code == 200
