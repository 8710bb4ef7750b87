"""Feeds at `/feeds/...` and sitemaps at `/sitemaps/...`, through the response cache.

What each says is built in `cms.distribution` from the catalog; here it is answered as any cached
GraphQL answer is: from the process's response cache when it holds it (tagged with what it shows,
so the same events purge it), with `ETag`, `Last-Modified`, `Cache-Control` and the cache tags as
`Surrogate-Key`; `If-None-Match` or `If-Modified-Since` that match get `304`, and `HEAD` the
headers alone. The query string says nothing but `?page=` (a month's sitemap past its first
page): any other part is ignored, and a page that is not a positive integer in range is 404.
"""

import re
from email.utils import parsedate_to_datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from api.http.cache import etag_of, request_key
from api.http.responder import Responder, caching_headers, not_modified
from cms.clock import utcnow
from cms.distribution.documents import build, media_type
from cms.distribution.text import http_date
from web.headers import etags

# As many digits as any page count the settings allow (50,000 URLs a page, 10^6 pages).
_PAGE = re.compile(r"[1-9][0-9]{0,5}")


def _not_found() -> Response:
    return PlainTextResponse(
        "Not found: no such feed or sitemap.\n", 404, headers={"Cache-Control": "no-store"}
    )


async def serve(request: Request) -> Response:
    pages = request.query_params.getlist("page")
    if len(pages) > 1 or (pages and not _PAGE.fullmatch(pages[0])):
        return _not_found()
    page = int(pages[0]) if pages else 1
    path = request.url.path
    responder: Responder = request.app.state.responder
    cache = responder.cache
    key = request_key("distribution", path, page)
    entry = cache.get(key) if cache is not None else None
    if entry is not None:
        body, etag, tags, modified, hit = entry.body, entry.etag, entry.tags, entry.modified, True
    else:
        since = cache.clock if cache is not None else 0
        now = utcnow()
        built = await build(request.app.state.catalog, responder.settings, path, page, now)
        if built is None:
            return _not_found()
        modified = http_date(built.modified) if built.modified is not None else None
        ttl = (built.expires - now).total_seconds() if built.expires is not None else None
        if cache is not None:
            entry = cache.put(key, built.body, built.tags, since=since, ttl=ttl, modified=modified)
            body, etag, tags, hit = entry.body, entry.etag, entry.tags, False
        else:
            body, tags, hit = built.body, built.tags, False
            etag = etag_of(built.body)
    headers = caching_headers(responder.settings, etag=etag, tags=tags)
    headers["X-Cache"] = "HIT" if hit else "MISS"
    if modified is not None:
        headers["Last-Modified"] = modified
    response = Response(
        body if request.method == "GET" else b"",
        media_type=f"{media_type(path)}; charset=utf-8",
        headers=headers,
    )
    if request.method == "HEAD":
        response.headers["Content-Length"] = str(len(body))
    if _fresh(request, etag, modified):
        return not_modified(response)
    return response


def _fresh(request: Request, etag: str, modified: str | None) -> bool:
    """Whether the client's copy is current (`If-None-Match` first, as RFC 9110 says)."""
    if "if-none-match" in request.headers:
        return etag in etags(request.headers["if-none-match"])
    since = request.headers.get("if-modified-since")
    if since is None or modified is None:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


ROUTES: list[BaseRoute] = [
    Route("/feeds/{path:path}", serve, methods=["GET"]),
    Route("/sitemaps/{path:path}", serve, methods=["GET"]),
]
