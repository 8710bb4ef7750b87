"""The embedded store: mongoeco's MongoDB wire-protocol server on a SQLite file.

It runs in a child process (`python -m cms.store.embedded DATA_DIR`) so that it uses the second
core instead of the API's event loop, and it is reached over a socket exactly as MongoDB is.
One server serves a data directory: a second Newsroom process (the CLI while `serve` runs, say)
finds the running one through a lock file and connects to it instead of opening the file twice.
The child exits when its parent closes its stdin (once no other process uses it), so it never
outlives the processes that need it; if it dies, they start it again (`cms.store.supervisor`).
It is private to its owner: a 0700 directory, 0600 files, and a password on every connection
(`cms.store.datadir`).
"""

import argparse
import asyncio
import contextlib
import copy
import errno
import fcntl
import functools
import json
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from cms.store.datadir import (
    HOST,
    LOCK_FILE,
    MECHANISM,
    STORE_FILE,
    URI_FILE,
    USER,
    USERS_FILE,
    Endpoint,
    lock,
    make_private,
    open_private,
    write_uri,
)
from cms.store.outages import StoreUnavailableError
from cms.store.storefile import RESTORE, StoreFileError, check_store_file
from cms.store.supervisor import Supervisor

type _Make = Callable[[Callable[..., Any]], Callable[..., Any]]


def _patch(owner: object, name: str, make: _Make) -> None:
    """Replace mongoeco's `owner.<name>` with `make(original)`, once per process."""
    original = getattr(owner, name)
    if getattr(original, "_newsroom_patched", False):
        return
    replacement = make(original)
    replacement._newsroom_patched = True  # type: ignore[attr-defined]
    setattr(owner, name, replacement)


def _patch_engine(name: str, make: _Make) -> None:
    """Replace mongoeco's `SQLiteEngine.<name>` with `make(original)`, once per process."""
    from mongoeco.engines.sqlite import SQLiteEngine

    _patch(SQLiteEngine, name, make)


def patch_mongoeco_insert_scan() -> None:
    """Stop mongoeco 4.11 from scanning the whole collection on every insert.

    mongoeco re-checks `_id` equality across numeric types by decoding every stored document,
    even for ObjectId and string ids, which can never equal a number: inserts cost O(collection)
    (214 ms each at 10k documents). MongoDB needs no such scan. Only ids that contain a number
    keep the scan. mongoeco is pinned exactly because this wraps a private method;
    tests/test_embedded_store.py fails if the scan comes back.
    """
    from mongoeco.core.identity import id_contains_numeric_value

    def make(original: Callable[..., None]) -> Callable[..., None]:
        def validate(self: Any, db_name: str, coll_name: str, document: Any, **kwargs: Any) -> None:
            if kwargs.get("scan_payload_id") and not id_contains_numeric_value(document.get("_id")):
                kwargs["scan_payload_id"] = False
            original(self, db_name, coll_name, document, **kwargs)

        return validate

    _patch_engine("_validate_document_against_unique_indexes", make)


def _no_arrays_by_index(self: Any, db_name: str, coll_name: str, field: str) -> bool:
    """Whether the field's single-field index proves no document holds an array there."""
    if "." in field:
        return False
    index = next(
        (
            candidate
            for candidate in self._load_indexes(db_name, coll_name)
            if candidate["fields"] == [field] and candidate.get("scalar_physical_name")
        ),
        None,
    )
    if index is None or index.get("sparse") or index.get("partial_filter_expression"):
        return False
    conn = self._require_connection()
    collection_id = self._lookup_collection_id(conn, db_name, coll_name)
    if collection_id is None:
        return False
    (entries,) = conn.execute(
        "SELECT COUNT(*) FROM scalar_index_entries WHERE collection_id = ? AND index_name = ?",
        (collection_id, index["name"]),
    ).fetchone()
    (documents,) = conn.execute(
        "SELECT COUNT(*) FROM documents WHERE db_name = ? AND coll_name = ?",
        (db_name, coll_name),
    ).fetchone()
    return bool(entries == documents)


