"""Security headers for every response, and the policy GraphiQL's page needs to work."""

import base64
import hashlib
import re

# JSON is never to be sniffed into something else, framed, or told where it was linked from.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
)
# GraphiQL's scripts and styles come from unpkg.com (pinned with integrity hashes by Strawberry's
# page) until they are served from here.
GRAPHIQL_ASSETS = "https://unpkg.com"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def graphiql_policy(html: str) -> str:
    """Only the page's own inline script (by hash) and the pinned assets run; it talks to us."""
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'"
        for script in INLINE_SCRIPT.findall(html)
    )
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {GRAPHIQL_ASSETS} {hashes}",
            # GraphiQL and its editor set styles inline.
            f"style-src {GRAPHIQL_ASSETS} 'unsafe-inline'",
            "font-src data:",
            "img-src 'self' data:",
            "connect-src 'self'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
