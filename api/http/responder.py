"""Answering a query from the response cache, persisted queries, and HTTP caching headers.

Before any GraphQL runs: a persisted query's hash is resolved to its document (and a document
sent with its hash kept, as `NEWSROOM_PERSISTED_QUERIES` allows), and an anonymous
query is looked up in the process's response cache (`api/http/cache.py`) by the request as sent. A
hit is bytes: no parsing, no resolvers, no store. A miss runs, and a successful answer to a
query is kept, tagged with what it read. GET answers carry a strong `ETag` (and a matching
`If-None-Match` gets `304 Not Modified`), `Cache-Control` for browsers and CDNs, and the
entry's tags as `Surrogate-Key` and `Cache-Tag`, so a CDN can purge by tag too.
"""

import functools
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace

from graphql import GraphQLSyntaxError, OperationType, parse
from graphql.utilities import get_operation_ast
from starlette.requests import Request
from starlette.responses import Response

from api.client_files import operation_files
from api.context import Viewer
from api.http.cache import ResponseCache, request_key
from api.http.request import GraphQLRequest, persisted_hash
from api.metrics import RATE_LIMIT_HITS
from api.settings import Settings
from cms import persisted_documents
from cms.access import Permission
from cms.cache_tags import SITE
from cms.clock import utcnow
from cms.engagement import rate_limits
from cms.engagement.rate_limits import Limit
from cms.errors import RateLimitedError
from web.codes import RequestCode
from web.forwarded import client_address
from web.headers import etags
from web.refusals import Refusal

# Hashes this process already resolved (the store keeps them for every process).
KNOWN_DOCUMENTS = 2048


@functools.lru_cache(maxsize=1024)
def _is_query(document: str, operation_name: str | None) -> bool:
    try:
        operation = get_operation_ast(parse(document), operation_name)
    except GraphQLSyntaxError:
        return False
    return operation is not None and operation.operation is OperationType.QUERY