def patch_mongoeco_unique_array_scan() -> None:
    """Stop mongoeco 4.11 from reading every document on each write to a uniquely indexed field.

    Before checking a unique index, mongoeco asks whether any stored document holds an array in
    the indexed field, with a query that parses every document's JSON; it caches the answer, but
    every write clears the cache, so each insert into `articles` (unique `slug`) cost
    O(collection): about 26 of 29 ms per insert at 2,000 articles. Its index tables answer the
    same question: if the field's single-field index has exactly one scalar entry per document,
    no document holds an array there (an array gets no scalar entry). Two index-only counts,
    then. Any other case (counts differ, no such index) keeps mongoeco's own scan.
    tests/test_embedded_store.py fails if an insert's cost grows with the collection again.
    """

    def make(original: Callable[..., bool]) -> Callable[..., bool]:
        def is_top_level_array(self: Any, db_name: str, coll_name: str, field: str) -> bool:
            feature_key = (db_name, coll_name, f"top_level_array:{field}")
            if feature_key not in self._collection_features_cache and _no_arrays_by_index(
                self, db_name, coll_name, field
            ):
                self._collection_features_cache[feature_key] = False
                return False
            return original(self, db_name, coll_name, field)

        return is_top_level_array

    _patch_engine("_field_is_top_level_array_in_collection", make)


def patch_mongoeco_upsert_by_id_scan() -> None:
    """Stop mongoeco 4.11 from reading every document on each upsert of a new `_id`.

    An update (or replace) by `_id` looks its document up by storage key; when there is none (an
    upsert of a new document), mongoeco does not trust the miss and runs the filter again as a
    query that parses every document's JSON, then plans it with more such passes: each upsert of
    a new document cost O(collection), 5 ms at no documents and 66 ms at 5,000 (a WordPress
    import's old addresses, one upsert each, made a 10,000-post import quadratic). The second
    look is for numbers, which equal across types (1, 1.0) under different keys; a string or
    ObjectId `_id` has one key, so its miss is final.

    An update whose filter names the `_id` among other conditions (the journal's every write:
    `_id`, the version it expects, an operation it has not applied yet) had no key lookup at
    all: mongoeco ran it as a query over every document, 0.74 s a save at 10,000 articles and
    growing with the archive. Such a filter's document is the `_id`'s alone, found by key, and
    the rest of the filter is checked on it. Any other filter keeps mongoeco's own way.
    tests/test_embedded_store.py fails if either parses documents again.
    """
    from bson import ObjectId
    from mongoeco.core.filtering import QueryEngine
    from mongoeco.core.query_plan import AndCondition, EqualsCondition

    def stored(self: Any, db_name: str, coll_name: str, key: str | ObjectId, context: Any) -> bool:
        row = (
            self._require_connection(context)
            .execute(
                "SELECT 1 FROM documents WHERE db_name = ? AND coll_name = ? AND storage_key = ?",
                (db_name, coll_name, self._storage_key(key)),
            )
            .fetchone()
        )
        return row is not None

    def by_key(plan: Any) -> bool:
        return (
            isinstance(plan, EqualsCondition)
            and plan.field == "_id"
            and isinstance(plan.value, str | ObjectId)
        )

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def select_first(self: Any, db_name: str, coll_name: str, plan: Any, **kwargs: Any) -> Any:
            if by_key(plan) and not stored(
                self, db_name, coll_name, plan.value, kwargs.get("context")
            ):
                return None
            if isinstance(plan, AndCondition) and not kwargs.get("hint"):
                key = next((clause for clause in plan.clauses if by_key(clause)), None)
                if key is not None:
                    found = select_first(self, db_name, coll_name, key, **kwargs)
                    if found is None or not QueryEngine.match_plan(found[1], plan):
                        return None
                    return found
            return original(self, db_name, coll_name, plan, **kwargs)

        return select_first

    _patch_engine("_select_first_document_for_plan", make)


