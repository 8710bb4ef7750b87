"""What the editor asks for as the person types: the body's preview, and tags and articles to
pick by name.

The preview is the API's own rendering of the body's blocks (`cms.text.html`, raw HTML escaped),
so what the editor shows is what readers get, with the body's problems listed above it, each with
its line. An embed shows as a card naming its provider and address (the desk's policy loads no
third-party frames), a library image as the desk's own copy, and a related card as the slug it
names.
"""

from html import escape
from urllib.parse import urlsplit

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from cms.access import Permission, may_read
from cms.authors import Author
from cms.clock import utcnow
from cms.reading.catalog import Catalog
from cms.reading.lookups import all_tags
from cms.search.query import matches
from cms.text import blocks
from cms.text.body import body_blocks
from cms.text.html import block_html
from cms.visibility import Audience
from desk.forms import read_form
from desk.refusals import not_found
from desk.state import desk_of
from desk.templates import POLICY, render
from desk.visitors import check_csrf, require

PICKED = 20
PICKERS = {"tags": "tag", "authors": "author", "related": "article", "not_related": "article"}


def _card(title: str, *lines: str) -> str:
    shown = "".join(f"<span>{escape(line)}</span>" for line in lines)
    named = escape(title)
    return f'<aside class="embed" aria-label="{named}"><strong>{named}</strong>{shown}</aside>\n'


def _image(block: blocks.ImageBlock) -> str:
    caption = f"<figcaption>{escape(block.caption)}</figcaption>" if block.caption else ""
    return (
        f'<figure class="image"><img src="/desk/media/{block.image_id}/original" '
        f'alt="{escape(block.alt)}">{caption}</figure>\n'
    )


def _shown(block: blocks.Block) -> str:
    """A block as the desk shows it: as readers see it, but what the desk may not load."""
    match block:
        case blocks.EmbedBlock(embed=embed, title=title):
            return _card(
                f"Embed from {urlsplit(embed.url).hostname}",
                f"{embed.provider_name}: {title}",
                embed.url,
                "Shown on the site; the desk does not load it.",
            )
        case blocks.ImageBlock():
            return _image(block)
        case blocks.Gallery(images=images, caption=caption):
            inner = "".join(_image(image) for image in images)
            shown = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
            return f'<figure class="gallery">{inner}{shown}</figure>\n'
        case blocks.RelatedCard(slug=slug):
            return _card("Related article", slug, "Left out for readers who may not see it.")
    return block_html(block)


async def preview_html(body: str) -> Markup:
    """The body as readers will see it, embeds as cards, and its problems with their lines."""
    parsed = await body_blocks(body)
    problems = "".join(f"<li>{escape(str(problem))}</li>" for problem in parsed.problems)
    listed = f'<ul class="problem" role="alert">{problems}</ul>\n' if problems else ""
    return Markup(listed + "".join(_shown(block) for block in parsed.blocks))


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