class Documents:
    """Persisted documents by hash: this process's recent ones, then the store's."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._known: OrderedDict[str, str] = OrderedDict()
        # When this process last noted in the store that it served each untrusted document.
        self._touched: dict[str, float] = {}
        # Once trusted, a document stays trusted: remembered, not asked again. The example
        # operations (examples/operations) are trusted as shipped.
        self._trusted: set[str] = {
            persisted_documents.digest(text) for text in operation_files().values()
        }

    async def text(self, sha256: str) -> str | None:
        if sha256 in self._known:
            self._known.move_to_end(sha256)
            await self._touch(sha256)
            return self._known[sha256]
        found = await persisted_documents.lookup(sha256)
        if found is None:
            return None
        self._remember(sha256, found.text)
        if found.trusted:
            self._trusted.add(sha256)
        else:
            # Read just now: the stamp needs a write only if the store's is old.
            self._touched[sha256] = time.monotonic()
            if (
                found.used_at is None
                or utcnow() - found.used_at > persisted_documents.TOUCH_INTERVAL
            ):
                await persisted_documents.touch(sha256)
        return found.text

    async def _touch(self, sha256: str) -> None:
        """At most one write per document and TOUCH_INTERVAL from this process."""
        if sha256 in self._trusted or self.settings.persisted_queries_mode != "bounded":
            return
        now = time.monotonic()
        if (
            now - self._touched.get(sha256, 0.0)
            > persisted_documents.TOUCH_INTERVAL.total_seconds()
        ):
            self._touched[sha256] = now
            await persisted_documents.touch(sha256)

    def known(self, sha256: str) -> bool:
        return sha256 in self._known

    def _remember(self, sha256: str, text: str) -> None:
        self._known[sha256] = text
        while len(self._known) > KNOWN_DOCUMENTS:
            forgotten, _ = self._known.popitem(last=False)
            self._touched.pop(forgotten, None)

    async def register(self, text: str, *, trusted: bool = False) -> str:
        sha256 = await persisted_documents.register(text, trusted=trusted)
        self._remember(sha256, text)
        self._touched[sha256] = time.monotonic()
        if trusted:
            self._trusted.add(sha256)
        return sha256

    async def trusted(self, sha256: str) -> bool:
        if sha256 not in self._trusted:
            found = await persisted_documents.lookup(sha256)
            if found is None or not found.trusted:
                return False
            self._trusted.add(sha256)
        return True


class Responder:
    """What the view asks before running a request, and what it does with the answer."""

    def __init__(self, settings: Settings, cache: ResponseCache | None) -> None:
        self.settings = settings
        self.cache = cache
        self.documents = Documents(settings)

    async def resolve(
        self, request: Request, graphql_request: GraphQLRequest
    ) -> tuple[GraphQLRequest, str]:
        """The request with its document (looked up by hash if sent alone), and its hash."""
        sha256 = persisted_hash(graphql_request.extensions)
        if sha256 is None:
            digest = persisted_documents.digest(graphql_request.query)
            await self.check_trusted(digest)
            return graphql_request, digest
        if not graphql_request.query:
            text = await self.documents.text(sha256)
            if text is None:
                raise _persisted_not_found()
            await self.check_trusted(sha256)
            return replace(graphql_request, query=text), sha256
        if persisted_documents.digest(graphql_request.query) != sha256:
            raise Refusal(
                400,
                RequestCode.PERSISTED_QUERY_HASH_MISMATCH,
                "`extensions.persistedQuery.sha256Hash` is not the SHA-256 of `query`.",
            )
        await self._keep(request, graphql_request, sha256)
        return graphql_request, sha256

    async def _keep(self, request: Request, graphql_request: GraphQLRequest, sha256: str) -> None:
        """Register a document sent with its hash, as the server's mode allows."""
        mode = self.settings.persisted_queries_mode
        if mode == "trusted":
            if await self.documents.trusted(sha256):
                return
            # An editor's or admin's request registers the document for everyone.
            if not await _is_editor(request):
                raise _not_trusted()
            await self.documents.register(graphql_request.query, trusted=True)
            return
        if self.documents.known(sha256) or not _is_query(
            graphql_request.query, graphql_request.operation_name
        ):
            return
        if mode == "bounded":
            if not await self._may_add(request):
                return  # it runs all the same; it is just not kept
            await self.documents.register(graphql_request.query)
            settings = self.settings
            await persisted_documents.evict(
                max_count=settings.persisted_queries_max_count,
                max_bytes=settings.persisted_queries_max_bytes,
            )
            return
        await self.documents.register(graphql_request.query)

    async def _may_add(self, request: Request) -> bool:
        """Whether this client address may have one more document kept, now."""
        settings = self.settings
        limit = Limit(
            "documents:address", settings.persisted_queries_per_address, settings.rate_limit_window
        )
        address = client_address(request, settings.trusted_proxies)
        try:
            await rate_limits.take(
                [(limit, address)], secret=settings.secret_key.get_secret_value()
            )
        except RateLimitedError:
            RATE_LIMIT_HITS.labels(scope="documents").inc()
            return False
        return True

    async def check_trusted(self, sha256: str) -> None:
        if self.settings.persisted_queries_mode == "trusted" and not await self.documents.trusted(
            sha256
        ):
            raise _not_trusted()

    def key(
        self, request: Request, graphql_request: GraphQLRequest, sha256: str, media: str
    ) -> str | None:
        """The cache key for an anonymous request; None for one that is never cached."""
        if self.cache is None or "authorization" in request.headers:
            return None
        return request_key(sha256, graphql_request.operation_name, graphql_request.variables, media)

    def cacheable(self, graphql_request: GraphQLRequest, response: Response) -> bool:
        return (
            response.status_code == 200
            and "no-store" not in response.headers.get("cache-control", "")
            and _is_query(graphql_request.query, graphql_request.operation_name)
        )

    def decorate(
        self, request: Request, response: Response, *, etag: str, tags: frozenset[str], hit: bool
    ) -> Response:
        """HTTP caching headers for an anonymous query's answer; 304 when the client has it."""
        response.headers["X-Cache"] = "HIT" if hit else "MISS"
        if request.method != "GET":
            return response
        response.headers.update(caching_headers(self.settings, etag=etag, tags=tags))
        if etag in etags(request.headers.get("if-none-match", "")):
            return not_modified(response)
        return response


def caching_headers(settings: Settings, *, etag: str, tags: Iterable[str]) -> dict[str, str]:
    """`ETag`, `Cache-Control` for browsers and CDNs, and the cache tags for CDNs to purge by
    (`site` with them: purging it purges everything Newsroom answered)."""
    directives = [f"public, max-age={settings.cache_max_age}"]
    if settings.cache_s_maxage is not None:
        directives.append(f"s-maxage={settings.cache_s_maxage}")
    if settings.cache_stale_while_revalidate:
        directives.append(f"stale-while-revalidate={settings.cache_stale_while_revalidate}")
    ordered = sorted({*tags, SITE})
    return {
        "ETag": etag,
        "Cache-Control": ", ".join(directives) if settings.cache_max_age else "no-cache",
        "Surrogate-Key": " ".join(ordered),
        "Cache-Tag": ",".join(ordered),
    }


def not_modified(response: Response) -> Response:
    headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
    return Response(status_code=304, headers=headers)


def _not_trusted() -> Refusal:
    return Refusal(
        400,
        RequestCode.DOCUMENT_NOT_TRUSTED,
        "This server runs trusted documents only; this one is not among them.",
    )


async def _is_editor(request: Request) -> bool:
    """Whether the request carries a valid token of an editor or admin."""
    actor = await Viewer.from_headers(request.headers.get("authorization")).actor()
    return actor is not None and actor.can(Permission.EDIT)


def _persisted_not_found() -> Refusal:
    # Apollo's clients look for this code, then send the document with its hash.
    return Refusal(200, RequestCode.PERSISTED_QUERY_NOT_FOUND, "PersistedQueryNotFound")