def patch_mongoeco_feature_cache_race() -> None:
    """Stop mongoeco 4.11's feature cache from failing a write when another thread fills it.

    Each write forgets what is cached about its collection by walking the shared cache dict
    while the server's other threads (a concurrent read or unique check) may add to it: the
    write then fails with "dictionary changed size during iteration" (a 10,000-article load in
    CI did). Walking a snapshot of the keys instead is atomic under the GIL.
    tests/test_embedded_store.py fails if the race comes back.
    """

    def invalidate(self: Any, db_name: str | None = None, coll_name: str | None = None) -> None:
        cache = self._collection_features_cache
        if db_name is None or coll_name is None:
            cache.clear()
            return
        for key in tuple(cache):
            if key[:2] == (db_name, coll_name):
                cache.pop(key, None)

    # mongoeco's own walks the live dict: nothing of it is kept.
    _patch_engine("_invalidate_collection_features_cache", lambda _original: invalidate)


def patch_mongoeco_change_outbox() -> None:
    """Stop mongoeco 4.11 from keeping a change-stream outbox that nobody reads.

    Each write, watched or not, appended a "gap" row to a durable change outbox, and its commit
    then dispatched the outbox: a consumer lease taken and released, a heartbeat thread started
    and joined, a checkpoint per change and a compaction, each its own SQLite commit. That was
    about half of every write's cost on the server. Newsroom opens no change streams (its readers
    follow its own event log, cms.spine.events), so with no watcher and no journal file (mongoeco's
    own test of whether anyone listens) nothing is recorded and nothing dispatched; a watcher,
    were one opened, would get events as before. MongoDB is untouched: this is the emulator's
    server. tests/test_embedded_store.py fails if the outbox is written again.
    """
    from mongoeco.api._async._collection_runtime import CollectionRuntimeCoordinator
    from mongoeco.api._async.collection import AsyncCollection
    from mongoeco.core.operation_context import ChangePublicationPolicy

    def without_gaps(original: Callable[..., Any]) -> Callable[..., Any]:
        def new_operation_context(self: Any, *args: Any, **kwargs: Any) -> Any:
            # A gap is recorded only so that a change stream resumed later knows it missed
            # something: with nobody listening, there is nothing to resume.
            if kwargs.get("publication") is ChangePublicationPolicy.RECORD_GAP:
                kwargs["publication"] = ChangePublicationPolicy.DISABLED
            return original(self, *args, **kwargs)

        return new_operation_context

    def only_when_watched(original: Callable[..., None]) -> Callable[..., None]:
        def dispatch_engine_changes(self: Any, *args: Any, **kwargs: Any) -> None:
            hub = self._collection._change_hub
            if hub is not None and hub.should_publish_events():
                original(self, *args, **kwargs)

        return dispatch_engine_changes

    _patch(AsyncCollection, "_new_operation_context", without_gaps)
    _patch(CollectionRuntimeCoordinator, "_dispatch_engine_changes", only_when_watched)


# What an `insert` command may say for `patch_mongoeco_batch_insert` to run it as one batch; any
# other field (a transaction's, say) leaves the command to mongoeco as it is.
_BATCHED_INSERT_FIELDS = frozenset(
    {
        "insert",
        "documents",
        "ordered",
        "bypassDocumentValidation",
        "comment",
        "writeConcern",
        "lsid",
        "$db",
        "$clusterTime",
        "$readPreference",
        "apiVersion",
        "apiStrict",
        "apiDeprecationErrors",
    }
)


