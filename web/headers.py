"""Security headers for every response, and the policy GraphiQL's page needs to work."""

# JSON is never to be sniffed into something else, framed, or told where it was linked from.
SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
)
# GraphiQL's page runs no inline script and loads every file from this server (api/playground).
GRAPHIQL_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # GraphiQL's stylesheet embeds its fonts and icons.
        "font-src 'self' data:",
        "img-src 'self' data:",
        # Queries over HTTP, subscriptions over a WebSocket to this same origin.
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
