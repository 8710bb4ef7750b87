"""The desk's pages: Jinja2 templates, autoescaped, with what every page needs.

Every value a template shows is escaped unless it is `Markup` made by Newsroom (an article body
rendered with raw HTML escaped, `cms.text.body`). A name a template misspells fails loudly
(`StrictUndefined`) rather than showing nothing.
"""

import json
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse

from cms.status import ArticleStatus
from desk.assets import DESK, HTMX

# Scripts, styles, requests and forms from this server only (images from https addresses too);
# no inline script or style, no frames, no plugins.
POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        # External hero images and images in a body's preview; never scripts or frames.
        "img-src 'self' https:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
# htmx as the policy needs it (read from a meta tag, so no inline script sets it): no `eval`, no
# injected indicator styles, no script tags run from swapped content, requests to this server
# only, no copies of pages kept in localStorage (a shared computer's next user would find them),
# and error pages shown like any other.
HTMX_CONFIG = json.dumps(
    {
        "allowEval": False,
        "allowScriptTags": False,
        "includeIndicatorStyles": False,
        "selfRequestsOnly": True,
        "historyCacheSize": 0,
        "refreshOnHistoryMiss": True,
        "responseHandling": [
            {"code": "204", "swap": False},
            {"code": "[2345]..", "swap": True, "error": False},
        ],
    },
    separators=(",", ":"),
)
STATUS_LABELS = {
    ArticleStatus.DRAFT: "Draft",
    ArticleStatus.REVIEW: "In review",
    ArticleStatus.SCHEDULED: "Scheduled",
    ArticleStatus.PUBLISHED: "Published",
    ArticleStatus.ARCHIVED: "Archived",
}

ENVIRONMENT = Environment(
    loader=PackageLoader("desk", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.globals |= {
    "stylesheet": DESK.own["desk.css"],
    "media_script": DESK.own["media.js"],
    "desk_script": DESK.own["desk.js"],
    "htmx": HTMX.url("dist/htmx.min.js"),
    "htmx_config": HTMX_CONFIG,
    "status_labels": STATUS_LABELS,
}


def render(template: str, context: Mapping[str, Any]) -> str:
    return ENVIRONMENT.get_template(template).render({"visitor": None, "here": "", **context})


def page(
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """A page of the desk, never kept by a cache (it shows what one person may see)."""
    # Every page has the bar: with the person and their Log out button when someone is in.
    return HTMLResponse(
        render(template, context),
        status,
        headers={
            "Content-Security-Policy": POLICY,
            "Cache-Control": "no-store",
            **(headers or {}),
        },
    )
