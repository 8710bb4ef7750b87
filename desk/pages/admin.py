"""Administration (`/desk/admin`), for admins only: people (invited by email with a one-time
link, their role changed, disabled or enabled again) and every API token (last use, revoke).
The same `cms.people` and `cms.tokens` functions as `newsroom users` and `newsroom tokens`."""

from typing import Any
from urllib.parse import quote

from beanie import PydanticObjectId
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms import tokens
from cms.access import PERSON_ROLES, Permission, Role
from cms.config import base_url
from cms.errors import PersonError, TokenError
from cms.people import changes, links
from cms.people.accounts import Person, actor_id, create_person, list_people
from cms.people.changes import Outcome
from desk.forms import signed_form
from desk.refusals import DeskRefusal, not_found
from desk.state import desk_of
from desk.templates import page
from desk.visitors import Visitor, require

HOME = "/desk/admin"
ADMIN = Permission.ADMINISTER


async def _page(
    request: Request,
    found: Visitor,
    *,
    status: int = 200,
    **shown: Any,
) -> Response:
    people = await list_people()
    held = await tokens.list_tokens()
    return page(
        "admin.html",
        {
            "title": "Admin",
            "here": "admin",
            "visitor": found,
            "people": people,
            "roles": PERSON_ROLES,
            "tokens": held,
            "owners": {actor_id(person.id): person.name for person in people},
            "invited": None,
            "problem": "",
            "notice": request.query_params.get("done", ""),
            "form": {},
            **shown,
        },
        status=status,
    )


async def admin_page(request: Request) -> Response:
    found = await require(request, ADMIN)
    return await _page(request, found)


async def invite(request: Request) -> Response:
    """A new person without a password, and their link to set one (shown once, to send)."""
    found, form = await signed_form(request, ADMIN)
    fields = {name: form.get(name, "").strip() for name in ("email", "name", "role")}
    try:
        if fields["role"] not in PERSON_ROLES:
            raise PersonError(f"Choose a role: {', '.join(PERSON_ROLES)}.")
        person = await create_person(
            actor=found.person.actor,
            email=fields["email"],
            name=fields["name"],
            role=Role(fields["role"]),
        )
    except PersonError as error:
        return await _page(request, found, problem=str(error), form=fields, status=400)
    return await _link_page(request, found, person)


async def _link_page(request: Request, found: Visitor, person: Person) -> Response:
    token = await links.issue(person, purpose="welcome" if not person.password_hash else "reset")
    link = links.url_of(base_url(desk_of(request).settings), token)
    return await _page(request, found, invited=(person, link))


async def _person(request: Request) -> Person:
    try:
        person_id = PydanticObjectId(request.path_params["person_id"])
    except (ValueError, TypeError):
        person_id = None
    person = await Person.get(person_id) if person_id is not None else None
    if person is None:
        raise not_found("Nobody has this address at the desk; they may have been removed.")
    return person


def _revoked(outcome: Outcome) -> str:
    if not outcome.revoked:
        return ""
    return (
        f" Revoked their token{'s' if len(outcome.revoked) > 1 else ''}: "
        + ", ".join(outcome.revoked)
        + "."
    )


def _done(message: str) -> Response:
    return RedirectResponse(f"{HOME}?done={quote(message)}", 303)


async def link(request: Request) -> Response:
    """A new one-time link for someone (their earlier ones stop working)."""
    found, _ = await signed_form(request, ADMIN)
    person = await _person(request)
    try:
        return await _link_page(request, found, person)
    except PersonError as error:
        raise DeskRefusal(409, "Not done", str(error)) from None


async def set_role(request: Request) -> Response:
    found, form = await signed_form(request, ADMIN)
    person = await _person(request)
    role = form.get("role", "")
    if role not in PERSON_ROLES:
        raise DeskRefusal(400, "Not understood", f"Choose a role: {', '.join(PERSON_ROLES)}.")
    try:
        outcome = await changes.set_role(actor=found.person.actor, person=person, role=Role(role))
    except PersonError as error:
        raise DeskRefusal(409, "Not done", str(error)) from None
    return _done(f"{person.name} is now {role}.{_revoked(outcome)}")


async def disable(request: Request) -> Response:
    found, _ = await signed_form(request, ADMIN)
    person = await _person(request)
    try:
        outcome = await changes.disable(actor=found.person.actor, person=person)
    except PersonError as error:
        raise DeskRefusal(409, "Not done", str(error)) from None
    return _done(f"{person.name} is disabled: they cannot log in.{_revoked(outcome)}")


async def enable(request: Request) -> Response:
    found, _ = await signed_form(request, ADMIN)
    person = await _person(request)
    try:
        await changes.enable(actor=found.person.actor, person=person)
    except PersonError as error:
        raise DeskRefusal(409, "Not done", str(error)) from None
    return _done(f"{person.name} may log in again.")


async def revoke_token(request: Request) -> Response:
    found, _ = await signed_form(request, ADMIN)
    try:
        revoked = await tokens.revoke_token(
            actor=found.person.actor, name=request.path_params["name"]
        )
    except TokenError:
        raise not_found("No token has that name; it may have been revoked already.") from None
    return _done(f"The token {revoked.name} is revoked.")
