"""Every malformed request is a clear, coded error, answered without touching the store."""

import json
from typing import Any

import pytest

from tests.graphql_client import CommandCounter, GraphQLClient

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"
TYPENAME = '{"query": "{ __typename }"}'
COUNT_ARTICLES = "query CountArticles { articles { totalCount } }"
COUNT_ARTICLES_BODY = json.dumps({"query": COUNT_ARTICLES})
TWO_OPERATIONS = "query Count { articles { totalCount } } query Name { __typename }"
TOO_DEEP = "{ articles { nodes { " + "related { " * 8 + "slug" + " }" * 8 + " } } }"
TOO_MANY_ALIASES = "{ " + " ".join(f"a{index}: __typename" for index in range(21)) + " }"
TOO_MANY_TOKENS = "{ " + "__typename " * 2001 + "}"
PAGE_OF = "query ($first: Int) { articles(first: $first) { totalCount } }"
ARTICLE_BY_SLUG = "query ($slug: String!) { article(slug: $slug) { id } }"


def deeply_nested(depth: int) -> bytes:
    inner = "[" * depth + "]" * depth
    return f'{{"query": "{{ __typename }}", "variables": {{"v": {inner}}}}}'.encode()


def refusal(code: str, body: dict[str, Any]) -> str:
    """The one error's message, after checking the body is exactly one coded error."""
    (error,) = body["errors"]
    assert set(body) == {"errors"}
    assert set(error) == {"message", "extensions"}
    assert error["extensions"] == {"code": code}
    assert "None" not in error["message"]
    message: str = error["message"]
    return message


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(b'"x"', "must be a JSON object", id="a string"),
        pytest.param(b"null", "must be a JSON object", id="null"),
        pytest.param(b"true", "must be a JSON object", id="true"),
        pytest.param(b"12", "must be a JSON object", id="a number"),
        pytest.param(b"[" + TYPENAME.encode() + b"]", "Batches are not supported", id="a batch"),
        pytest.param(b"[" * 60_000, "nests JSON too deeply", id="nested 60k deep"),
        pytest.param(deeply_nested(40), "more than 32 levels deep", id="nested 40 deep"),
        pytest.param(b'{"query": "\xff"}', "not valid UTF-8", id="invalid UTF-8"),
        pytest.param(b'{"query": ', "not valid JSON", id="cut short"),
        pytest.param(b"", "The request body is empty", id="empty"),
        pytest.param(b'{"qeury": "{ __typename }"}', "needs a `query`", id="no query"),
        pytest.param(b'{"query": null}', "needs a `query`", id="null query"),
        pytest.param(b'{"query": 7}', "`query` must be a string", id="query not a string"),
        pytest.param(b'{"query": " "}', "`query` is empty", id="blank query"),
        pytest.param(
            b'{"query": "{ __typename }", "variables": [7]}',
            "`variables` must be a JSON object",
            id="variables a list",
        ),
        pytest.param(
            b'{"query": "{ __typename }", "operationName": false}',
            "`operationName` must be a string",
            id="operationName false",
        ),
        pytest.param(
            b'{"query": "{ __typename }", "extensions": "x"}',
            "`extensions` must be a JSON object",
            id="extensions a string",
        ),
        # Python reads no integer of more than 4,300 digits: a ValueError, and so a 500, before.
        pytest.param(
            b'{"query": "{ __typename }", "variables": {"n": ' + b"7" * 5000 + b"}}",
            "a number too long to read",
            id="a 5,000-digit number in variables",
        ),
        pytest.param(
            b'{"query": "{ __typename }", "extensions": {"n": [' + b"7" * 5000 + b"]}}",
            "a number too long to read",
            id="a 5,000-digit number in extensions",
        ),
        pytest.param(
            b'{"query": "{ __typename }", "variables": {"n": NaN}}',
            "NaN is not JSON",
            id="NaN",
        ),
        # A JSON escape can carry a lone surrogate, which the document's hash cannot encode.
        pytest.param(
            b'{"query": "{ article(slug: \\"\\ud800\\") { id } }"}',
            "lone surrogate",
            id="a lone surrogate in the query",
        ),
        pytest.param(
            b'{"query": "{ __typename }", "operationName": "\\udfff"}',
            "`operationName` must be a string",
            id="a lone surrogate in operationName",
        ),
    ],
)
async def test_a_malformed_body_is_a_bad_request(
    client: GraphQLClient, commands: CommandCounter, body: bytes, message: str
) -> None:
    commands.reset()

    response = await client.http.post(
        "/graphql", content=body, headers={"content-type": JSON, "accept": GRAPHQL_RESPONSE}
    )

    assert response.status_code == 400
    assert message in refusal("BAD_REQUEST", response.json())
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    assert commands.names == []


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"],
)
async def test_a_body_that_is_not_json_in_utf8_is_refused(
    client: GraphQLClient, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}

    response = await client.http.post("/graphql", content=TYPENAME, headers=headers)

    assert response.status_code == 415
    refusal("UNSUPPORTED_MEDIA_TYPE", response.json())


