"""Who an anonymous reader is: their client address, and the voter id in their signed cookie.

The voter cookie makes a reader one voter across visits: `<id>.<signature>`, a random 128-bit id
and its HMAC-SHA256 under the secret key. A cookie that is not exactly that (forged, cut short,
signed with another key) is treated as absent: the reader gets a new voter id. The cookie is
HttpOnly (no script needs it), Secure over HTTPS, SameSite as configured (Lax: not sent with
cross-site POSTs), Path=/ and kept for a year.

Only `vote` and `submitFeedback` look at it, and no answer depends on it, so it never makes a
public read uncacheable.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from starlette.requests import HTTPConnection
from starlette.responses import Response

from api.settings import Settings
from web.forwarded import client_key, is_https

COOKIE = "newsroom_voter"
MAX_AGE = 365 * 24 * 60 * 60
_VALUE = re.compile(r"^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$")


def _signature(voter_id: str, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"voter:{voter_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def signed(voter_id: str, secret: str) -> str:
    """The cookie value for `voter_id`."""
    return f"{voter_id}.{_signature(voter_id, secret)}"


def verified(value: str | None, secret: str) -> str | None:
    """The voter id a cookie value carries, if its signature holds; None otherwise."""
    match = _VALUE.match(value or "")
    if match is None:
        return None
    voter_id, signature = match.groups()
    return voter_id if hmac.compare_digest(signature, _signature(voter_id, secret)) else None


@dataclass(frozen=True, slots=True)
class Visitor:
    """The anonymous reader behind a request."""

    # The client address as limits count it (an IPv6 address's /64).
    address: str
    voter: str
    # The voter id was issued by this request: there is no ledger entry of it to read.
    new_voter: bool

    @classmethod
    def of(
        cls, request: HTTPConnection, response: Response | None, settings: Settings
    ) -> "Visitor":
        """The reader, issuing a voter cookie (on `response`) if they brought no valid one."""
        secret = settings.secret_key.get_secret_value()
        address = client_key(request, settings.trusted_proxies)
        voter = verified(request.cookies.get(COOKIE), secret)
        if voter is not None:
            return cls(address=address, voter=voter, new_voter=False)
        voter = secrets.token_urlsafe(16)
        if response is not None:
            same_site = settings.voter_cookie_same_site
            response.set_cookie(
                COOKIE,
                signed(voter, secret),
                max_age=MAX_AGE,
                path="/",
                # Browsers refuse SameSite=None without Secure.
                secure=same_site == "none" or is_https(request, settings.trusted_proxies),
                httponly=True,
                samesite=same_site,
            )
        return cls(address=address, voter=voter, new_voter=True)
