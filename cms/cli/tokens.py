"""`newsroom tokens ...`: API tokens for previewers, editors and admins."""

from typing import Annotated

import typer
from rich.markup import escape

from cms import tokens
from cms.access import Actor, Role
from cms.cli.common import AsJson, console, counted, run_with_store, show_rows
from cms.people.accounts import get_person
from cms.people.tokens import mint
from cms.store.connection import Store

tokens_app = typer.Typer(help="Create, list and revoke API tokens.", no_args_is_help=True)


@tokens_app.command()
def create(
    name: Annotated[
        str,
        typer.Option("--name", metavar="NAME", help="What the token is for, e.g. `preview-site`."),
    ],
    role: Annotated[
        Role, typer.Option("--role", metavar="ROLE", help="previewer, editor or admin.")
    ],
    holder: Annotated[
        str | None,
        typer.Option(
            "--for",
            metavar="EMAIL",
            help="A person's email: the token is theirs, never above their role, and revoked "
            "when they are disabled or their role falls below it. Contributors hold none.",
        ),
    ] = None,
) -> None:
    """Create a token and print it once: only its hash is kept."""

    async def work(store: Store) -> str:
        actor = Actor.local("cli")
        if holder is None:
            _, secret = await tokens.create_token(actor=actor, name=name, role=role)
        else:
            person = await get_person(holder)
            _, secret = await mint(actor=actor, person=person, name=name, role=role)
        return secret

    secret = run_with_store(work)
    console.print(
        f"Created the {role.value} token {escape(name)!r}. It is shown only now; "
        "send it as `Authorization: Bearer <token>`:",
        highlight=False,
    )
    # On a line of its own, unstyled, so a script can take it.
    typer.echo(secret)


@tokens_app.command("list")
def list_tokens(as_json: AsJson = False) -> None:
    """Every token's name, role, creation and last use (never the token itself)."""

    async def work(store: Store) -> list[tokens.ApiToken]:
        return await tokens.list_tokens()

    found = run_with_store(work)
    rows = [
        {
            "name": token.name,
            "role": token.role.value,
            "created": token.created_at.isoformat(timespec="seconds"),
            "created_by": token.created_by,
            "last_used": (
                token.last_used_at.isoformat(timespec="seconds") if token.last_used_at else None
            ),
        }
        for token in found
    ]
    never = {"last_used": lambda used: escape(used or "never")}
    columns = ("name", "role", "created", "created_by", "last_used")
    title = counted(len(found), "token")
    show_rows(rows, columns=columns, title=title, as_json=as_json, styles=never)


@tokens_app.command()
def revoke(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The token's name.")],
) -> None:
    """Revoke a token: requests carrying it are refused from now on."""

    async def work(store: Store) -> tokens.ApiToken:
        return await tokens.revoke_token(actor=Actor.local("cli"), name=name)

    run_with_store(work)
    console.print(f"Revoked the token {escape(name)!r}.")
