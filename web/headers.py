"""Security headers for every response (a page that needs more sets its own policy)."""

# JSON is never to be sniffed into something else, framed, or told where it was linked from.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
)


def etags(header: str) -> set[str]:
    """The entity tags of an `If-None-Match` header (weak ones compared as strong: a 304 only
    needs the client's copy to be the one it has)."""
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}
