"""The embedded store: persistent, shared by the processes on one data directory, and fast."""

import asyncio
import contextlib
import copy
import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from bson import CodecOptions, ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st
from mongoeco import MongoClient
from mongoeco.engines import sqlite as mongoeco_sqlite
from mongoeco.engines.sqlite import SQLiteEngine
from mongoeco.wire import AsyncMongoEcoProxyServer, WireAuthUser
from pymongo import AsyncMongoClient, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure, PyMongoError

from cms.store.embedded import (
    embedded_server,
    patch_mongoeco_batch_bytes,
    patch_mongoeco_batch_insert,
    patch_mongoeco_change_outbox,
    patch_mongoeco_codec_signature,
    patch_mongoeco_feature_cache_race,
    patch_mongoeco_insert_scan,
    patch_mongoeco_projected_scan,
    patch_mongoeco_registration_heartbeat,
    patch_mongoeco_scram_keys,
    patch_mongoeco_unique_array_scan,
    patch_mongoeco_upsert_by_id_scan,
)
from tests.cli import NEWSROOM, newsroom
from tests.conftest import REPO
from tests.servers import free_port


def embedded_env(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if "MONGODB_URI" not in key}
    return env | {"NEWSROOM_DATA_DIR": str(data_dir), "COLUMNS": "200"}


async def test_data_survives_a_restart(tmp_path: Path) -> None:
    async with embedded_server(tmp_path) as uri:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
        await client.newsroom.notes.insert_one({"_id": "kept", "text": "still here"})
        await client.close()

    async with embedded_server(tmp_path) as uri:
        client = AsyncMongoClient(uri)
        found = await client.newsroom.notes.find_one({"_id": "kept"})
        await client.close()

    assert found == {"_id": "kept", "text": "still here"}
    assert (tmp_path / "store.sqlite").exists()


async def ping(uri: str) -> bool:
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        uri, serverSelectionTimeoutMS=2000
    )
    try:
        await client.admin.command("ping")
    except PyMongoError:
        return False
    finally:
        await client.close()
    return True


async def wait_until_stopped(data_dir: Path) -> None:
    for _ in range(200):
        if not (data_dir / "store.uri").exists():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the embedded server did not stop")


@pytest.mark.processes
async def test_processes_starting_together_share_one_server(tmp_path: Path) -> None:
    async with contextlib.AsyncExitStack() as stack:
        uris = await asyncio.gather(
            *(stack.enter_async_context(embedded_server(tmp_path)) for _ in range(3))
        )

        assert len(set(uris)) == 1
        assert await ping(uris[0])
    await wait_until_stopped(tmp_path)


@pytest.mark.processes
async def test_the_server_outlives_its_starter_while_others_use_it(tmp_path: Path) -> None:
    async with contextlib.AsyncExitStack() as user:
        async with embedded_server(tmp_path) as starter_uri:
            uri = await user.enter_async_context(embedded_server(tmp_path))
            assert uri == starter_uri

        assert await ping(uri), "the starter left; the other user still needs the server"
    await wait_until_stopped(tmp_path)
    assert not await ping(uri)


@pytest.mark.processes
async def test_a_uri_left_by_a_killed_server_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "store.uri").write_text("mongodb://127.0.0.1:9/?directConnection=true")

    async with embedded_server(tmp_path) as uri:
        assert uri != "mongodb://127.0.0.1:9/?directConnection=true"
        assert await ping(uri)


@pytest.mark.slow
def test_the_cli_loads_into_the_embedded_store(tmp_path: Path) -> None:
    result = newsroom(
        "fixtures", "load", str(REPO / "fixtures"), env=embedded_env(tmp_path / "data")
    )

    assert result.returncode == 0, result.stderr
    assert f"embedded store at {tmp_path / 'data' / 'store.sqlite'}" in result.stdout
    assert not (tmp_path / "data" / "store.uri").exists(), "the server should have stopped"


