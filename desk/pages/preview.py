"""What the editor asks for as the person types: the body's preview, and tags and articles to
pick by name.

The preview is the API's own rendering (`cms.text.body`, raw HTML escaped), so what the editor
shows is what readers get. An embed (a link alone in its paragraph, which sites turn into a
player or a post) shows as a card naming where it points: the desk's policy loads no third-party
frames. Images load from https addresses only (the policy's `img-src`).
"""

import re

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from cms.access import Permission, may_read
from cms.authors import Author
from cms.clock import utcnow
from cms.reading.catalog import Catalog
from cms.reading.lookups import all_tags
from cms.search.query import matches
from cms.text.body import BodyFormat, rendered
from cms.visibility import Audience
from desk.forms import read_form
from desk.refusals import not_found
from desk.state import desk_of
from desk.templates import POLICY, render
from desk.visitors import check_csrf, require

# A paragraph that is only an address, bare or as an autolink: an embed.
_EMBED = re.compile(
    r'<p>(?:<a href="(?P<link>https?://[^"<>\s]+)">[^<]*</a>|(?P<bare>https?://[^\s<>"]+))</p>'
)
PICKED = 20
PICKERS = {"tags": "tag", "authors": "author", "related": "article", "not_related": "article"}


def _card(found: re.Match[str]) -> str:
    address = found.group("link") or found.group("bare")
    host = re.sub(r"^https?://([^/?#]+).*$", r"\1", address)
    return (
        '<aside class="embed" aria-label="Embedded content">'
        f"<strong>Embed from {host}</strong>"
        f"<span>{address}</span>"
        "<span>Shown on the site; the desk does not load it.</span></aside>"
    )


async def preview_html(body: str) -> Markup:
    """The body as readers will see it, embeds as cards."""
    html = await rendered(body, BodyFormat.HTML)  # everything in it escaped by the renderer
    return Markup(_EMBED.sub(_card, html))


def fragment(html: str) -> Response:
    return HTMLResponse(
        html, headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-store"}
    )


async def preview(request: Request) -> Response:
    found = await require(request, Permission.WRITE_OWN)
    desk = desk_of(request)
    form = await read_form(request, limit=desk.settings.editor_max_body_bytes)
    check_csrf(desk, found.session.id, form.get("csrf"))
    return fragment(str(await preview_html(form.get("body", "").replace("\r\n", "\n"))))


async def pick(request: Request) -> Response:
    """Tags or authors (by name) or articles (by the search index) matching what was typed, as
    boxes to tick into the form's list."""
    found = await require(request, Permission.WRITE_OWN)
    field = request.path_params["field"]
    if field not in PICKERS:
        raise not_found()
    typed = request.query_params.get(f"find_{field}", "").strip()[:200]
    catalog: Catalog = request.app.state.catalog
    options: list[tuple[str, str]] = []
    if typed and PICKERS[field] == "tag":
        wanted = typed.casefold()
        tags = sorted((await all_tags(catalog)).values(), key=lambda tag: tag.name.casefold())
        options = [
            (tag.slug, tag.name)
            for tag in tags
            if wanted in tag.name.casefold() or wanted in tag.slug
        ][:PICKED]
    elif typed and PICKERS[field] == "author":
        wanted = typed.casefold()
        people = await Author.find_all().sort("name").to_list()
        options = [
            (author.slug, author.name)
            for author in people
            if wanted in author.name.casefold() or wanted in author.slug
        ][:PICKED]
    elif typed:
        now = utcnow()
        actor = found.person.actor
        scores = await matches(typed)
        for article_id in sorted(scores, key=lambda key: -scores[key]):
            entry = catalog.get(article_id)
            if entry is None:
                continue
            if entry.readable(Audience.PUBLIC, now) or may_read(actor, created_by=entry.creator):
                options.append((entry.slug, entry.headline))
            if len(options) == PICKED:
                break
    return fragment(render("picked.html", {"field": field, "options": options, "typed": typed}))
