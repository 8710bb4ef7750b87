"""What every resolver receives: the request, its DataLoaders and the caller's identity."""

from dataclasses import dataclass, field

import strawberry
from starlette.requests import Request
from starlette.responses import Response
from starlette.websockets import WebSocket

from api.loaders import Loaders


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking. Everyone is an anonymous reader until editor tokens arrive."""

    kind: str = "anonymous"
    id: str | None = None


@dataclass
class Context:
    request: Request | WebSocket
    response: Response | None
    viewer: Viewer = field(default_factory=Viewer)
    loaders: Loaders = field(default_factory=Loaders)


Info = strawberry.Info[Context, None]
