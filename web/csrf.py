"""Tokens that prove a form was served by this server to this browser (cross-site request
forgery), for any face with forms.

A token is an HMAC under the secret key of what the browser holds and another site cannot read or
set: its session (once logged in), or a random value in a cookie of its own before that (the login
form, a one-time link's form). A forged request from another site carries the cookie but cannot
know the token, which is in the page only. Nothing is stored: the token is computed again to check
it, in constant time.
"""

import base64
import hashlib
import hmac
import secrets

# A browser's pre-login value, as `new_binding` makes it.
BINDING_LENGTH = 43


def token_for(secret: str, binding: str, purpose: str = "form") -> str:
    """The token forms of `binding` (a session id, or a pre-login cookie's value) carry."""
    digest = hmac.new(secret.encode(), f"csrf\0{purpose}\0{binding}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(digest.digest()).decode().rstrip("=")


def is_valid(secret: str, binding: str | None, token: str | None, purpose: str = "form") -> bool:
    """Whether `token` was made for `binding`: False when either is missing."""
    if not binding or not token:
        return False
    # As bytes: a forged token may hold any character, which `compare_digest` refuses in text.
    expected = token_for(secret, binding, purpose).encode()
    return hmac.compare_digest(expected, token.encode("utf-8", "surrogatepass"))


def new_binding() -> str:
    """A random value for a browser that has no session yet."""
    return secrets.token_urlsafe(32)
