"""Generated operations, valid and not, against the whole schema: none may be answered with a 500
or reach the top-level errors as a bug.

hypothesis-graphql writes queries and mutations from the schema (and, in its negative mode,
documents that break it); a fixed seed makes every run send the same ones. They go over real
HTTP to the app, anonymously and with an editor's token, on the demo content.
"""

import json
import time
from datetime import UTC
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema

from api.schema import schema
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient

SEED = 17_2026
EXAMPLES = 300  # of each of the two modes: 600 operations, each sent once
BUDGET = 90.0

DATETIME = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat()),
    st.text(max_size=30),
).map(lambda text: graphql.StringValueNode(value=text))
# A file arrives only through a multipart request's map; inline, an Upload can be written only as
# a literal, which the server must refuse with a code (never a 500), whatever it is.
UPLOAD = st.one_of(
    st.just(graphql.NullValueNode()),
    st.text(max_size=20).map(lambda text: graphql.StringValueNode(value=text)),
)


def generated() -> list[str]:
    """The operations, always the same ones for the seed."""
    sdl = graphql.print_schema(schema._schema)
    documents: list[str] = []
    strategy = st.one_of(
        [
            from_schema(sdl, custom_scalars={"DateTime": DATETIME, "Upload": UPLOAD}, mode=mode)
            for mode in (Mode.POSITIVE, Mode.NEGATIVE)
        ]
    )

    @seed(SEED)
    @settings(
        max_examples=2 * EXAMPLES,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(document: object) -> None:
        documents.append(str(document))

    collect()
    return documents


def bugs(response: httpx.Response) -> list[Any]:
    """What in an answer would be a bug: a 5xx, or an error coded as one."""
    if response.status_code >= 500:
        return [response.status_code, response.text[:300]]
    try:
        body = response.json()
    except ValueError:
        return ["not JSON", response.text[:300]]
    return [
        error
        for error in body.get("errors") or []
        if error.get("extensions", {}).get("code") == "INTERNAL_SERVER_ERROR"
    ]


@pytest.mark.slow
async def test_no_generated_operation_is_a_bug(demo: GraphQLClient, tokens: Tokens) -> None:
    started = time.perf_counter()
    documents = generated()
    editor = {"authorization": f"Bearer {tokens.editor}"}
    found = []
    for index, document in enumerate(documents):
        # Every other one with an editor's token: the mutations behind it get run too.
        headers = {"content-type": "application/json"} | (editor if index % 2 else {})
        response = await demo.http.post(
            "/graphql", content=json.dumps({"query": document}), headers=headers
        )
        if problems := bugs(response):
            found.append((document, problems))
    took = time.perf_counter() - started

    print(f"fuzz: {len(documents)} operations in {took:.1f} s")
    assert found == []
    assert len(documents) >= 500
    assert took < BUDGET