async def test_json_in_utf8_is_accepted_with_or_without_a_charset(client: GraphQLClient) -> None:
    for content_type in (JSON, "application/json; charset=UTF-8"):
        response = await client.http.post(
            "/graphql", content=TYPENAME, headers={"content-type": content_type}
        )

        assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
async def test_other_methods_are_not_allowed(client: GraphQLClient, method: str) -> None:
    response = await client.http.request(method, "/graphql")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    if method != "HEAD":
        refusal("METHOD_NOT_ALLOWED", response.json())


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"query": ["{ __typename }", "{ __typename }"]}, "`query` appears more than once"),
        ({"query": "query ($n: Int) { __typename }", "variables": "{"}, "not valid JSON"),
        ({"query": "{ __typename }", "variables": "[1]"}, "`variables` must be a JSON object"),
        ({"operationName": "Count"}, "needs a `query`"),
        ({"query": "{ __typename }", "variables": '{"n": ' + "7" * 5000 + "}"}, "too long"),
    ],
)
async def test_a_malformed_get_is_a_bad_request(
    client: GraphQLClient, params: dict[str, Any], message: str
) -> None:
    response = await client.http.get("/graphql", params=params)

    assert response.status_code == 400
    assert message in refusal("BAD_REQUEST", response.json())


async def test_a_query_string_that_is_not_utf8_is_a_bad_request(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql?query=%FF")

    assert response.status_code == 400
    assert "not valid UTF-8" in refusal("BAD_REQUEST", response.json())


async def test_get_variables_are_json(client: GraphQLClient) -> None:
    params = {"query": PAGE_OF, "variables": json.dumps({"first": 3})}

    response = await client.http.get("/graphql", params=params)

    assert response.json() == {"data": {"articles": {"totalCount": 0}}}


@pytest.mark.parametrize(
    "accept", ["text/plain", "application/xml, text/*", "application/json;q=0"]
)
async def test_a_get_whose_accept_header_allows_no_json_is_not_acceptable(
    client: GraphQLClient, accept: str
) -> None:
    response = await client.http.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"accept": accept}
    )

    assert response.status_code == 406
    refusal("NOT_ACCEPTABLE", response.json())