def patch_mongoeco_batch_insert() -> None:
    """Make mongoeco 4.11's wire server insert a command's documents as one batch.

    Its `insert` command inserted the documents one `insert_one` at a time, each its own SQLite
    transaction with its own unique-index checks, so a bulk insert over the wire cost 2-4 times
    what mongoeco's own `insert_many` costs, and more as the collection grew (a unique index
    re-checked per document): 10,000 articles went from 0.9 to 1.9 ms a document. `insert_many`
    keeps MongoDB's semantics (ordered or not, each failure reported by its index, the documents
    before an ordered failure kept), so the command now uses it and turns its `BulkWriteError`
    back into the command's write errors. A single document, or a command with any field this
    does not know (a transaction's), runs as before. tests/test_embedded_store.py fails if a
    command's documents are committed one by one again, or if the write errors differ.
    """
    from mongoeco._types.documents import WriteCommandResult, WriteErrorEntry
    from mongoeco.api._async import _database_admin_write_commands as commands
    from mongoeco.api._async._write_command_validation import write_command_acknowledged
    from mongoeco.errors import BulkWriteError

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        async def command_insert(self: Any, spec: dict[str, Any], *, session: Any = None) -> Any:
            admin = self._admin
            documents = admin._normalize_insert_documents(spec.get("documents"))
            if len(documents) < 2 or not spec.keys() <= _BATCHED_INSERT_FIELDS:
                return await original(self, spec, session=session)
            name = admin._require_collection_name(spec.get("insert"), "insert")
            collection = admin._database.get_collection(name)
            errors: list[Any] = []
            try:
                inserted = await collection.insert_many(
                    documents,
                    ordered=admin._normalize_ordered_from_command(spec.get("ordered")),
                    bypass_document_validation=bool(spec.get("bypassDocumentValidation")),
                    session=session,
                    comment=spec.get("comment"),
                )
                count = len(inserted.inserted_ids)
            except BulkWriteError as error:
                # PyMongo's BulkWriteError underneath: its details are the bulk result.
                details: dict[str, Any] = getattr(error, "details", None) or {}
                count = int(details.get("nInserted", 0))
                for failure in details.get("writeErrors", []):
                    rest = {
                        key: value
                        for key, value in failure.items()
                        if key not in {"index", "errmsg", "code", "op"}
                    }
                    errors.append(
                        WriteErrorEntry(
                            index=failure["index"],
                            errmsg=failure["errmsg"],
                            code=failure.get("code"),
                            details=rest or None,
                        )
                    )
            acknowledged = write_command_acknowledged(spec, dialect=admin._mongodb_dialect.key)
            return commands._write_command_result(
                WriteCommandResult(count=count, write_errors=errors or None),
                acknowledged=acknowledged,
            )

        return command_insert

    _patch(commands.DatabaseAdminWriteCommandService, "command_insert", make)


# MongoDB's bound on a cursor batch's documents, in BSON bytes: a reply stays under its message
# limit (48 MB) whatever the documents.
BATCH_BYTES = 16 * 1024 * 1024


def _fitting(documents: list[Any], asked: int | None) -> int:
    """How many of `documents` (at most `asked`) one batch holds: at least one, then as many
    as keep it within BATCH_BYTES."""
    import bson

    limit = min(asked, len(documents)) if asked else len(documents)
    total = 0
    for count, document in enumerate(documents[:limit]):
        total += len(bson.encode(document)) if isinstance(document, dict) else 0
        if count and total > BATCH_BYTES:
            return count
    return limit


def patch_mongoeco_batch_bytes() -> None:
    """Make mongoeco 4.11's wire cursors bound each batch by bytes, as MongoDB does (16 MiB).

    It answered a `find` or `getMore` without a batch size with every remaining document in one
    reply: a load's staged search documents (`cms.store.overlay`) came back as one 62 MB message,
    over the 48 MB a wire message may be, and PyMongo refused it (a 10,000-post WordPress
    import, and issue 28's archive, failed so). Each batch now stops before it passes 16 MiB,
    and the cursor keeps the rest for `getMore`. tests/test_embedded_store.py reads a collection
    of 60 MB in one `find` and fails without it.
    """
    from mongoeco.wire.cursors import WireCursorStore

    def first(original: Callable[..., Any]) -> Callable[..., Any]:
        def materialize(
            self: Any, command_document: dict[str, Any], result: dict[str, Any], **kwargs: Any
        ) -> Any:
            cursor = result.get("cursor")
            batch = cursor.get("firstBatch") if isinstance(cursor, dict) else None
            if isinstance(batch, list) and batch:
                fits = _fitting(batch, self._resolve_batch_size(command_document))
                if fits < len(batch):
                    command_document = {**command_document, "batchSize": fits}
            return original(self, command_document, result, **kwargs)

        return materialize

    def more(original: Callable[..., Any]) -> Callable[..., Any]:
        def get_more(self: Any, command_document: dict[str, Any], **kwargs: Any) -> Any:
            state = self._state.get(command_document.get("getMore"))
            if state is not None and state.remaining_batch:
                asked = command_document.get("batchSize")
                fits = _fitting(state.remaining_batch, asked if isinstance(asked, int) else None)
                command_document = {**command_document, "batchSize": fits}
            return original(self, command_document, **kwargs)

        return get_more

    _patch(WireCursorStore, "materialize_command_result", first)
    _patch(WireCursorStore, "get_more", more)


