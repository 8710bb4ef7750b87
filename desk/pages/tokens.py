"""Your tokens (`/desk/tokens`): a person mints and revokes their own API tokens, never above
their role (contributors hold none), each shown once as the CLI shows it; the same
`cms.people.tokens.mint` the CLI's `tokens create --for` calls."""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms import tokens
from cms.access import Role, token_roles_for
from cms.errors import PersonError, TokenError
from cms.people.accounts import actor_id
from cms.people.tokens import mint
from desk.forms import signed_form
from desk.refusals import forbidden, not_found
from desk.templates import page
from desk.visitors import Visitor, require

PAGE = "/desk/tokens"


async def _page(
    found: Visitor,
    *,
    minted: tuple[tokens.ApiToken, str] | None = None,
    problem: str = "",
    name: str = "",
    notice: str = "",
    status: int = 200,
) -> Response:
    held = await tokens.tokens_of(actor_id(found.person.id))
    return page(
        "tokens.html",
        {
            "title": "Your tokens",
            "here": "tokens",
            "visitor": found,
            "tokens": held,
            "roles": token_roles_for(found.person.role),
            "minted": minted,
            "problem": problem,
            "name": name,
            "notice": notice,
        },
        status=status,
    )


async def tokens_page(request: Request) -> Response:
    found = await require(request)
    revoked = request.query_params.get("revoked", "")
    notice = f"The token {revoked!r} is revoked." if revoked else ""
    return await _page(found, notice=notice)


async def create(request: Request) -> Response:
    found, form = await signed_form(request)
    allowed = token_roles_for(found.person.role)
    if not allowed:
        raise forbidden(
            f"Your role ({found.person.role}) holds no API tokens: a token would read every "
            "draft, not only yours."
        )
    name = form.get("name", "").strip()
    role = form.get("role", "")
    if role not in allowed:
        return await _page(
            found,
            problem=f"Choose one of the roles offered: {', '.join(allowed)}.",
            name=name,
            status=400,
        )
    try:
        minted = await mint(
            actor=found.person.actor, person=found.person, name=name, role=Role(role)
        )
    except (TokenError, PersonError) as error:
        return await _page(found, problem=str(error), name=name, status=400)
    return await _page(found, minted=minted)


async def revoke(request: Request) -> Response:
    found, _ = await signed_form(request)
    name = request.path_params["name"]
    held = {token.name for token in await tokens.tokens_of(actor_id(found.person.id))}
    if name not in held:
        raise not_found("You hold no token of that name; it may have been revoked already.")
    await tokens.revoke_token(actor=found.person.actor, name=name)
    return RedirectResponse(f"{PAGE}?revoked={name}", 303)
