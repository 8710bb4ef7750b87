"""Who is at the desk: the person a session cookie stands for, checked on every request (so a
disabled person or a lowered role takes effect at once), and what their forms must carry."""

from dataclasses import dataclass
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from cms.access import NotAllowedError, Permission, authorize
from cms.people.accounts import Person
from cms.people.login import who
from cms.people.sessions import DeskSession
from cms.reading.review import waiting
from desk.refusals import DeskRefusal, forbidden
from desk.state import Desk, desk_of
from web import csrf


@dataclass(frozen=True, slots=True)
class Visitor:
    person: Person
    session: DeskSession
    # What this session's forms carry (`web.csrf`).
    csrf: str
    # How many articles wait for review, for the navigation; None for whoever may not review.
    in_review: int | None = None


class Redirect(Exception):
    """Answer with a redirect (303: the browser then GETs `url`), clearing cookies if asked."""

    def __init__(self, url: str, *, clear: tuple[str, ...] = ()) -> None:
        super().__init__(url)
        self.url = url
        self.clear = clear


# Where a request keeps its visitor once looked up: in its own scope (`request.state` may be the
# app's lifespan state, shared by every request, under some servers and test transports).
VISITOR = "newsroom.desk.visitor"


def known_visitor(request: Request) -> Visitor | None:
    """The visitor this request looked up already, if it did."""
    found: Visitor | None = request.scope.get(VISITOR)
    return found


async def visitor(request: Request) -> Visitor | None:
    """The person logged in with this request's cookie, if any (looked up once per request)."""
    if VISITOR in request.scope:
        return known_visitor(request)
    desk = desk_of(request)
    token = request.cookies.get(desk.session_cookie)
    found = None
    if token:
        known = await who(token, lifetime=desk.lifetime)
        if known is not None:
            session, person = known
            in_review = (
                waiting(request.app.state.catalog) if person.actor.can(Permission.EDIT) else None
            )
            found = Visitor(person, session, csrf.token_for(desk.secret, session.id), in_review)
    request.scope[VISITOR] = found
    return found


def login_url(request: Request, *, ended: bool = False) -> str:
    """The login page, and back here after it (a GET's own address)."""
    url = "/desk/login"
    query = []
    if request.method == "GET":
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        query.append(f"next={quote(here, safe='')}")
    if ended:
        query.append("ended=1")
    return url + (f"?{'&'.join(query)}" if query else "")


async def require(request: Request, permission: Permission = Permission.PREVIEW_OWN) -> Visitor:
    """The person, if logged in and allowed: else to the login page (303), or refused (403)."""
    found = await visitor(request)
    desk = desk_of(request)
    if found is None:
        had_cookie = desk.session_cookie in request.cookies
        raise Redirect(
            login_url(request, ended=had_cookie),
            clear=(desk.session_cookie,) if had_cookie else (),
        )
    try:
        authorize(found.person.actor, permission)
    except NotAllowedError:
        raise forbidden(
            f"Your role ({found.person.role}) does not allow this. Ask an editor or an admin."
        ) from None
    return found


def check_csrf(desk: Desk, binding: str | None, sent: str | None) -> None:
    if not csrf.is_valid(desk.secret, binding, sent):
        raise DeskRefusal(
            403,
            "Not allowed",
            "This form did not come from this page of the desk (its security token is missing "
            "or out of date), so nothing was done. Go back, reload the page and try again.",
        )


def set_cookie(response: Response, desk: Desk, name: str, value: str, *, max_age: int) -> None:
    """A desk cookie: never read by scripts, sent on links from other sites (Lax) but not on
    their forms, over HTTPS only outside development."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        secure=desk.secure,
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, desk: Desk, name: str) -> None:
    response.delete_cookie(name, path="/", secure=desk.secure, httponly=True, samesite="lax")