def patch_mongoeco_scram_keys() -> None:
    """Make mongoeco 4.11 derive a password's SCRAM keys once, as MongoDB keeps them.

    MongoDB stores each user's salted keys and never runs the key derivation when one logs in;
    mongoeco ran it (PBKDF2, 15,000 rounds, a fixed salt per user) for every connection, so each
    connection cost the store tens of milliseconds of CPU: every API process, CLI command and
    test opens several. The derivation is a pure function of its arguments: it is kept.
    tests/test_embedded_store.py counts derivations across connections.
    """
    from mongoeco.wire import scram

    derive = scram._salted_password
    if not getattr(derive, "_newsroom_patched", False):
        kept = functools.lru_cache(maxsize=16)(derive)
        kept._newsroom_patched = True  # type: ignore[attr-defined]
        scram._salted_password = kept


def patch_mongoeco_registration_heartbeat() -> None:
    """Keep mongoeco 4.11's change-consumer heartbeat alive through a long write.

    Every minute a thread of the server renews its change consumers' registrations, for an hour
    each. When another connection held the store's write lock for longer than SQLite waits
    (dropping a 100,000-article database did, in `bench.scale`), the renewal failed with
    "database is locked", the thread died, and the server's stop failed with that error (as
    would any new consumer's registration). A renewal that finds the store locked is left to
    the next minute's: the registrations last an hour. tests/test_embedded_store.py renews with
    the store locked.
    """
    import sqlite3

    from mongoeco.engines import sqlite as engine

    def make(original: Callable[..., int]) -> Callable[..., int]:
        def renew(conn: sqlite3.Connection, **kwargs: Any) -> int:
            try:
                return original(conn, **kwargs)
            except sqlite3.OperationalError as error:
                if "locked" not in str(error):
                    raise
                conn.rollback()
                return 0

        return renew

    _patch(engine, "_sqlite_renew_ephemeral_consumers", make)


def patch_mongoeco_codec_signature() -> None:
    """Make mongoeco 4.11 ask once whether its codec's `decode` takes `preserve_bson_wrappers`.

    It asked `inspect.signature` of it for every document it read holding a date or an id
    (every article): about 5% of the store's time reading 100,000 articles for the catalog
    (sampled). The answer depends on the function only, so it is kept by function.
    tests/test_embedded_store.py counts the questions and compares the documents.
    """
    import inspect

    takes: dict[Any, bool] = {}

    def make(_original: Callable[..., Any]) -> Callable[..., Any]:
        def decode_codec_payload(
            self: Any, payload: object, *, preserve_bson_wrappers: bool
        ) -> Any:
            decode = self._codec.decode
            key = getattr(decode, "__func__", decode)
            if key not in takes:
                try:
                    parameters: Any = inspect.signature(decode).parameters
                except (TypeError, ValueError):
                    parameters = {}
                takes[key] = "preserve_bson_wrappers" in parameters
            if not takes[key]:
                return decode(payload)
            return decode(payload, preserve_bson_wrappers=preserve_bson_wrappers)

        return decode_codec_payload

    _patch_engine("_decode_codec_payload", make)


# Set while a scan projects a document it has just parsed: nothing else holds it, so the
# projection may take its values as they are (`patch_mongoeco_projected_scan`).
_fresh = threading.local()


