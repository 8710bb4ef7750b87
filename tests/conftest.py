"""One wire server for the session, a clean database per test, the app over real HTTP."""

import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandListener

from api.settings import Settings
from cms.access import TOKEN_ROLES
from cms.store.embedded import embedded_server
from cms.tokens import create_token
from newsroom.app import create_app
from tests.cli import load_counts, newsroom
from tests.factories import FACTORY
from tests.graphql_client import CommandCounter, GraphQLClient

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
async def mongodb_uri(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """`MONGODB_URI` when set (a real MongoDB), else an embedded mongoeco server over a socket."""
    configured = os.environ.get("MONGODB_URI") or os.environ.get("NEWSROOM_MONGODB_URI")
    if configured:
        yield configured
        return
    async with embedded_server(tmp_path_factory.mktemp("store")) as uri:
        yield uri


@pytest.fixture
async def settings(mongodb_uri: str, tmp_path: Path) -> AsyncIterator[Settings]:
    """Settings for a database of this test's own, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    yield Settings(
        mongodb_uri=mongodb_uri,
        database=name,
        data_dir=tmp_path / "data",
        # Scheduled articles are announced within a tenth of a second, not a second.
        arrival_check_interval=0.1,
    )
    cleaner: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongodb_uri)
    try:
        await cleaner.drop_database(name)
    finally:
        await cleaner.close()


@pytest.fixture
def commands() -> CommandCounter:
    return CommandCounter()


@contextlib.asynccontextmanager
async def serving(
    settings: Settings,
    *,
    peer: tuple[str, int] = ("127.0.0.1", 123),
    base_url: str = "http://newsroom.test",
    event_listeners: Sequence[CommandListener] = (),
) -> AsyncIterator[GraphQLClient]:
    """The ASGI app with its lifespan (so Beanie is bound to the settings' database), reached
    from the TCP peer `peer`."""
    app = create_app(settings, event_listeners=event_listeners)
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=120) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=peer)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            yield GraphQLClient(http, app=app)


@pytest.fixture
async def client(settings: Settings, commands: CommandCounter) -> AsyncIterator[GraphQLClient]:
    async with serving(settings, event_listeners=[commands]) as client:
        yield client


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    """The environment a user's shell would give `newsroom` to reach this test's database."""
    assert settings.mongodb_uri is not None
    return {
        **os.environ,
        "NEWSROOM_MONGODB_URI": settings.mongodb_uri,
        "NEWSROOM_DATABASE": settings.database,
        "NEWSROOM_DATA_DIR": str(settings.data_dir),
        "COLUMNS": "200",
    }


@dataclass(frozen=True)
class Tokens:
    """One token per role, made for the test that asks."""

    previewer: str
    editor: str
    admin: str


@pytest.fixture
async def tokens(client: GraphQLClient) -> Tokens:
    made = {}
    for role in TOKEN_ROLES:
        _, made[role.value] = await create_token(
            actor=FACTORY, name=f"{role.value}-token", role=role
        )
    return Tokens(**made)


@pytest.fixture
def editor(client: GraphQLClient, tokens: Tokens) -> GraphQLClient:
    return client.as_token(tokens.editor)


@pytest.fixture
def previewer(client: GraphQLClient, tokens: Tokens) -> GraphQLClient:
    return client.as_token(tokens.previewer)


@pytest.fixture
async def demo(cli_env: dict[str, str], client: GraphQLClient) -> GraphQLClient:
    """The demo fixtures, loaded with the real CLI into this test's database."""
    result = newsroom("fixtures", "load", str(REPO / "fixtures"), env=cli_env)
    assert result.returncode == 0, result.stderr
    created, _, _ = load_counts(result.stdout, "articles")
    assert created >= 30
    return client