@pytest.mark.processes
def test_serve_answers_on_the_embedded_store(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [NEWSROOM, "serve", "--port", str(port)],
        env=embedded_env(tmp_path / "data"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and health is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
            except httpx.TransportError:
                time.sleep(0.2)
        query = {"query": "{ articles { totalCount } }"}
        answer = httpx.post(f"http://127.0.0.1:{port}/graphql", json=query, timeout=5)
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    assert health is not None, output
    assert health.json()["status"] == "ok"
    assert health.json()["store"].startswith("embedded store at")
    assert answer.json() == {"data": {"articles": {"totalCount": 0}}}
    assert "Using embedded store at" in output
    # uvicorn re-raises SIGTERM after a graceful shutdown, so that is the exit status.
    assert server.returncode == -signal.SIGTERM, output
    assert "Application shutdown complete" in output
    assert not (tmp_path / "data" / "store.uri").exists()


@pytest.mark.parametrize(("document_id", "scans"), [("slug-like-id", False), (7, True)])
def test_inserts_scan_the_collection_only_for_numeric_ids(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, document_id: object, scans: bool
) -> None:
    """mongoeco 4.11 decodes every stored document on each insert; our patch limits that to the
    one case where MongoDB semantics need it (numeric ids that may equal across types)."""
    patch_mongoeco_insert_scan()
    scanned: list[str] = []
    original = SQLiteEngine._load_documents

    def counting(self: SQLiteEngine, *args: Any, **kwargs: Any) -> Any:
        scanned.append("scan")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLiteEngine, "_load_documents", counting)
    client = MongoClient(SQLiteEngine(str(tmp_path / "store.sqlite")))
    collection = client.newsroom.things
    collection.insert_many([{"n": n} for n in range(50)])
    scanned.clear()

    collection.insert_one({"_id": document_id, "n": -1})

    assert bool(scanned) is scans
    client.close()


def test_writes_to_a_uniquely_indexed_field_do_not_parse_every_document(
    tmp_path: Path,
) -> None:
    """mongoeco 4.11 asks, before each unique-index check, whether any document holds an array
    in the field, by parsing every document; our patch answers from its index tables."""
    patch_mongoeco_insert_scan()
    patch_mongoeco_unique_array_scan()
    engine = SQLiteEngine(str(tmp_path / "store.sqlite"))
    client = MongoClient(engine)
    collection = client.newsroom.articles
    collection.create_index("slug", unique=True)
    collection.insert_many([{"slug": f"article-{n}"} for n in range(200)])
    statements: list[str] = []
    engine._require_connection().set_trace_callback(statements.append)

    for n in range(5):
        collection.insert_one({"slug": f"more-{n}"})
    with pytest.raises(DuplicateKeyError):
        collection.insert_one({"slug": "more-0"})

    assert any("INSERT" in sql for sql in statements)  # the trace sees the writes...
    parsing = [sql for sql in statements if "json_type(document" in sql and "'array'" in sql]
    assert parsing == []  # ...and no pass over every document's JSON
    client.close()


def test_an_upsert_of_a_new_id_does_not_parse_every_document(tmp_path: Path) -> None:
    """mongoeco 4.11 does not trust a miss of an update's `_id` lookup and runs the filter as a
    query over every document's JSON; our patch takes a string or ObjectId's miss as final, and
    numbers (1 equals 1.0 under another key) keep mongoeco's second look."""
    patch_mongoeco_upsert_by_id_scan()
    engine = SQLiteEngine(str(tmp_path / "store.sqlite"))
    client = MongoClient(engine)
    collection = client.newsroom.redirects
    collection.insert_many([{"_id": f"/old-{n}/", "to": n} for n in range(200)])
    collection.insert_one({"_id": 1.0, "to": -1})
    statements: list[str] = []
    engine._require_connection().set_trace_callback(statements.append)

    collection.replace_one({"_id": "/new/"}, {"_id": "/new/", "to": 1}, upsert=True)
    collection.update_one({"_id": ObjectId()}, {"$set": {"to": 2}}, upsert=True)
    collection.replace_one({"_id": "/old-3/"}, {"_id": "/old-3/", "to": 3}, upsert=True)

    assert any("INSERT" in sql for sql in statements)  # the trace sees the writes...
    assert [sql for sql in statements if "json_" in sql and "$._id" in sql] == []  # ...no scan
    assert collection.find_one({"_id": "/new/"}) == {"_id": "/new/", "to": 1}
    assert collection.find_one({"_id": "/old-3/"}) == {"_id": "/old-3/", "to": 3}
    assert collection.count_documents({}) == 203
    collection.update_one({"_id": 1}, {"$set": {"to": 4}}, upsert=True)  # finds the 1.0
    assert collection.count_documents({}) == 203
    assert collection.find_one({"_id": 1}) == {"_id": 1.0, "to": 4}
    client.close()


def test_an_update_by_id_and_other_conditions_reads_one_document(tmp_path: Path) -> None:
    """mongoeco 4.11 ran an update whose filter names the `_id` among other conditions (the
    journal's: the version expected, an operation not yet applied) as a query over every
    document; our patch finds the `_id`'s document by key and checks the rest on it."""
    patch_mongoeco_upsert_by_id_scan()
    engine = SQLiteEngine(str(tmp_path / "store.sqlite"))
    client = MongoClient(engine)
    collection = client.newsroom.articles
    ids = [ObjectId() for _ in range(200)]
    collection.insert_many([{"_id": i, "version": 1, "recent_ops": ["a"]} for i in ids])
    statements: list[str] = []
    engine._require_connection().set_trace_callback(statements.append)

    moved = collection.find_one_and_update(
        {"_id": ids[7], "version": 1, "recent_ops": {"$ne": "b"}},
        {"$set": {"version": 2}, "$push": {"recent_ops": "b"}},
        return_document=ReturnDocument.AFTER,
    )
    stale = collection.find_one_and_update({"_id": ids[8], "version": 5}, {"$set": {"version": 6}})
    again = collection.update_one(
        {"_id": ids[7], "recent_ops": {"$ne": "b"}}, {"$set": {"version": 3}}
    )
    missing = collection.update_one({"_id": ObjectId(), "version": 1}, {"$set": {"version": 2}})

    assert any("UPDATE" in sql for sql in statements)  # the trace sees the writes...
    assert [sql for sql in statements if "json_" in sql] == []  # ...and no query over the JSON
    assert moved == {"_id": ids[7], "version": 2, "recent_ops": ["a", "b"]}
    assert stale is None
    assert again.matched_count == 0
    assert missing.matched_count == 0
    untouched = {"_id": ids[8], "version": 1, "recent_ops": ["a"]}
    assert collection.find_one({"_id": ids[8]}) == untouched
    assert collection.find_one({"_id": ids[7]}) == moved
    assert collection.count_documents({"version": 1}) == 199
    client.close()


def test_the_registration_heartbeat_outlives_a_long_write(tmp_path: Path) -> None:
    """mongoeco 4.11's heartbeat thread died when a renewal met the store locked by a long write
    (a 100,000-article database dropped), and the server then failed at its stop; our patch
    leaves a locked renewal to the next one."""
    patch_mongoeco_registration_heartbeat()
    path = tmp_path / "store.sqlite"
    client = MongoClient(SQLiteEngine(str(path)))
    client.newsroom.articles.insert_one({"slug": "one"})
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a long write holds the lock
    renewer = sqlite3.connect(path, timeout=0.05)
    try:
        # The name the heartbeat thread calls, as the patch left it.
        renew = vars(mongoeco_sqlite)["_sqlite_renew_ephemeral_consumers"]
        renewed = renew(renewer, owner_instance="server", now_epoch=time.time(), ttl_seconds=3600.0)
        assert renewed == 0
        holder.execute("COMMIT")
        assert not renewer.in_transaction
    finally:
        renewer.close()
        holder.close()
        client.close()


def test_a_write_forgets_its_collection_while_other_threads_fill_the_cache(
    tmp_path: Path,
) -> None:
    """mongoeco 4.11 walks its shared feature cache on every write while the server's other
    threads add to it: a 10,000-article load failed with "dictionary changed size during
    iteration". Our patch walks a snapshot."""
    patch_mongoeco_feature_cache_race()
    engine = SQLiteEngine(str(tmp_path / "store.sqlite"))
    cache = engine._collection_features_cache
    cache.update({("newsroom", f"other-{n}", "feature"): False for n in range(2_000)})
    cache[("newsroom", "articles", "feature")] = False
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: the race shows at once
    done = threading.Event()

    def fill() -> None:
        n = 0
        while not done.is_set():
            n += 1
            cache[("newsroom", "readers", f"feature-{n}")] = False
            cache.pop(("newsroom", "readers", f"feature-{n - 1}"), None)

    filler = threading.Thread(target=fill)
    filler.start()
    try:
        for _ in range(500):
            engine._invalidate_collection_features_cache("newsroom", "articles")
    finally:
        done.set()
        filler.join()
        sys.setswitchinterval(interval)

    assert ("newsroom", "articles", "feature") not in cache
    assert ("newsroom", "other-7", "feature") in cache


def test_writes_keep_no_change_outbox_when_nobody_watches(tmp_path: Path) -> None:
    """mongoeco 4.11 records every write in a durable change outbox and then dispatches it (a
    lease, a heartbeat thread and several commits per write), watched or not; our patch skips
    both while no change stream listens, as none does in Newsroom."""
    patch_mongoeco_change_outbox()
    engine = SQLiteEngine(str(tmp_path / "store.sqlite"))
    client = MongoClient(engine)
    collection = client.newsroom.articles
    collection.insert_one({"slug": "first"})
    statements: list[str] = []
    engine._require_connection().set_trace_callback(statements.append)
    threads_before = threading.active_count()
    started: list[str] = []
    original_start = threading.Thread.start

    def start(thread: threading.Thread) -> None:
        started.append(thread.name)
        original_start(thread)

    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(threading.Thread, "start", start)
        collection.insert_many([{"slug": f"article-{n}"} for n in range(20)])
        collection.update_one({"slug": "first"}, {"$set": {"headline": "Changed"}})
        collection.delete_one({"slug": "article-3"})

    assert any("INSERT" in sql for sql in statements)  # the trace sees the writes...
    assert [sql for sql in statements if "change_outbox" in sql] == []  # ...none to the outbox
    assert [name for name in started if name.startswith("mongoeco-outbox")] == []
    assert threading.active_count() <= threads_before + 1
    assert collection.count_documents({}) == 20
    client.close()


@pytest.mark.parametrize("ordered", [True, False])
async def test_an_insert_command_commits_its_documents_as_one_batch(
    tmp_path: Path, ordered: bool
) -> None:
    """mongoeco 4.11's wire server ran an `insert` command as one `insert_one` (one SQLite
    transaction, one round of unique checks) per document; our patch runs it as one batch, with
    MongoDB's answer when a document fails: its index, and the documents before it (ordered) or
    all the others (unordered) kept."""
    patch_mongoeco_batch_insert()
    engine = SQLiteEngine(str(tmp_path / "store.sqlite"))
    server = AsyncMongoEcoProxyServer(engine=engine, host="127.0.0.1", port=0)
    address = await server.start()
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(address.uri)
    try:
        collection = client.newsroom.articles
        await collection.create_index("slug", unique=True)
        await collection.insert_one({"slug": "taken"})
        statements: list[str] = []
        engine._require_connection().set_trace_callback(statements.append)

        await collection.insert_many([{"slug": f"article-{n}"} for n in range(50)])
        commits = sum(1 for sql in statements if sql.strip().upper().startswith("COMMIT"))
        documents: list[dict[str, object]] = [{"slug": f"more-{n}"} for n in range(10)]
        documents[3] = {"slug": "taken"}
        with pytest.raises(BulkWriteError) as failed:
            await collection.insert_many(documents, ordered=ordered)
        stored = await collection.count_documents({"slug": {"$regex": "^more-"}})
    finally:
        await client.close()
        await server.close()

    assert 1 <= commits <= 3  # one batch, not fifty transactions
    details = failed.value.details
    assert [(error["index"], error["code"]) for error in details["writeErrors"]] == [(3, 11000)]
    assert details["nInserted"] == stored == (3 if ordered else 9)


@pytest.mark.slow
@contextlib.asynccontextmanager
async def _wire_client(tmp_path: Path) -> Any:
    """A client of a wire server on a store in `tmp_path`, in this process (its patches too)."""
    server = AsyncMongoEcoProxyServer(
        engine=SQLiteEngine(str(tmp_path / "store.sqlite")), host="127.0.0.1", port=0
    )
    address = await server.start()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(address.uri)
    try:
        yield client
    finally:
        await client.close()
        await server.close()


async def test_a_find_of_more_than_a_message_comes_back_in_batches(tmp_path: Path) -> None:
    """mongoeco 4.11 answered a `find` with every document in one reply, however large: 60 MB
    of documents, over the 48 MB a message may be, and PyMongo refused it. Our patch bounds each
    batch at 16 MiB, as MongoDB does."""
    patch_mongoeco_batch_bytes()
    async with _wire_client(tmp_path) as client:
        collection = client.newsroom.staged
        megabyte = "x" * 1_000_000
        for part in range(6):
            await collection.insert_many(
                [{"_id": part * 10 + n, "text": megabyte} for n in range(10)]
            )

        found = await collection.find({}).to_list()
        limited = await collection.find({}, batch_size=7).to_list()

    assert sorted(document["_id"] for document in found) == list(range(60))
    assert len(limited) == 60


async def test_reading_documents_asks_the_codec_s_signature_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mongoeco 4.11 asked `inspect.signature` of its codec's decode for every document it read
    holding a date or an id; our patch asks once."""
    import inspect

    patch_mongoeco_codec_signature()
    asked: list[object] = []
    signature = inspect.signature

    def counting(function: Any, *args: Any, **kwargs: Any) -> inspect.Signature:
        asked.append(function)
        return signature(function, *args, **kwargs)

    monkeypatch.setattr(inspect, "signature", counting)
    written = [
        {"_id": ObjectId(), "n": n, "at": datetime(2026, 1, 1 + n % 28, tzinfo=UTC)}
        for n in range(300)
    ]
    async with _wire_client(tmp_path) as client:
        collection = client.get_database("newsroom", codec_options=CodecOptions(tz_aware=True))
        await collection.things.insert_many(written)
        found = await collection.things.find({}).sort("n").to_list()

    assert found == written
    assert len(asked) <= 1


async def test_a_projected_scan_neither_measures_nor_copies_its_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mongoeco 4.11 measured every value of each projected document a scan read, to fill its
    batches up to 1 MiB, and copied what it kept of each; our patch takes the stored text's
    size and the values themselves, and the documents are the same, across many batches."""
    patch_mongoeco_projected_scan()
    walked: list[object] = []
    copied: list[object] = []
    deepcopy = copy.deepcopy

    def copying(value: Any, memo: Any = None) -> Any:
        copied.append(value)
        return deepcopy(value, memo)

    monkeypatch.setattr(copy, "deepcopy", copying)

    def walking(document: object) -> int:
        walked.append(document)
        return 1

    monkeypatch.setattr("mongoeco.engines._sqlite_reader._owned_document_size", walking)
    written: list[dict[str, Any]] = [
        {
            "_id": n,
            "slug": f"article-{n}",
            "tags": [f"tag-{n % 7}", f"tag-{n % 11}"],
            "meta": {"words": n, "skipped": n},
            "body": "x" * 20_000,
        }
        for n in range(400)
    ]
    async with _wire_client(tmp_path) as client:
        await client.newsroom.articles.insert_many(written)
        found = await client.newsroom.articles.find(
            {}, {"slug": 1, "tags": 1, "meta.words": 1}
        ).to_list()
        without_id = await client.newsroom.articles.find({}, {"_id": 0, "slug": 1}).to_list()
        excluded = await client.newsroom.articles.find({}, {"body": 0, "meta": 0}).to_list()

    assert sorted(found, key=lambda document: document["_id"]) == [
        {
            "_id": document["_id"],
            "slug": document["slug"],
            "tags": document["tags"],
            "meta": {"words": document["meta"]["words"]},
        }
        for document in written
    ]
    assert sorted(document["slug"] for document in without_id) == sorted(
        document["slug"] for document in written
    )
    assert all(list(document) == ["slug"] for document in without_id)
    assert sorted(excluded, key=lambda document: document["_id"]) == [
        {"_id": document["_id"], "slug": document["slug"], "tags": document["tags"]}
        for document in written
    ]
    assert walked == []
    assert len(copied) < 10  # each find's projection and filter, not its 400 documents


_KEYS = st.sampled_from(["_id", "a", "b", "c"])
_VALUES = st.recursive(
    st.one_of(st.integers(-3, 3), st.text("xy", max_size=2), st.none()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=12,
)
_PATHS = st.lists(st.sampled_from(["a", "b", "a.b", "a.c", "b.a.c", "c", "_id"]), max_size=3)


@settings(max_examples=300, deadline=None)
@given(document=st.dictionaries(_KEYS, _VALUES, max_size=4), paths=_PATHS, keep=st.booleans())
def test_a_projection_without_copies_keeps_what_mongoeco_s_own_keeps(
    document: dict[str, Any], paths: list[str], keep: bool
) -> None:
    """Projecting a just-parsed document without copying it gives what mongoeco's projection
    gives (or fails as it does), inclusions and exclusions alike."""
    from mongoeco.core.projections import _ProjectionExecutor

    from cms.store import embedded

    patch_mongoeco_projected_scan()
    projection = dict.fromkeys(paths, 1 if keep else 0)

    def projected(fresh: bool) -> tuple[str, object]:
        # Made as the patched scan makes it, before the flag is set.
        try:
            project = _ProjectionExecutor(projection)  # type: ignore[no-untyped-call]
            embedded._fresh.document = fresh
            return "kept", project(copy.deepcopy(document))
        except Exception as error:
            return "failed", type(error)
        finally:
            embedded._fresh.document = False

    assert projected(fresh=True) == projected(fresh=False)


async def test_logging_in_derives_a_password_s_keys_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """mongoeco 4.11 ran PBKDF2 (15,000 rounds) for every connection's login, where MongoDB
    keeps each user's derived keys; our patch keeps them too. A wrong password is still
    refused."""
    derivations: list[str] = []
    pbkdf2 = hashlib.pbkdf2_hmac

    def counted(name: str, password: bytes, salt: bytes, rounds: int, *args: Any) -> bytes:
        if sys._getframe(1).f_globals["__name__"].startswith("mongoeco"):
            derivations.append(name)
        return pbkdf2(name, password, salt, rounds, *args)

    patch_mongoeco_scram_keys()
    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counted)
    server = AsyncMongoEcoProxyServer(
        engine=SQLiteEngine(str(tmp_path / "store.sqlite")),
        host="127.0.0.1",
        port=0,
        auth_users=(WireAuthUser("newsroom", "secret", mechanisms=("SCRAM-SHA-256",)),),
    )
    address = await server.start()
    uri = f"mongodb://newsroom:{{}}@127.0.0.1:{address.port}/?authMechanism=SCRAM-SHA-256"
    try:
        for _ in range(4):
            client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri.format("secret"))
            try:
                await client.newsroom.articles.insert_one({"n": 1})
            finally:
                await client.close()
        wrong: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
            uri.format("not-the-secret"), serverSelectionTimeoutMS=3000
        )
        try:
            with pytest.raises(OperationFailure):
                await wrong.newsroom.articles.find_one({})
        finally:
            await wrong.close()
    finally:
        await server.close()

    assert len(derivations) == 1  # the user's keys, once for five logins (one refused)
