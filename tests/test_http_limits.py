"""Large requests are refused as they arrive, and never hold up other readers."""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from api.settings import Settings
from tests.conftest import Tokens
from tests.graphql_client import CommandCounter, GraphQLClient, app_serving
from tests.in_process import uvicorn_serving
from tests.servers import served

PADDED = "query ($pad: String!) { __type(name: $pad) { name } }"
COUNT_ARTICLES = {"query": "{ articles { totalCount } }"}


def padded(size: int) -> dict[str, Any]:
    """A request whose variables make it about `size` bytes long."""
    return {"query": PADDED, "variables": {"pad": "x" * size}}


def too_large(response: httpx.Response) -> str:
    (error,) = response.json()["errors"]
    assert error["extensions"] == {"code": "REQUEST_TOO_LARGE"}
    message: str = error["message"]
    return message


async def test_a_body_over_the_limit_is_refused_from_its_declared_length(
    client: GraphQLClient, commands: CommandCounter
) -> None:
    commands.reset()

    response = await client.http.post("/graphql", json=padded(70_000))

    assert response.status_code == 413
    assert too_large(response) == (
        "The request body is larger than 65536 bytes, the limit without a verified editor token."
    )
    # The rest of the body was never read: the connection cannot serve another request.
    assert response.headers["connection"] == "close"
    assert commands.names == []


async def test_a_streamed_body_is_refused_once_it_passes_the_limit(client: GraphQLClient) -> None:
    sent = []

    async def chunks() -> AsyncIterator[bytes]:
        for chunk in (b'{"query": "{ __typename }", "variables": {"pad": "', b"x" * 40_000):
            sent.append(chunk)
            yield chunk
        for _ in range(100):  # 4 MB more, never wanted
            sent.append(b"x")
            yield b"x" * 40_000

    response = await client.http.post(
        "/graphql", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert "without a verified editor token" in too_large(response)
    assert "content-length" not in response.request.headers
    assert len(sent) < 5


async def test_a_body_under_the_limit_is_served(client: GraphQLClient) -> None:
    response = await client.http.post("/graphql", json=padded(60_000))

    assert response.json() == {"data": {"__type": None}}


async def test_a_request_with_a_token_may_be_larger(client: GraphQLClient, tokens: Tokens) -> None:
    editor = {"authorization": f"Bearer {tokens.editor}"}

    served = await client.http.post("/graphql", json=padded(1_000_000), headers=editor)
    refused = await client.http.post("/graphql", json=padded(3_000_000), headers=editor)

    assert served.json() == {"data": {"__type": None}}
    assert refused.status_code == 413
    assert too_large(refused) == (
        "The request body is larger than 2097152 bytes, the limit with an editor token."
    )


async def test_only_a_well_formed_token_raises_the_limit(client: GraphQLClient) -> None:
    forged = {"authorization": "Bearer let-me-in"}

    response = await client.http.post("/graphql", json=padded(100_000), headers=forged)

    assert response.status_code == 413


def as_upload(size: int) -> dict[str, Any]:
    """httpx's arguments for a GraphQL multipart upload of a file `size` bytes long."""
    operations = {"query": "mutation ($f: Upload!) { uploadImage(file: $f) { __typename } }"}
    return {
        "data": {
            "operations": json.dumps({**operations, "variables": {"f": None}}),
            "map": json.dumps({"0": ["variables.f"]}),
        },
        "files": {"0": ("photo.jpg", b"\xff\xd8\xff" + bytes(size), "image/jpeg")},
    }


@pytest.mark.parametrize("body", ["json", "upload"])
@pytest.mark.parametrize("who", ["unknown", "previewer"])
async def test_only_a_verified_editor_token_raises_the_limit(
    client: GraphQLClient, tokens: Tokens, commands: CommandCounter, who: str, body: str
) -> None:
    # Well-formed, so it looks like a token: checked against the store before any more is read.
    token = "nr_" + "x" * 43 if who == "unknown" else tokens.previewer
    sent = {"json": padded(100_000)} if body == "json" else as_upload(100_000)
    commands.reset()

    response = await client.http.post(
        "/graphql", headers={"authorization": f"Bearer {token}"}, **sent
    )

    assert response.status_code == 413
    assert "without a verified editor token" in too_large(response)
    assert commands.names[0] == "find"  # the token's lookup, and nothing of the request's


async def test_a_small_request_with_a_token_costs_no_token_lookup_at_the_edge(
    client: GraphQLClient, tokens: Tokens, commands: CommandCounter
) -> None:
    commands.reset()

    response = await client.http.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"authorization": f"Bearer {tokens.editor}"},
    )

    assert response.json() == {"data": {"__typename": "Query"}}
    assert commands.names == []


