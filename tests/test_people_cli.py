"""`newsroom users ...` as an admin types it: people, their one-time links, roles and tokens."""

import json
import re
import subprocess

import pytest

from api.settings import Settings
from cms.access import Role
from cms.people import sessions
from cms.people.accounts import find_by_email
from cms.people.login import lifetime
from tests.cli import newsroom
from tests.graphql_client import GraphQLClient

LINK = re.compile(r"^http://127\.0\.0\.1:8000/desk/password/[A-Za-z0-9_-]{43}$")
PREVIEW = "{ articles(preview: true, first: 1) { totalCount } }"


def with_password(
    *args: str, password: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return newsroom(*args, "--password-stdin", env=env, input=password + "\n")


@pytest.mark.slow
async def test_an_admin_creates_people_who_set_their_passwords_by_link_or_at_once(
    cli_env: dict[str, str], client: GraphQLClient
) -> None:
    invited = newsroom(
        "users",
        "create",
        "Ada@Example.com",
        "--name",
        "Ada Lovelace",
        "--role",
        "editor",
        env=cli_env,
    )
    scripted = with_password(
        "users",
        "create",
        "bot@example.com",
        "--name",
        "Build bot",
        "--role",
        "contributor",
        password="a long enough password",
        env=cli_env,
    )
    reset = newsroom("users", "reset-password", "ada@example.com", env=cli_env)
    listed = newsroom("users", "list", "--json", env=cli_env)
    table = newsroom("users", "list", env=cli_env)

    assert invited.returncode == 0, invited.stderr
    first, link = invited.stdout.strip().splitlines()
    assert first == (
        "Created the editor Ada Lovelace <Ada@example.com>. They set their password at this "
        "link, within 24 hours, once:"
    )
    assert LINK.match(link)
    assert scripted.returncode == 0, scripted.stderr
    assert "They can log in at http://127.0.0.1:8000/desk/login" in scripted.stdout
    assert "a long enough password" not in scripted.stdout
    new_link = reset.stdout.strip().splitlines()[-1]
    assert LINK.match(new_link)
    assert new_link != link
    people = json.loads(listed.stdout)
    assert [(p["email"], p["name"], p["role"], p["state"]) for p in people] == [
        ("Ada@example.com", "Ada Lovelace", "editor", "invited"),
        ("bot@example.com", "Build bot", "contributor", "active"),
    ]
    assert table.stdout.splitlines()[0].strip() == "2 people"
    bot = await find_by_email("BOT@example.com")
    assert bot is not None
    assert bot.password_hash is not None
    assert bot.password_hash.startswith("$argon2id$")


@pytest.mark.slow
async def test_roles_tokens_and_disabling_take_effect_at_once(
    cli_env: dict[str, str], client: GraphQLClient, settings: Settings
) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return newsroom(*args, env=cli_env)

    run("users", "create", "boss@example.com", "--name", "Boss", "--role", "admin")
    run("users", "create", "ed@example.com", "--name", "Ed", "--role", "editor")
    run("users", "create", "cy@example.com", "--name", "Cy", "--role", "contributor")
    editor_token = run(
        "tokens", "create", "--name", "eds", "--role", "editor", "--for", "ed@example.com"
    )
    preview_token = run(
        "tokens",
        "create",
        "--name",
        "eds-preview",
        "--role",
        "previewer",
        "--for",
        "ed@example.com",
    )
    above = run(
        "tokens", "create", "--name", "eds-admin", "--role", "admin", "--for", "ed@example.com"
    )
    contributors = run(
        "tokens", "create", "--name", "cys", "--role", "previewer", "--for", "cy@example.com"
    )
    token = editor_token.stdout.strip().splitlines()[-1]
    preview = preview_token.stdout.strip().splitlines()[-1]
    ed = await find_by_email("ed@example.com")
    assert ed is not None
    assert ed.id is not None
    await sessions.open_session(ed.id, lifetime=lifetime(settings))

    demoted = run("users", "set-role", "ed@example.com", "contributor")
    after_demotion = await client.as_token(preview).error_code(PREVIEW)
    run("users", "set-role", "ed@example.com", "editor")
    disabled = run("users", "disable", "ed@example.com")
    last_admin = run("users", "disable", "boss@example.com")
    last_admin_demoted = run("users", "set-role", "boss@example.com", "editor")
    duplicate = run("users", "create", "ED@example.com", "--name", "Ed again", "--role", "editor")
    not_an_address = run("users", "create", "ed at example", "--name", "Ed", "--role", "editor")
    markup = run("users", "create", "x@example.com", "--name", "<b>Ed</b>", "--role", "editor")
    token_role = run("users", "create", "p@example.com", "--name", "P", "--role", "previewer")
    nobody = run("users", "disable", "nobody@example.com")

    assert editor_token.returncode == preview_token.returncode == 0
    assert above.returncode == 1
    assert "their tokens may be previewer, editor" in above.stderr
    assert contributors.returncode == 1
    assert "contributors hold no API tokens" in contributors.stderr
    assert demoted.returncode == 0
    assert demoted.stdout.strip() == (
        "Ed <ed@example.com> is now a contributor: 2 tokens revoked (eds, eds-preview)."
    )
    assert after_demotion == "UNAUTHENTICATED"
    assert await client.as_token(token).error_code(PREVIEW) == "UNAUTHENTICATED"
    assert disabled.stdout.strip() == (
        "Disabled Ed <ed@example.com>: 1 session ended, no token revoked."
    )
    assert last_admin.returncode == last_admin_demoted.returncode == 1
    assert "boss@example.com is the last active admin" in last_admin.stderr
    assert duplicate.returncode == 1
    assert "Someone has the address" in duplicate.stderr
    assert not_an_address.returncode == 1
    assert "That is not an email address" in not_an_address.stderr
    assert markup.returncode == 1
    assert "plain text" in markup.stderr
    assert token_role.returncode == 2  # not a person's role: typer lists the choices
    assert nobody.returncode == 1
    assert "Nobody has the address 'nobody@example.com'" in nobody.stderr
    boss = await find_by_email("boss@example.com")
    assert boss is not None
    assert boss.role is Role.ADMIN
    assert not boss.disabled
