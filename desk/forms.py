"""Reading what a form sends: within a size limit, as a plain form, with few fields; and where a
login may send a browser next.

The desk reads a body only once it knows who sends it (the edge leaves the desk's bodies to it):
before a session is checked nothing is read, so a request without one is sent to the login page
however large, and a person's form may be as large as the editors' limit allows. A body is
refused as soon as it is known to be too large, by its declared length or as it streams in.
"""

import re
from urllib.parse import parse_qsl

from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request

from cms.access import Permission
from desk.refusals import DeskRefusal, bad_request
from desk.state import desk_of
from desk.visitors import Visitor, check_csrf, require

FORM_TYPE = "application/x-www-form-urlencoded"
# More than any desk form has; a body of thousands of tiny fields is refused.
MAX_FIELDS = 200


def too_large(limit: int) -> DeskRefusal:
    return DeskRefusal(
        413,
        "Too large",
        f"What this form sent is larger than {limit:,} bytes, the most the desk takes; nothing "
        "was saved.",
        headers={"Connection": "close"},
    )


Form = ImmutableMultiDict[str, str]


def refuse_declared(request: Request, limit: int) -> None:
    """Refuse a body that says it is over `limit` bytes (413), unread, or says it in bad form."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise too_large(limit) if declared.isdigit() else bad_request("A malformed length.")


async def read_form(request: Request, *, limit: int) -> Form:
    """The form's fields; DeskRefusal for a body over `limit` bytes (413), one that is not a
    form (415), or one that is not well formed (400)."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != FORM_TYPE:
        raise DeskRefusal(415, "Not a form", "The desk takes forms as browsers send them.")
    refuse_declared(request, limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise bad_request("The form was not sent as a browser sends one.") from None
    return Form(pairs)


async def signed_form(
    request: Request, permission: Permission = Permission.PREVIEW_OWN
) -> tuple[Visitor, Form]:
    """The person (allowed `permission`) and the form they sent with this session's token,
    read within the editors' limit once the session is checked; else the refusal."""
    found = await require(request, permission)
    desk = desk_of(request)
    form = await read_form(request, limit=desk.settings.editor_max_body_bytes)
    check_csrf(desk, found.session.id, form.get("csrf"))
    return found, form


# A path on the desk, with an optional query: no scheme or host, no backslash, no spaces or
# control characters (only the characters a URL path and query may hold as they are).
_NEXT = re.compile(
    r"/desk(?:/[A-Za-z0-9\-._~%!$&'()*+,;=:@/]*)?(?:\?[A-Za-z0-9\-._~%!$&'()*+,;=:@/?]*)?"
)


def safe_next(value: str | None) -> str | None:
    """`value` if it is a path on the desk (where a login may send a browser); else None.

    Browsers read `//host` and `/\\host` as other hosts, and `..` or `%2e%2e` as steps up: none
    of them passes, so a link to the login page cannot send anyone elsewhere once logged in."""
    if not value or len(value) > 2000 or not _NEXT.fullmatch(value):
        return None
    segments = value.split("?", 1)[0].split("/")
    if "" in segments[1:-1]:
        return None
    if any(segment in {".", ".."} or "%2e" in segment.lower() for segment in segments):
        return None
    if segments[:3] == ["", "desk", "login"]:
        return None
    return value
