"""Connecting to the store: MongoDB when a URI is configured, the embedded server otherwise."""

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from beanie import Document, init_beanie
from beanie.odm.fields import IndexedAnnotation
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.monitoring import CommandListener

from cms.arrivals import Arrival
from cms.articles import Article
from cms.config import Settings
from cms.documents import DocumentUsage, PersistedDocument
from cms.events import Counter, EventId, StoredEvent
from cms.feedback import Feedback
from cms.journal import Operation
from cms.liveness import Process
from cms.loads import Load, LoadChunk
from cms.ratelimits import RateWindow
from cms.ratings import ArticleRating
from cms.readers import ReaderPosition
from cms.revisions import Revision
from cms.store import batches
from cms.store.datadir import STORE_FILE
from cms.store.embedded import supervised_server
from cms.store.supervisor import Supervisor
from cms.tags import Tag
from cms.tokens import ApiToken
from cms.votes import Vote
from cms.webhooks.models import Attempt, Delivery, Endpoint, QueuedDelivery

log = logging.getLogger(__name__)

DOCUMENT_MODELS: list[type[Document]] = [
    Article,
    Tag,
    ArticleRating,
    Vote,
    Feedback,
    RateWindow,
    Revision,
    Arrival,
    ApiToken,
    Operation,
    Process,
    Load,
    LoadChunk,
    StoredEvent,
    EventId,
    Counter,
    PersistedDocument,
    DocumentUsage,
    ReaderPosition,
    Endpoint,
    Delivery,
    QueuedDelivery,
    Attempt,
]


async def _unique_indexes(database: AsyncDatabase[dict[str, Any]]) -> None:
    """The unique indexes the documents declare (`Indexed(unique=True)`), and only those."""
    for model in DOCUMENT_MODELS:
        collection = database[model.get_pymongo_collection().name]
        for name, field in model.model_fields.items():
            for marker in field.metadata:
                if isinstance(marker, IndexedAnnotation) and marker._indexed[1].get("unique"):
                    await collection.create_index(name, unique=True)


@dataclass(frozen=True, slots=True)
class Store:
    client: AsyncMongoClient[dict[str, Any]]
    database: AsyncDatabase[dict[str, Any]]
    description: str
    supervisor: Supervisor | None = None

    async def ping(self) -> None:
        await self.database.command("ping")

    @property
    def failure(self) -> str | None:
        """Why the embedded store is no longer restarted, if it has been given up."""
        return self.supervisor.failure if self.supervisor is not None else None


def _describe(uri: str) -> str:
    """The server's hosts, without credentials, for logs (no DNS lookup, unlike parse_uri)."""
    hosts = urlsplit(uri).netloc.rpartition("@")[2]
    return f"MongoDB at {hosts}"


def _timeouts(uri: str, seconds: float) -> dict[str, Any]:
    """How long to wait for a store that is down or hung: `store_timeout`, unless the URI says.

    Finding a server and opening a connection (its handshake included) give up after it, not
    after PyMongo's 30 s and 20 s; a command on a connection the store dropped fails at once.
    The server is also checked that often (not every 10 s), so that commands waiting on a store
    that stopped answering are cut off within about twice the timeout. No socket or operation
    timeout: a burst of requests queued behind each other, or a long CLI batch, is slow, not an
    outage.
    """
    given = {name.lower() for name in parse_qs(urlsplit(uri).query)}
    milliseconds = round(seconds * 1000)
    wanted = {
        "serverSelectionTimeoutMS": milliseconds,
        "connectTimeoutMS": milliseconds,
        "heartbeatFrequencyMS": max(milliseconds, 500),  # PyMongo's minimum
    }
    return {name: value for name, value in wanted.items() if name.lower() not in given}


@contextlib.asynccontextmanager
async def open_store(
    settings: Settings, *, event_listeners: Sequence[CommandListener] = ()
) -> AsyncIterator[Store]:
    """Connect, initialise Beanie (creating any missing index), and close on exit."""
    async with contextlib.AsyncExitStack() as stack:
        supervisor = None
        if settings.mongodb_uri:
            uri = settings.mongodb_uri
            description = _describe(uri)
        else:
            uri, supervisor = await stack.enter_async_context(supervised_server(settings.data_dir))
            description = f"embedded store at {settings.data_dir / STORE_FILE}"
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            uri,
            tz_aware=True,
            event_listeners=list(event_listeners),
            **_timeouts(uri, settings.store_timeout),
        )
        stack.push_async_callback(client.close)
        database = client[settings.database]
        # The embedded store (or any mongoeco server a URI names) says so in `buildInfo`.
        build = await client.admin.command("buildInfo")
        mongoeco = build.get("gitVersion") == "mongoeco"
        batches.fetch_by_key(mongoeco)
        # mongoeco's planner uses no secondary index but unique ones' checks, and maintains
        # each on every write to the database: on it, only the unique ones are made.
        await init_beanie(database=database, document_models=DOCUMENT_MODELS, skip_indexes=mongoeco)
        if mongoeco:
            await _unique_indexes(database)
        log.info("Using %s, database %r", description, settings.database)
        yield Store(
            client=client, database=database, description=description, supervisor=supervisor
        )
