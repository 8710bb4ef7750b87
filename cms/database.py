"""The document registry and opening the store: every document class, Beanie bound to them.

The connection itself (MongoDB or the embedded server) is `cms.store.connection`; this module sits
above every module that declares a document, which `cms.store` must not import.
"""

import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

from beanie import Document, init_beanie
from beanie.odm.fields import IndexedAnnotation
from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.monitoring import CommandListener

from cms import followers
from cms.articles import Article
from cms.authors import Author
from cms.config import Settings
from cms.engagement.feedback import Feedback
from cms.engagement.rate_limits import RateWindow
from cms.engagement.ratings import ArticleRating
from cms.engagement.vote_days import VoteDay
from cms.engagement.votes import Vote
from cms.media import files
from cms.media.model import LibraryImage, PendingFile
from cms.media.renditions import StoredRendition
from cms.people.accounts import Person
from cms.people.links import PasswordLink
from cms.people.sessions import DeskSession
from cms.persisted_documents import DocumentUsage, PersistedDocument
from cms.preview_links import PreviewLink
from cms.redirects import Redirect
from cms.related import store as related_store
from cms.revisions import Revision
from cms.spine.arrivals import Arrival, Departure
from cms.spine.events import Counter, EventId, StoredEvent
from cms.spine.journal import Operation
from cms.spine.liveness import Process
from cms.spine.loads import Load, LoadChunk
from cms.spine.reader_positions import ReaderPosition
from cms.store.connection import Store, connect
from cms.tags import Tag
from cms.tokens import ApiToken
from cms.webhooks.models import Attempt, Delivery, Endpoint, QueuedDelivery

log = logging.getLogger(__name__)

DOCUMENT_MODELS: list[type[Document]] = [
    Article,
    Tag,
    Author,
    ArticleRating,
    Vote,
    VoteDay,
    Feedback,
    RateWindow,
    Revision,
    Arrival,
    Departure,
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
    Person,
    DeskSession,
    PasswordLink,
    LibraryImage,
    PendingFile,
    StoredRendition,
    PreviewLink,
    Redirect,
]


async def _unique_indexes(database: AsyncDatabase[dict[str, Any]]) -> None:
    """The unique indexes the documents declare (`Indexed(unique=True)`), and only those."""
    for model in DOCUMENT_MODELS:
        collection = database[model.get_pymongo_collection().name]
        for name, field in model.model_fields.items():
            for marker in field.metadata:
                if isinstance(marker, IndexedAnnotation) and marker._indexed[1].get("unique"):
                    await collection.create_index(name, unique=True)


def declared_indexes() -> dict[str, list[tuple[str, ...]]]:
    """Every index `cms` declares, by collection: each as its key fields in order.

    `_id` is indexed in every collection (MongoDB makes it), so it is listed for the documents'
    collections and is implied for the rest (the search index's and related lists' documents,
    read by `_id`; the related profiles also by time). On the embedded store only the unique
    ones are made; the test of hot queries (`tests/test_indexes.py`) holds every query to this
    list on both stores.
    """
    found: dict[str, list[tuple[str, ...]]] = {}
    for model in DOCUMENT_MODELS:
        keys = found.setdefault(model.get_pymongo_collection().name, [("_id",)])
        for name, field in model.model_fields.items():
            if any(isinstance(marker, IndexedAnnotation) for marker in field.metadata):
                keys.append((field.alias or name,))
        declared: list[IndexModel] = getattr(getattr(model, "Settings", None), "indexes", [])
        keys.extend(tuple(index.document["key"]) for index in declared)
    for collection, indexes in files.bucket_indexes(embedded=False).items():
        found.setdefault(collection, [("_id",)]).extend(
            tuple(index.document["key"]) for index in indexes
        )
    found.setdefault(related_store.PROFILES, [("_id",)]).extend(
        tuple(index.document["key"]) for index in related_store.PROFILE_INDEXES
    )
    return found


@contextlib.asynccontextmanager
async def open_store(
    settings: Settings, *, event_listeners: Sequence[CommandListener] = ()
) -> AsyncIterator[Store]:
    """Connect, initialise Beanie (creating any missing index), and close on exit.

    Opening the store readies this process to write, so the followers that run inside every
    write (`cms.followers`) are installed here: no process (the app, the CLI, a script, a test)
    can write without them.
    """
    async with connect(
        settings.mongodb_uri,
        database=settings.database,
        data_dir=settings.data_dir,
        timeout=settings.store_timeout,
        event_listeners=event_listeners,
    ) as store:
        # mongoeco's planner uses no secondary index but unique ones' checks, and maintains
        # each on every write to the database: on it, only the unique ones are made.
        await init_beanie(
            database=store.database, document_models=DOCUMENT_MODELS, skip_indexes=store.mongoeco
        )
        if store.mongoeco:
            await _unique_indexes(store.database)
        else:
            await related_store.ensure_indexes(store.database)
        await files.ensure_indexes(store.database, embedded=store.mongoeco)
        followers.follow_writes()
        log.info("Using %s, database %r", store.description, settings.database)
        yield store