async def test_a_long_document_is_refused_before_it_is_parsed(
    client: GraphQLClient, tokens: Tokens, commands: CommandCounter
) -> None:
    # A megabyte of comments: no tokens, so only its length can stop the parser's scan.
    document = "#" + "comment " * 125_000 + "\n{ __typename }"
    commands.reset()

    response = await client.http.post(
        "/graphql",
        json={"query": document},
        headers={"authorization": f"Bearer {tokens.editor}"},
    )

    assert response.status_code == 413
    assert too_large(response) == (
        "The GraphQL document is longer than 65536 characters; send long text as variables."
    )
    # The token was checked (a larger body needs a verified one), and nothing else asked.
    assert commands.names in (["find"], ["find", "update"])


async def test_a_long_query_string_is_refused(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", params={"query": "{ __typename }" + " " * 9000})

    assert response.status_code == 414
    assert too_large(response).startswith("The query string is longer than 8192 bytes")


async def test_the_limits_are_settings(settings: Settings) -> None:
    smaller = settings.model_copy(update={"max_body_bytes": 2048, "max_query_string_bytes": 1024})

    async with app_serving(smaller) as http:
        body = await http.post("/graphql", json=padded(3000))
        query_string = await http.get("/graphql", params={"query": "{ __typename }" + " " * 1100})

    assert "larger than 2048 bytes" in too_large(body)
    assert query_string.status_code == 414


async def _exchange_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    status = int((await reader.readline()).split()[1])
    headers = {}
    while (line := await reader.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers["content-length"]))
    return status, headers, body


@pytest.mark.processes
async def test_a_slow_or_huge_body_does_not_hold_up_other_readers(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    with served(cli_env, tmp_path / "server.log") as url:
        address = urlsplit(url)
        assert address.hostname is not None
        assert address.port is not None
        # A client sends half of a chunked body, then stalls.
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: newsroom\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        half = b'{"query": "{ __typename }", "variables": {"pad": "' + b"x" * 32_000
        writer.write(b"%x\r\n%s\r\n" % (len(half), half))
        await writer.drain()
        # Another declares ten megabytes.
        huge_reader, huge_writer = await asyncio.open_connection(address.hostname, address.port)
        huge_writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: newsroom\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10000000\r\n\r\n"
        )
        await huge_writer.drain()

        async with httpx.AsyncClient(base_url=url) as http:
            answer = await http.post("/graphql", json=COUNT_ARTICLES)
        # The huge one is refused without sending a byte of its body.
        huge_status, huge_headers, huge_body = await _exchange_head(huge_reader)
        # The slow one carries on past the limit and is refused then.
        more = b"x" * 40_000
        writer.write(b"%x\r\n%s\r\n" % (len(more), more))
        await writer.drain()
        slow_status, _, slow_body = await _exchange_head(reader)
        for stream in (writer, huge_writer):
            stream.close()

    assert answer.json() == {"data": {"articles": {"totalCount": 0}}}
    assert huge_status == 413
    assert huge_headers["connection"] == "close"
    assert json.loads(huge_body)["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"
    assert slow_status == 413
    assert json.loads(slow_body)["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_content_length_that_is_not_a_number_never_reaches_the_app(
    settings: Settings,
) -> None:
    async with uvicorn_serving(settings) as url:
        address = urlsplit(url)
        assert address.hostname is not None
        assert address.port is not None
        reader, writer = await asyncio.open_connection(address.hostname, address.port)
        writer.write(
            b"POST /graphql HTTP/1.1\r\nHost: newsroom\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1e3\r\n\r\n"
        )
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)
        writer.close()

    # Uvicorn's HTTP parser (h11) answers it: a plain 400, not a GraphQL response
    # (documented on the docs' Security page).
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert b"REQUEST_TOO_LARGE" not in answer