def _copy_unless_fresh(value: Any, memo: Any = None) -> Any:
    return value if getattr(_fresh, "document", False) else copy.deepcopy(value, memo)


def patch_mongoeco_projected_scan() -> None:
    """Make mongoeco 4.11 project the documents a scan reads without copying them, and size
    them by their stored text.

    - Projecting, it deep-copied what it kept of each document (or all of it, for an
      exclusion such as `{"recent_ops": 0}`) from one it had just parsed and then dropped:
      about 10% of the store's time reading 100,000 articles for the catalog (sampled). Its
      projection now takes the values themselves while a scan projects such a document, and
      copies as before everywhere else.
    - A scan fills batches of its reader thread up to 1 MiB (its memory, not what is sent: that
      is `patch_mongoeco_batch_bytes`'s). For a projected document (the catalog's read of every
      article, a related-items read of profiles) it measured every value: about 11% of that
      read. The stored text's size is the estimate now. mongoeco's own estimate for whole
      documents, 64 times that, would make batches of two or three articles (measured: slower
      than the walk).

    tests/test_embedded_store.py reads projected documents across batches (failing if one is
    measured or copied) and compares projections made so with mongoeco's own.
    """
    from mongoeco.core import projections
    from mongoeco.core.codec import DocumentCodec

    projections.deepcopy = _copy_unless_fresh  # type: ignore[assignment,attr-defined]

    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def project_sql_scan_rows(self: Any, rows: Any, semantics: Any, reader: Any) -> Any:
            if semantics.projection is None or self._codec is not DocumentCodec:
                return original(self, rows, semantics, reader)
            project = projections._ProjectionExecutor(  # type: ignore[no-untyped-call]
                semantics.projection,
                selector_filter=semantics.filter_spec,
                dialect=semantics.dialect,
            )

            def projected(payload: str) -> Any:
                document = self._deserialize_document(payload)
                _fresh.document = True
                try:
                    kept = project(document)
                finally:
                    _fresh.document = False
                return reader.attach_size_hint(kept, sys.getsizeof(payload))

            return (projected(payload) for (payload,) in rows)

        return project_sql_scan_rows

    _patch_engine("_project_sql_scan_rows", make)


def patch_mongoeco() -> None:
    """Every workaround the embedded server applies to mongoeco (pinned exactly for them)."""
    patch_mongoeco_insert_scan()
    patch_mongoeco_unique_array_scan()
    patch_mongoeco_upsert_by_id_scan()
    patch_mongoeco_feature_cache_race()
    patch_mongoeco_change_outbox()
    patch_mongoeco_registration_heartbeat()
    patch_mongoeco_batch_insert()
    patch_mongoeco_batch_bytes()
    patch_mongoeco_scram_keys()
    patch_mongoeco_codec_signature()
    patch_mongoeco_projected_scan()


async def _listen(data_dir: Path, ports: list[int], password: str) -> tuple[Any, int] | None:
    """A started server on the first of `ports` that is free, and that port; None if none is."""
    from mongoeco.engines.sqlite import SQLiteEngine
    from mongoeco.wire import AsyncMongoEcoProxyServer, WireAuthUser

    for port in ports:
        server = AsyncMongoEcoProxyServer(
            engine=SQLiteEngine(str(data_dir / STORE_FILE)),
            host=HOST,
            port=port,
            auth_users=(WireAuthUser(USER, password, mechanisms=(MECHANISM,)),),
        )
        try:
            address = await server.start()
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            continue
        return server, int(address.port)
    return None


