"""Logging in and out.

The login form is protected against forgery like every form: before there is a session, its
token is bound to a random value in a cookie of its own (`web.csrf`), so another site cannot log a
browser in to an account of its choosing. A login gives a new session (and ends one the browser
held), and sends the person back where they were going if that is a page of the desk.
"""

import logging
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.errors import LoginRefusedError
from cms.people.login import log_in
from cms.people.sessions import end, session_id
from desk.forms import read_form, safe_next, signed_form
from desk.state import Desk, desk_of
from desk.templates import page
from desk.visitors import check_csrf, clear_cookie, set_cookie, visitor
from web import csrf
from web.forwarded import client_key

log = logging.getLogger(__name__)

HOME = "/desk/articles"
# How long the pre-login cookie lasts: a form left open for a day still works.
FORM_COOKIE_AGE = 24 * 3600
NOTICES = {
    "ended": "Your session has ended. Log in again to go on.",
    "out": "You are logged out.",
    "password": "Your password is set. Log in with it.",
}


def _form_binding(request: Request, desk: Desk) -> tuple[str, bool]:
    """The browser's pre-login value, and whether it is new (to be set as a cookie)."""
    held = request.cookies.get(desk.form_cookie)
    if held and len(held) == csrf.BINDING_LENGTH:
        return held, False
    return csrf.new_binding(), True


def form_page(
    request: Request,
    template: str,
    context: Mapping[str, object],
    *,
    status: int = 200,
) -> Response:
    """A page with a form sent before logging in, its token bound to the pre-login cookie."""
    desk = desk_of(request)
    binding, new = _form_binding(request, desk)
    response = page(
        template, {**context, "csrf": csrf.token_for(desk.secret, binding)}, status=status
    )
    if new:
        set_cookie(response, desk, desk.form_cookie, binding, max_age=FORM_COOKIE_AGE)
    return response


def check_form_csrf(request: Request, sent: str | None) -> None:
    desk = desk_of(request)
    check_csrf(desk, request.cookies.get(desk.form_cookie), sent)


async def login_page(request: Request) -> Response:
    wanted = safe_next(request.query_params.get("next"))
    if await visitor(request) is not None:
        return RedirectResponse(wanted or HOME, 303)
    notice = next((NOTICES[key] for key in NOTICES if request.query_params.get(key)), None)
    context = {"title": "Log in", "email": "", "next": wanted, "notice": notice, "problem": None}
    return form_page(request, "login.html", context)


async def login(request: Request) -> Response:
    desk = desk_of(request)
    form = await read_form(request, limit=desk.settings.max_body_bytes)
    check_form_csrf(request, form.get("csrf"))
    email = form.get("email", "")[:320]
    password = form.get("password", "")
    wanted = safe_next(form.get("next"))
    client = client_key(request, desk.settings.trusted_proxies)
    try:
        person, _, token = await log_in(
            email, password, client=client, throttle=desk.throttle, lifetime=desk.lifetime
        )
    except LoginRefusedError as refused:
        context = {
            "title": "Log in",
            "email": email,
            "next": wanted,
            "notice": None,
            "problem": str(refused),
        }
        return form_page(request, "login.html", context, status=400)
    log.info("Desk login: %s", person.actor.id)
    # A browser that was logged in as someone else is not any more.
    held = request.cookies.get(desk.session_cookie)
    if held:
        await end(session_id(held))
    response = RedirectResponse(wanted or HOME, 303)
    set_cookie(response, desk, desk.session_cookie, token, max_age=desk.settings.session_max_age)
    clear_cookie(response, desk, desk.form_cookie)
    return response


async def logout(request: Request) -> Response:
    desk = desk_of(request)
    found, _ = await signed_form(request)
    await end(found.session.id)
    response = RedirectResponse("/desk/login?out=1", 303)
    clear_cookie(response, desk, desk.session_cookie)
    return response
