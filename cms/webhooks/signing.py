"""Signatures receivers can check: `Newsroom-Signature: t=<unix seconds>,v1=<hex>`.

`v1` is the HMAC-SHA256 of `"<t>.<body>"` keyed with the endpoint's secret (the whole text,
`whsec_...`, as UTF-8), as Stripe signs its webhooks. The time is signed with the body, so a
receiver can refuse a captured delivery replayed later (older than a few minutes). Every attempt
is signed afresh: a retry hours later carries the time it was sent.
"""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Newsroom-Signature"
DELIVERY_HEADER = "Newsroom-Delivery"
EVENT_HEADER = "Newsroom-Event"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """32 random bytes, URL-safe text, with a prefix that says what it is."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, body: bytes, timestamp: int) -> str:
    """The header's value for `body` sent at `timestamp`."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