async def _serve(data_dir: Path, config: dict[str, Any]) -> int:
    """The child process: hold the lock, serve, print the URI, stop when stdin closes.

    On stdin's end it first waits until no other process uses the server (each user holds a
    shared lock on the users file), so a process that found this server running keeps it.
    """
    handle = open_private(data_dir / LOCK_FILE)
    # Retry briefly: a client's probe of the lock may hold it for an instant.
    deadline = time.monotonic() + 2
    while not lock(handle, fcntl.LOCK_EX):
        if time.monotonic() > deadline:
            print(json.dumps({"error": "locked"}), flush=True)
            return 3
        await asyncio.sleep(0.05)
    (data_dir / URI_FILE).unlink(missing_ok=True)  # left by a server that was killed
    store_file = data_dir / STORE_FILE
    try:
        # With the lock held: no server has the file open while it is read through.
        check_store_file(store_file, deep=True, must_exist=bool(config.get("existing")))
    except StoreFileError as error:
        print(json.dumps({"error": str(error), "fatal": True}), flush=True)
        return 5
    patch_mongoeco()
    fresh = Endpoint.new()
    password = config.get("password") or fresh.password
    ports: list[int] = config.get("ports") or [fresh.port]
    try:
        listening = await _listen(data_dir, ports, password)
    except sqlite3.Error as error:
        message = f"{store_file} could not be opened ({error}): {RESTORE}."
        print(json.dumps({"error": message, "fatal": True}), flush=True)
        return 6
    if listening is None:
        print(json.dumps({"error": f"port {ports[0]} is in use"}), flush=True)
        return 4
    server, port = listening
    uri = Endpoint(port=port, password=password).uri
    write_uri(data_dir, uri)
    print(json.dumps({"uri": uri}), flush=True)

    loop = asyncio.get_running_loop()
    signalled = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, signalled.set)
    signal_wait: asyncio.Future[Any] = asyncio.ensure_future(signalled.wait())
    stdin_closed: asyncio.Future[Any] = loop.run_in_executor(None, sys.stdin.buffer.read)
    await asyncio.wait([stdin_closed, signal_wait], return_when=asyncio.FIRST_COMPLETED)
    if not signalled.is_set():
        users = open_private(data_dir / USERS_FILE)
        no_users: asyncio.Future[Any] = loop.run_in_executor(
            None, fcntl.flock, users, fcntl.LOCK_EX
        )
        await asyncio.wait([no_users, signal_wait], return_when=asyncio.FIRST_COMPLETED)
    await server.close()
    (data_dir / URI_FILE).unlink(missing_ok=True)
    # Threads may still block on stdin or the users lock; exiting releases every lock.
    os._exit(0)


@contextlib.asynccontextmanager
async def supervised_server(data_dir: Path) -> AsyncIterator[tuple[str, Supervisor]]:
    """Yield the URI of the embedded server for `data_dir`, starting one if none runs, and its
    supervisor (whose `failure` says if it gave up restarting it).

    Until the block ends the server is kept running: started again if it dies.
    """
    make_private(data_dir)
    with open_private(data_dir / USERS_FILE) as users:
        # Shared while we use a server; a server that is stopping holds it exclusively.
        await asyncio.to_thread(fcntl.flock, users, fcntl.LOCK_SH)
        supervisor = Supervisor(data_dir, users)
        uri = await supervisor.start()
        try:
            yield uri, supervisor
        finally:
            await supervisor.stop()


@contextlib.asynccontextmanager
async def embedded_server(data_dir: Path) -> AsyncIterator[str]:
    """`supervised_server`'s URI alone."""
    async with supervised_server(data_dir) as (uri, _):
        yield uri


def main() -> None:
    parser = argparse.ArgumentParser(description="Run Newsroom's embedded MongoDB-wire store.")
    parser.add_argument("data_dir", type=Path)
    args = parser.parse_args()
    os.umask(0o077)  # the SQLite file and its journal files are the owner's alone
    try:
        make_private(args.data_dir)
    except StoreUnavailableError as error:
        print(json.dumps({"error": str(error), "fatal": True}), flush=True)
        sys.exit(5)
    # First line of stdin: {"ports": [...], "password": ...} from the starting process (its
    # end, later, means stop). Run by hand, it picks a port and a password of its own.
    line = sys.stdin.buffer.readline()
    config = json.loads(line) if line.strip() else {}
    sys.exit(asyncio.run(_serve(args.data_dir, config)))


if __name__ == "__main__":
    main()
