"""`newsroom users ...`: the people who log in to the desk, and their one-time links."""

import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape

from cms.access import Actor, Role
from cms.cli.common import AsJson, console, counted, fail, run_with_store, show_rows
from cms.config import base_url, get_settings
from cms.errors import PasswordRuleError
from cms.people import changes, links, passwords
from cms.people.accounts import Person, create_person, get_person, list_people
from cms.store.connection import Store

users_app = typer.Typer(
    help="The people who log in to the desk: create, list, disable, reset passwords, set roles.",
    no_args_is_help=True,
)


class PersonRole(StrEnum):
    CONTRIBUTOR = "contributor"
    EDITOR = "editor"
    ADMIN = "admin"


Email = Annotated[
    str, typer.Argument(metavar="EMAIL", help="Their email address.", show_default=False)
]
CLI = Actor.local("cli")


def _a(role: Role) -> str:
    return f"{'an' if role.value[0] in 'aeiou' else 'a'} {role.value}"


def _who(person: Person) -> str:
    return f"{escape(person.name)} <{escape(person.email)}>"


def _print_link(intro: str, token: str) -> None:
    console.print(intro, highlight=False, soft_wrap=True)
    # On a line of its own, unstyled, so a script can take it.
    typer.echo(links.url_of(base_url(get_settings()), token))


def _read_password() -> str:
    line = sys.stdin.readline()
    password = line.removesuffix("\n").removesuffix("\r")
    try:
        return passwords.check_rule(password)
    except PasswordRuleError as error:
        fail(str(error))


@users_app.command()
def create(
    email: Email,
    name: Annotated[
        str, typer.Option("--name", metavar="NAME", help="Their name as others see it.")
    ],
    role: Annotated[
        PersonRole,
        typer.Option("--role", metavar="ROLE", help="contributor, editor or admin."),
    ],
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read their password from the first line of standard input (for scripts) "
            "instead of printing a one-time link.",
        ),
    ] = False,
) -> None:
    """Create a person; print the one-time link they set their password with (24 hours, once)."""
    password = _read_password() if password_stdin else None

    async def work(store: Store) -> tuple[Person, str | None]:
        hashed = await passwords.hash_password(password) if password is not None else None
        person = await create_person(
            actor=CLI, email=email, name=name, role=Role(role.value), password_hash=hashed
        )
        token = None if hashed else await links.issue(person, purpose="welcome")
        return person, token

    person, token = run_with_store(work)
    created = f"Created the {person.role} {_who(person)}."
    if token is None:
        login = f"{base_url(get_settings())}/desk/login"
        console.print(f"{created} They can log in at {login}", highlight=False, soft_wrap=True)
        return
    _print_link(f"{created} They set their password at this link, within 24 hours, once:", token)


@users_app.command("list")
def list_command(as_json: AsJson = False) -> None:
    """Every person: email, name, role, state (invited, active or disabled), when created."""

    async def work(store: Store) -> list[Person]:
        return await list_people()

    found = run_with_store(work)
    rows = [
        {
            "id": str(person.id),
            "email": person.email,
            "name": person.name,
            "role": person.role.value,
            "state": person.state,
            "created": person.created_at.isoformat(timespec="seconds"),
        }
        for person in found
    ]
    columns = ("email", "name", "role", "state", "created")
    title = counted(len(found), "person", "people")
    show_rows(rows, columns=("id", *columns) if as_json else columns, title=title, as_json=as_json)


def _revoked(names: list[str]) -> str:
    if not names:
        return "no token revoked"
    listed = ", ".join(escape(name) for name in names)
    return f"{counted(len(names), 'token')} revoked ({listed})"


@users_app.command()
def disable(email: Email) -> None:
    """They cannot log in: their sessions end and their API tokens are revoked, at once."""

    async def work(store: Store) -> changes.Outcome:
        return await changes.disable(actor=CLI, person=await get_person(email))

    outcome = run_with_store(work)
    ended = outcome.sessions_ended
    console.print(
        f"Disabled {_who(outcome.person)}: {counted(ended, 'session')} ended, "
        f"{_revoked(outcome.revoked)}.",
        highlight=False,
        soft_wrap=True,
    )


@users_app.command()
def enable(email: Email) -> None:
    """They may log in again (with their password; their tokens stay revoked)."""

    async def work(store: Store) -> changes.Outcome:
        return await changes.enable(actor=CLI, person=await get_person(email))

    outcome = run_with_store(work)
    console.print(f"Enabled {_who(outcome.person)}.", highlight=False, soft_wrap=True)


@users_app.command("reset-password")
def reset_password(email: Email) -> None:
    """Print a new one-time link to set their password (24 hours, once); their earlier links
    stop working. Their password works until the link is used; then their sessions end."""

    async def work(store: Store) -> tuple[Person, str]:
        person = await get_person(email)
        return person, await links.issue(person, purpose="reset")

    person, token = run_with_store(work)
    _print_link(f"{_who(person)} sets a new password at this link, within 24 hours, once:", token)


@users_app.command("set-role")
def set_role(
    email: Email,
    role: Annotated[
        PersonRole,
        typer.Argument(metavar="ROLE", help="contributor, editor or admin.", show_default=False),
    ],
) -> None:
    """Change their role; their API tokens above the new role are revoked with it."""

    async def work(store: Store) -> changes.Outcome:
        person = await get_person(email)
        return await changes.set_role(actor=CLI, person=person, role=Role(role.value))

    outcome = run_with_store(work)
    console.print(
        f"{_who(outcome.person)} is now {_a(outcome.person.role)}: {_revoked(outcome.revoked)}.",
        highlight=False,
        soft_wrap=True,
    )
