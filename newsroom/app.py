"""The app `newsroom serve` runs: every face of Newsroom, mounted on the web edge.

This is the composition root, above `api`, `desk` and `web`: the faces are named here and handed
to `web.app.create_app`, so that no face imports another and `web` imports none (the import-linter
contracts in `pyproject.toml`). `NEWSROOM_DESK=off` leaves the desk out: neither its pages nor its
files are routed.
"""

from collections.abc import Sequence

from pymongo.monitoring import CommandListener
from starlette.applications import Starlette

from api.http.face import graphql_face
from api.settings import Settings, get_settings
from desk.face import desk_face
from web import app as web


def create_app(
    settings: Settings | None = None, *, event_listeners: Sequence[CommandListener] = ()
) -> Starlette:
    """Build the app (uvicorn calls this with no arguments in each worker)."""
    settings = settings or get_settings()
    faces = [graphql_face(settings)]
    if settings.desk:
        faces.append(desk_face(settings))
    return web.create_app(settings, faces, event_listeners=event_listeners)
