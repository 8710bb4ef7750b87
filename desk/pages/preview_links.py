"""An article's shareable preview links (`/desk/articles/{id}/preview-links`): made, copied,
revoked (`cms.preview_links`).

Each link is the site's draft-mode address (`NEWSROOM_PREVIEW_URL`) filled with the article's
slug and a signed token that reads that one article, until it expires or is revoked. Whoever
may open the article may share it so.
"""

from datetime import timedelta
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from cms.access import Permission, may_read
from cms.articles import Article
from cms.clock import utcnow
from cms.preview_links import PreviewLink, create_link, links_of, revoke_link, token_of
from desk.pages.editor import article_named, posted
from desk.refusals import forbidden, not_found
from desk.state import Desk, desk_of
from desk.templates import page
from desk.visitors import Visitor, require


def address(desk: Desk, article: Article, link: PreviewLink) -> str:
    """What to open: the site's draft-mode address with the token, or the token alone."""
    token = token_of(link, desk.secret)
    template = desk.settings.preview_url
    if template is None:
        return token
    return template.format(slug=quote(article.slug, safe=""), token=quote(token, safe=""))


def _check(found: Visitor, article: Article) -> None:
    if not may_read(found.person.actor, created_by=article.created_by_id):
        raise forbidden(
            f"Your role ({found.person.role}) shares the articles you created only; this one is "
            "not one of them."
        )


def _here(article: Article) -> str:
    return f"/desk/articles/{article.id}/preview-links"


async def links_page(request: Request) -> Response:
    found = await require(request)
    article = await article_named(request.path_params["article_id"])
    _check(found, article)
    assert article.id is not None
    desk = desk_of(request)
    links = await links_of(article.id, utcnow())
    notice = {"made": "A new preview link is ready to copy.", "revoked": "Revoked."}.get(
        request.query_params.get("done", "")
    )
    return page(
        "preview_links.html",
        {
            "title": f"Preview links: {article.headline}",
            "here": "articles",
            "visitor": found,
            "article": article,
            "links": [(link, address(desk, article, link)) for link in links],
            "configured": desk.settings.preview_url is not None,
            "hours": desk.settings.preview_link_hours,
            "notice": notice,
        },
    )


async def make(request: Request) -> Response:
    found, _ = await posted(request, Permission.PREVIEW_OWN)
    article = await article_named(request.path_params["article_id"])
    _check(found, article)
    assert article.id is not None
    lifetime = timedelta(hours=desk_of(request).settings.preview_link_hours)
    await create_link(actor=found.person.actor, article_id=article.id, lifetime=lifetime)
    return RedirectResponse(f"{_here(article)}?done=made", 303)


async def revoke(request: Request) -> Response:
    found, _ = await posted(request, Permission.PREVIEW_OWN)
    article = await article_named(request.path_params["article_id"])
    _check(found, article)
    assert article.id is not None
    if not await revoke_link(article_id=article.id, link_id=request.path_params["link_id"]):
        raise not_found("This preview link was revoked already, or never existed.")
    return RedirectResponse(f"{_here(article)}?done=revoked", 303)
