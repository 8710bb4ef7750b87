"""What every resolver receives: the request, the caller's identity and per-audience loaders."""

import asyncio
from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from api.http.cache import Tags
from api.loaders import Loaders
from api.settings import Settings
from api.voters import Visitor
from cms import preview_links, tokens
from cms.access import Actor
from cms.reading.catalog import Catalog
from cms.visibility import Audience


@dataclass
class Viewer:
    """Who is asking: the bearer token the request carried, checked once and only if needed.

    Public reads never look at the token, so a request with one costs no store round trip
    unless it asks for something a token unlocks.
    """

    token: str | None = None
    _actor: "asyncio.Future[Actor | None] | None" = field(default=None, repr=False)
    _grant: "asyncio.Future[preview_links.Grant | None] | None" = field(default=None, repr=False)

    @classmethod
    def from_headers(
        cls, authorization: str | None, *, checked: tuple[bool, Actor | None] = (False, None)
    ) -> "Viewer":
        """The viewer of a request; `checked` is what the edge found of its token, if it looked
        (`web.editors`), so that the store is not asked twice."""
        if not authorization:
            return cls()
        scheme, _, credentials = authorization.partition(" ")
        # A header that is not `Bearer <something>` is a token that cannot be valid.
        viewer = cls(token=credentials.strip() if scheme.lower() == "bearer" else "")
        looked, actor = checked
        if looked:
            viewer._actor = asyncio.get_running_loop().create_future()
            viewer._actor.set_result(actor)
        return viewer

    @property
    def has_token(self) -> bool:
        return self.token is not None

    @property
    def holds_preview_link(self) -> bool:
        """Whether the token is meant as a shareable preview link (`cms.preview_links`)."""
        return self.token is not None and preview_links.is_preview_token(self.token)

    async def preview_grant(self, secret: str) -> preview_links.Grant | None:
        """The one article a preview link's token reads; None for any other token, or an
        invalid, expired or revoked link."""
        if self.token is None or not self.holds_preview_link:
            return None
        if self._grant is None:
            self._grant = asyncio.ensure_future(preview_links.verify(self.token, secret=secret))
        return await self._grant

    async def actor(self) -> Actor | None:
        """The token's actor; None without a token or with a wrong, revoked or malformed one."""
        if self.token is None:
            return None
        if self._actor is None:
            self._actor = asyncio.ensure_future(tokens.authenticate(self.token))
        return await self._actor


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | None
    catalog: Catalog = field(default_factory=Catalog)
    viewer: Viewer = field(default_factory=Viewer)
    # The most a query may cost (`api/extensions/cost.py`); None: no limit.
    max_cost: int | None = None
    # What the answer read, for the response cache (`api/http/cache.py`).
    tags: Tags = field(default_factory=Tags)
    _loaders: dict[Audience, Loaders] = field(default_factory=dict)
    _visitor: Visitor | None = field(default=None, repr=False)

    @property
    def settings(self) -> Settings:
        """The settings the app was created with."""
        settings: Settings = self.request.app.state.settings
        return settings

    def visitor(self) -> Visitor:
        """The anonymous reader behind the request, worked out once, when first needed."""
        if self._visitor is None:
            self._visitor = Visitor.of(self.request, self.response, self.settings)
        return self._visitor

    def loaders_for(self, audience: Audience) -> Loaders:
        """The loaders for one audience: a preview never shares a cache with the public."""
        if audience not in self._loaders:
            self._loaders[audience] = Loaders(audience, self.catalog, self.tags)
        return self._loaders[audience]

    def forget_loaded(self) -> None:
        """Start afresh: a subscription resolves each update with its connection's context,
        and what was loaded for an earlier update may have changed since."""
        self._loaders.clear()

    @property
    def loaders(self) -> Loaders:
        """The public loaders: what anonymous readers, and token holders not previewing, see."""
        return self.loaders_for(Audience.PUBLIC)


Info = strawberry.Info[Context, None]
