"""Persisted queries cannot fill the store: `NEWSROOM_PERSISTED_QUERIES` = open, bounded (count,
bytes, least recently used out, a rate per address) or trusted (registered documents only)."""

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest

from api.settings import Settings
from cms.clock import utcnow
from cms.persisted_documents import PersistedDocument, digest, usage
from tests.conftest import REPO, Tokens, serving
from tests.in_process import uvicorn_serving
from tests.live_client import LiveClient


def document(index: int, padding: int = 0) -> str:
    """A distinct query, about `padding` bytes longer for its comment."""
    return f"query Q{index} {{ articles {{ totalCount }} }}\n# {'x' * padding}"


async def send(
    http: httpx.AsyncClient,
    query: str,
    *,
    with_text: bool = True,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A GET as Apollo's persisted-query link sends it: the hash, and the text if asked."""
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": digest(query)}}
    params = {"extensions": json.dumps(extensions)} | ({"query": query} if with_text else {})
    response = await http.get("/graphql", params=params, headers=headers)
    body: dict[str, Any] = response.json()
    return body


def code_of(body: dict[str, Any]) -> str | None:
    errors = body.get("errors")
    return errors[0]["extensions"]["code"] if errors else None


async def kept() -> set[str]:
    found = await PersistedDocument.find({"trusted": False}).to_list()
    return {document.id for document in found}


def bounded(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(
        update={"persisted_queries": "bounded", "persisted_queries_per_address": 0} | changes
    )


async def test_bounded_keeps_the_most_recently_used_within_the_count(settings: Settings) -> None:
    configured = bounded(settings, persisted_queries_max_count=5)
    queries = [document(index) for index in range(7)]
    async with serving(configured) as first:
        for query in queries[:5]:
            assert code_of(await send(first.http, query)) is None
        # An hour passes.
        collection = PersistedDocument.get_pymongo_collection()
        for index, query in enumerate(queries[:5]):
            earlier = utcnow() - timedelta(hours=1) + timedelta(seconds=index)
            await collection.update_one({"_id": digest(query)}, {"$set": {"used_at": earlier}})
    # Q0 is used again, by another process (its memory is empty).
    async with serving(configured) as second:
        used = await send(second.http, queries[0], with_text=False)
        # Two more: the sixth is over five, and the least recently used go (Q1, Q2), down to
        # 90% of it; the seventh fits.
        for query in queries[5:]:
            await send(second.http, query)
    async with serving(configured) as third:
        gone = await send(third.http, queries[1], with_text=False)
        still = await send(third.http, queries[0], with_text=False)
        documents, counted = await kept(), await usage()

    assert code_of(used) is None
    assert documents == {digest(queries[index]) for index in (0, 3, 4, 5, 6)}
    assert counted.count == 5
    assert code_of(gone) == "PERSISTED_QUERY_NOT_FOUND"
    assert still == {"data": {"articles": {"totalCount": 0}}}


async def test_bounded_keeps_documents_within_the_bytes(settings: Settings) -> None:
    configured = bounded(settings, persisted_queries_max_bytes=1024)
    queries = [document(index, padding=400) for index in range(3)]
    async with serving(configured) as served:
        for query in queries:
            await send(served.http, query)
        documents, counted = await kept(), await usage()

    # Three of about 440 bytes pass 1,024; the oldest goes, leaving under 90% of it.
    assert documents == {digest(query) for query in queries[1:]}
    assert counted.bytes == sum(len(query.encode()) for query in queries[1:])


async def test_bounded_keeps_a_few_new_documents_per_address(settings: Settings) -> None:
    configured = bounded(settings, persisted_queries_per_address=2)
    queries = [document(index) for index in range(3)]
    async with serving(configured) as served:
        answers = [await send(served.http, query) for query in queries]
        # Not kept, but it ran: the client sends the text again next time.
        missing = await send(served.http, queries[2], with_text=False)
        documents = await kept()

    assert all(code_of(answer) is None for answer in answers)
    assert documents == {digest(query) for query in queries[:2]}
    assert code_of(missing) == "PERSISTED_QUERY_NOT_FOUND"


async def test_open_keeps_every_document(settings: Settings) -> None:
    configured = settings.model_copy(
        update={"persisted_queries": "open", "persisted_queries_max_count": 2}
    )
    queries = [document(index) for index in range(4)]
    async with serving(configured) as served:
        for query in queries:
            await send(served.http, query)
        documents = await kept()

    assert documents == {digest(query) for query in queries}


EXAMPLE = (REPO / "examples" / "operations" / "latest-articles.graphql").read_text()
EXAMPLE_SUBSCRIPTION = (REPO / "examples" / "operations" / "article-published.graphql").read_text()


@pytest.fixture
def trusted(settings: Settings) -> Settings:
    return settings.model_copy(update={"persisted_queries": "trusted"})


async def test_trusted_runs_only_registered_documents(trusted: Settings, tokens: Tokens) -> None:
    mine = document(1)
    editor = {"authorization": f"Bearer {tokens.editor}"}
    previewer = {"authorization": f"Bearer {tokens.previewer}"}
    async with serving(trusted) as served:
        anyone = await send(served.http, mine)
        not_an_editor = await send(served.http, mine, headers=previewer)
        example = (await served.http.post("/graphql", json={"query": EXAMPLE})).json()
        # An editor's request registers the document for everyone.
        registered = await send(served.http, mine, headers=editor)
        then = await send(served.http, mine, with_text=False)
        sent_in_full = (await served.http.post("/graphql", json={"query": mine})).json()
        stored = await PersistedDocument.get(digest(mine))

    assert code_of(anyone) == code_of(not_an_editor) == "DOCUMENT_NOT_TRUSTED"
    assert "errors" not in example
    assert code_of(registered) is None
    assert then == sent_in_full == {"data": {"articles": {"totalCount": 0}}}
    assert stored is not None
    assert stored.trusted


async def test_trusted_applies_to_subscriptions_too(trusted: Settings) -> None:
    async with uvicorn_serving(trusted) as url, LiveClient.connect(url) as live:
        await live.subscribe("mine", "subscription { articlePublished { slug } }")
        refused = await live.receive()
        await live.subscribe("example", EXAMPLE_SUBSCRIPTION)
        await live.send({"id": "example", "type": "complete"})
        await live.send({"type": "ping"})
        pong = await live.receive()

    assert refused["type"] == "error"
    assert refused["payload"][0]["extensions"]["code"] == "DOCUMENT_NOT_TRUSTED"
    # The example subscription was accepted: nothing came back for it before the pong.
    assert pong == {"type": "pong"}


def test_the_deprecated_setting_still_closes_and_never_opens(tmp_path: Path) -> None:
    closed = Settings(trusted_documents_only=True)

    with pytest.raises(pydantic.ValidationError) as conflict:
        Settings(trusted_documents_only=True, persisted_queries="open")

    assert closed.persisted_queries_mode == "trusted"
    assert Settings().persisted_queries_mode == "bounded"
    assert "unset the deprecated one" in str(conflict.value)
