"""GraphiQL's page: the pinned assets by URL, Newsroom's examples as inert data blocks.

No inline script runs: the page's own script is a file like the others (`static/playground.js`)
and reads the examples from `<script type="application/...">` blocks, which browsers never run.
So the page's Content-Security-Policy allows scripts and styles from 'self' only, plus the style
elements GraphiQL's menus add while open (a scroll lock's rule), which carry the response's
nonce: the page's script gives it to them, as the library's own nonce setting would.
"""

import json
import secrets
from collections.abc import Mapping
from html import escape

from api.playground.assets import EXPLORER, GRAPHIQL, OWN, REACT, REACT_DOM

# Where each response's nonce goes in the page built once (a value no example can hold).
NONCE_SLOT = "\x00nonce\x00"


def graphiql_policy(nonce: str) -> str:
    """GraphiQL's page runs no inline script and loads every file from this server."""
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            f"style-src 'self' 'nonce-{nonce}'",
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


def with_nonce(html: str) -> tuple[str, str]:
    """The page with a fresh nonce in place, and its Content-Security-Policy."""
    nonce = secrets.token_urlsafe(18)
    return html.replace(NONCE_SLOT, nonce), graphiql_policy(nonce)


def _data_block(element_id: str, media_type: str, text: str) -> str:
    # A data block ends at the first `</script`: refuse rather than cut an example short.
    if "</script" in text.lower():
        raise ValueError(f"{element_id} may not contain </script")
    return f'<script type="{media_type}" id="{element_id}">{text}</script>'


def playground_html(
    *,
    document: str,
    variables: Mapping[str, object],
    editor_document: str,
    editor_headers: Mapping[str, str],
) -> str:
    styles = [
        GRAPHIQL.url("graphiql.min.css"),
        EXPLORER.url("dist/style.css"),
        OWN["playground.css"],
    ]
    scripts = [
        REACT.url("umd/react.production.min.js"),
        REACT_DOM.url("umd/react-dom.production.min.js"),
        GRAPHIQL.url("graphiql.min.js"),
        EXPLORER.url("dist/index.umd.js"),
        OWN["playground.js"],
    ]
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            "<title>Newsroom GraphiQL</title>",
            *(f'<link rel="stylesheet" href="{escape(url)}">' for url in styles),
            "</head>",
            "<body>",
            '<div id="graphiql">Loading GraphiQL…</div>',
            _data_block("newsroom-document", "application/graphql", document),
            _data_block("newsroom-variables", "application/json", json.dumps(variables, indent=2)),
            _data_block("newsroom-editor-document", "application/graphql", editor_document),
            _data_block(
                "newsroom-editor-headers", "application/json", json.dumps(editor_headers, indent=2)
            ),
            *(f'<script src="{escape(url)}"></script>' for url in scripts[:-1]),
            # The page's own script hands the nonce to the style elements GraphiQL adds.
            f'<script src="{escape(scripts[-1])}" nonce="{NONCE_SLOT}"></script>',
            "</body>",
            "</html>",
        ]
    )