@pytest.mark.parametrize(
    "accept",
    [
        "text/plain",
        "text/html",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif;q=0.8",
    ],
)
async def test_a_post_is_always_an_operation_answered_in_json(
    client: GraphQLClient, accept: str
) -> None:
    """Even from a browser that prefers HTML: it runs and answers JSON, never GraphiQL's page."""
    response = await client.http.post(
        "/graphql", content=COUNT_ARTICLES_BODY, headers={"content-type": JSON, "accept": accept}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == f"{JSON}; charset=utf-8"
    assert response.json() == {"data": {"articles": {"totalCount": 0}}}


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        (None, JSON),
        ("*/*", JSON),
        (JSON, JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE}, {JSON};q=0.9", GRAPHQL_RESPONSE),
        (f"{GRAPHQL_RESPONSE};q=0.5, {JSON}", JSON),
    ],
)
async def test_the_answer_uses_the_preferred_media_type(
    client: GraphQLClient, accept: str | None, media_type: str
) -> None:
    headers = {"content-type": JSON} | ({"accept": accept} if accept else {})

    response = await client.http.post("/graphql", content=TYPENAME, headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert response.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    ("query", "variables", "operation_name", "code"),
    [
        pytest.param("{ articles { ", None, None, "GRAPHQL_PARSE_FAILED", id="syntax"),
        pytest.param(TOO_MANY_TOKENS, None, None, "TOO_MANY_TOKENS", id="tokens"),
        pytest.param(TOO_DEEP, None, None, "QUERY_TOO_DEEP", id="depth"),
        pytest.param(TOO_MANY_ALIASES, None, None, "TOO_MANY_ALIASES", id="aliases"),
        pytest.param("{ nope }", None, None, "GRAPHQL_VALIDATION_FAILED", id="unknown field"),
        pytest.param(
            '{ articles(first: "ten") { totalCount } }',
            None,
            None,
            "BAD_USER_INPUT",
            id="bad literal",
        ),
        pytest.param(PAGE_OF, {"first": "ten"}, None, "BAD_USER_INPUT", id="bad variable"),
        pytest.param(ARTICLE_BY_SLUG, None, None, "BAD_USER_INPUT", id="missing variable"),
        pytest.param(
            TWO_OPERATIONS, None, None, "OPERATION_RESOLUTION_FAILURE", id="two operations"
        ),
        pytest.param(
            COUNT_ARTICLES, None, "Other", "OPERATION_RESOLUTION_FAILURE", id="unknown name"
        ),
        pytest.param(
            "fragment F on Query { __typename }",
            None,
            None,
            "OPERATION_RESOLUTION_FAILURE",
            id="no operation",
        ),
        # Strawberry's depth limiter looked the fragment up and raised KeyError: a 500.
        pytest.param("{ ...Nowhere }", None, None, "GRAPHQL_VALIDATION_FAILED", id="no fragment"),
        # graphql-core's Int parser raised ValueError on it: a 500.
        pytest.param(
            "{ articles(first: " + "1" * 5000 + ") { totalCount } }",
            None,
            None,
            "BAD_USER_INPUT",
            id="a 5,000-digit Int",
        ),
        pytest.param(
            "{ " + "__typename " * 6 + "}", None, None, "QUERY_TOO_COMPLEX", id="repeated field"
        ),
    ],
)
async def test_a_document_refused_before_it_runs_has_a_code_and_no_data(
    client: GraphQLClient,
    commands: CommandCounter,
    query: str,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    code: str,
) -> None:
    request = {"query": query, "variables": variables, "operationName": operation_name}
    commands.reset()

    legacy = await client.http.post("/graphql", json=request, headers={"accept": JSON})
    current = await client.http.post("/graphql", json=request, headers={"accept": GRAPHQL_RESPONSE})

    # Legacy clients trust only 200; a client that reads the new media type learns from 400.
    assert legacy.status_code == 200
    assert current.status_code == 400
    assert current.headers["content-type"] == f"{GRAPHQL_RESPONSE}; charset=utf-8"
    for body in (legacy.json(), current.json()):
        assert "data" not in body
        assert body["errors"]
        for error in body["errors"]:
            assert error["extensions"] == {"code": code}
            assert "None" not in error["message"]
    assert commands.names == []


async def test_several_operations_run_only_the_named_one(client: GraphQLClient) -> None:
    request = {"query": TWO_OPERATIONS, "operationName": "Name"}

    response = await client.http.post("/graphql", json=request)

    assert response.json() == {"data": {"__typename": "Query"}}


async def test_two_operations_without_a_name_say_what_to_do(client: GraphQLClient) -> None:
    body = await client.execute(TWO_OPERATIONS)

    assert body["errors"][0]["message"] == (
        "The document has 2 operations: name the one to run in `operationName`."
    )


async def test_field_errors_are_answered_200_with_data(client: GraphQLClient) -> None:
    response = await client.http.post(
        "/graphql",
        json={"query": "{ articles(first: 500) { totalCount } }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )

    assert response.status_code == 200
    body = response.json()
    assert "data" in body
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_messages_echo_only_a_short_prefix_of_the_input(client: GraphQLClient) -> None:
    name = "x" * 5000

    body = await client.execute(f"{{ {name} }}")

    message = body["errors"][0]["message"]
    assert message.startswith("Cannot query field 'xxxxxxxx")
    assert len(message) < 120


async def test_suggestions_are_made_in_development(client: GraphQLClient) -> None:
    misspelt = await client.execute("{ artcles { totalCount } }")
    bad_enum = await client.execute(
        "query ($order: ArticleOrderBy) { articles(orderBy: $order) { totalCount } }",
        {"order": "NEWES"},
    )

    assert "Did you mean 'articles'" in misspelt["errors"][0]["message"]
    assert "Did you mean the enum value 'NEWEST'?" in bad_enum["errors"][0]["message"]


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_subscription_over_http_is_refused_with_a_code(
    client: GraphQLClient, method: str
) -> None:
    query = "subscription { articlePublished { slug } }"

    response = await client.http.request(
        method,
        "/graphql",
        params={"query": query} if method == "GET" else None,
        json={"query": query} if method == "POST" else None,
    )

    # Strawberry ran it as a query: "Cannot return null for non-nullable field", a 500.
    assert response.status_code == 400
    assert "over WebSocket" in refusal("SUBSCRIPTION_OVER_HTTP", response.json())
