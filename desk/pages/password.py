"""Setting a password through a one-time link (`cms.people.links`).

Opening the link shows the form and changes nothing. Sending it checks the form's token, counts
against the address's login limit (each use hashes a password), checks the password's rule, then
uses the link: once, within its 24 hours. The person then logs in with their new password.
"""

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.errors import LinkRefusedError, PasswordRuleError
from cms.people import links, passwords
from cms.people.accounts import Person
from cms.people.links import PasswordLink
from desk.forms import read_form
from desk.pages.login import check_form_csrf, form_page
from desk.refusals import DeskRefusal
from desk.state import desk_of
from web.forwarded import client_key


def _refused(error: LinkRefusedError) -> DeskRefusal:
    if error.gone:
        return DeskRefusal(410, "Link no longer valid", str(error))
    return DeskRefusal(404, "Unknown link", str(error))


async def _link(token: str) -> tuple[PasswordLink, Person]:
    try:
        return await links.check(token)
    except LinkRefusedError as error:
        raise _refused(error) from None


def _context(
    token: str, link: PasswordLink, person: Person, problems: list[str]
) -> dict[str, object]:
    return {
        "title": "Set your password",
        "token": token,
        "purpose": link.purpose,
        "name": person.name,
        "email": person.email,
        "problems": problems,
    }


async def password_page(request: Request) -> Response:
    token = request.path_params["token"]
    link, person = await _link(token)
    return form_page(request, "password.html", _context(token, link, person, []))


async def set_password(request: Request) -> Response:
    desk = desk_of(request)
    token = request.path_params["token"]
    form = await read_form(request, limit=desk.settings.max_body_bytes)
    check_form_csrf(request, form.get("csrf"))
    link, person = await _link(token)
    await desk.throttle.address(client_key(request, desk.settings.trusted_proxies))
    password, repeat = form.get("password", ""), form.get("repeat", "")
    problems = []
    try:
        passwords.check_rule(password)
    except PasswordRuleError as error:
        problems.append(str(error))
    if password != repeat:
        problems.append("The two passwords differ: type the same one twice.")
    if problems:
        return form_page(
            request, "password.html", _context(token, link, person, problems), status=400
        )
    hashed = await passwords.hash_password(password)
    try:
        await links.use(token, password_hash=hashed)
    except LinkRefusedError as error:
        raise _refused(error) from None
    return RedirectResponse("/desk/login?password=1", 303)
