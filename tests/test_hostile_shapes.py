"""Requests that cannot hurt: a small document that would expand into a huge one (fragments,
introspection, repeated fields, subscriptions) is answered or refused at once, over HTTP and
WebSocket, and the event loop serving everyone else never waits on it."""

import json
import statistics
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.graphql_client import GraphQLClient
from tests.in_process import uvicorn_serving
from tests.live_client import LiveClient
from tests.loop_lag import loop_lag

INTROSPECTION = Path(__file__).parent / "introspection"
# The worst a probe may hold the loop (tests/loop_lag.py): other requests wait this long.
MAX_LAG = 0.1
ROUNDS = 5


def fragment_chain(levels: int, bottom: str, on: str = "Query", root: str = "query") -> str:
    """Each fragment spreads the next twice: `bottom` appears 2**(levels-1) times, opened."""
    spreads = " ".join(
        f"fragment F{level} on {on} {{ ...F{level + 1} ...F{level + 1} }}"
        for level in range(levels - 1)
    )
    return f"{root} {{ ...F0 }} {spreads} fragment F{levels - 1} on {on} {{ {bottom} }}"


# 704 bytes, and 1.4 s on the loop before fragments were measured once each.
FAN_OUT = fragment_chain(18, "__typename")
INTROSPECTION_BOMB = (
    "query { "
    + " ".join(f"a{index}: __schema {{ ...S }}" for index in range(20))
    + " } fragment S on __Schema { types { fields { type { fields { name } } } } }"
)
PROBES: dict[str, tuple[str, str | None]] = {
    # name: (document, the code it is refused with, or None when it runs)
    "fragment fan-out": (FAN_OUT, None),
    "fragment fan-out, 60 levels": (fragment_chain(60, "__typename"), None),
    "fragment fan-out of aliases": (
        fragment_chain(18, "a: __typename"),
        "TOO_MANY_ALIASES",
    ),
    "fragment fan-out of articles": (
        fragment_chain(18, "articles(first: 100) { nodes { body } }"),
        "QUERY_TOO_COSTLY",
    ),
    "fragment fan-out in depth": (
        "{ articles { nodes { ...R0 } } } "
        + " ".join(f"fragment R{n} on Article {{ related {{ ...R{n + 1} }} }}" for n in range(9))
        + " fragment R9 on Article { slug }",
        "QUERY_TOO_DEEP",
    ),
    "introspection through 20 aliases": (INTROSPECTION_BOMB, "QUERY_TOO_COSTLY"),
    "introspection nested 16 deep": (
        '{ __type(name: "Query") { fields { type { '
        + "ofType { " * 13
        + "name"
        + " }" * 13
        + " } } } }",
        "QUERY_TOO_DEEP",
    ),
    "one field 400 times": ("{ " + "articles { totalCount } " * 400 + "}", "QUERY_TOO_COMPLEX"),
    "__typename 1,900 times": ("{ " + "__typename " * 1900 + "}", "QUERY_TOO_COMPLEX"),
    "one field 400 times in inline fragments": (
        "{ " + "... on Query { articles { totalCount } } " * 150 + "}",
        "QUERY_TOO_COMPLEX",
    ),
    "fragments nested past the recursion limit": (
        "{ ...C0 } "
        + " ".join(f"fragment C{n} on Query {{ ...C{n + 1} }}" for n in range(240))
        + " fragment C240 on Query { __typename }",
        # graphql-core's own guard for its recursive rules ("Validation aborted.").
        "GRAPHQL_VALIDATION_FAILED",
    ),
}


async def post(http: httpx.AsyncClient, query: str) -> httpx.Response:
    return await http.post(
        "/graphql",
        content=json.dumps({"query": query}),
        headers={"content-type": "application/json"},
    )


def code_of(body: dict[str, Any]) -> str | None:
    errors = body.get("errors")
    if not errors:
        return None
    code: str = errors[0]["extensions"]["code"]
    return code


@pytest.mark.parametrize("probe", PROBES)
async def test_a_hostile_shape_is_answered_without_holding_the_loop(
    client: GraphQLClient, probe: str
) -> None:
    document, refused_with = PROBES[probe]
    timings, lags = [], []
    for round in range(ROUNDS):
        async with loop_lag() as lag:
            started = time.perf_counter()
            # A new text each time (a comment): no cache of parses or validations helps.
            response = await post(client.http, f"{document}\n# {round}")
            timings.append(time.perf_counter() - started)
        lags.append(lag.worst)

    assert response.status_code == 200, response.text
    body = response.json()
    assert code_of(body) == refused_with, body
    if refused_with is None:
        assert body["data"]
    # The median round: this machine is shared, and one round can be held up by anything.
    held = statistics.median(lags)
    assert held < MAX_LAG, f"{probe}: the loop waited {held * 1000:.0f} ms"
    print(
        f"{probe}: median {statistics.median(timings) * 1000:.1f} ms, "
        f"loop lag median {held * 1000:.1f} ms, worst {max(lags) * 1000:.1f} ms"
    )


async def test_the_fan_out_costs_nothing_more_at_any_depth(client: GraphQLClient) -> None:
    body = (await post(client.http, fragment_chain(40, "__typename"))).json()

    # 2**39 `__typename` merged into one, as a GraphQL server must answer it.
    assert body == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize("tool", ["graphiql", "codegen"])
async def test_the_full_introspection_of_graphiql_and_codegen_still_runs(
    client: GraphQLClient, tool: str
) -> None:
    # graphql-js 16's getIntrospectionQuery, with the options GraphiQL 3 (the playground) and
    # GraphQL Code Generator's URL loader ask for (tests/introspection/*.graphql).
    document = (INTROSPECTION / f"{tool}.graphql").read_text()

    body = (await post(client.http, document)).json()

    assert "errors" not in body, body["errors"]
    types = {named["name"] for named in body["data"]["__schema"]["types"]}
    assert {"Query", "Article", "Subscription"} <= types


async def test_introspection_counts_in_the_cost_by_the_schema_served(
    client: GraphQLClient,
) -> None:
    listing = '{ __type(name: "Article") { fields { name } } }'
    one_bomb = "{ __schema { types { fields { type { fields { name } } } } } }"

    small = (await post(client.http, listing)).json()
    large = (await post(client.http, one_bomb)).json()
    bomb = (await post(client.http, INTROSPECTION_BOMB)).json()

    assert "errors" not in small
    assert code_of(large) == code_of(bomb) == "QUERY_TOO_COSTLY"
    # Twenty aliases of the same fragment cost twenty times one.
    assert bomb["errors"][0]["extensions"]["cost"] == 20 * large["errors"][0]["extensions"]["cost"]


@pytest.fixture
async def served(settings: Settings) -> AsyncIterator[str]:
    async with uvicorn_serving(settings) as url:
        yield url


SUBSCRIPTION_BOMB = """
subscription { articlePublished { related(first: 20) { body related(first: 20) { body
  related(first: 20) { body } } } } }
"""
SUBSCRIPTION_PROBES: dict[str, tuple[str, str]] = {
    "fragment fan-out": (
        fragment_chain(18, "articlePublished { slug }", on="Subscription", root="subscription"),
        # 2**17 times the one root field, each counted (execution would merge them).
        "QUERY_TOO_COSTLY",
    ),
    "fragment fan-out of aliases": (
        fragment_chain(18, "a: articlePublished { slug }", "Subscription", "subscription"),
        "TOO_MANY_ALIASES",
    ),
    "cost per event": (SUBSCRIPTION_BOMB, "QUERY_TOO_COSTLY"),
    "depth": (
        "subscription { articlePublished { " + "related { " * 9 + "slug" + " }" * 9 + " } }",
        "QUERY_TOO_DEEP",
    ),
    "one field 400 times": (
        "subscription { articlePublished { " + "slug " * 400 + "} }",
        "QUERY_TOO_COMPLEX",
    ),
}


@pytest.mark.parametrize("probe", SUBSCRIPTION_PROBES)
async def test_a_hostile_subscription_is_refused_at_subscribe_time(served: str, probe: str) -> None:
    document, code = SUBSCRIPTION_PROBES[probe]
    async with LiveClient.connect(served) as live:
        async with loop_lag() as lag:
            started = time.perf_counter()
            await live.subscribe("bomb", document)
            refused = await live.receive()
            took = time.perf_counter() - started
        # The socket stays open for other subscriptions.
        await live.subscribe("fine", "subscription { articlePublished { slug } }")
        await live.send({"id": "fine", "type": "complete"})
        await live.send({"type": "ping"})
        pong = await live.receive()

    # graphql-transport-ws's answer to a subscription that cannot run: `error`, with the
    # errors as its payload.
    assert refused["id"] == "bomb"
    assert refused["type"] == "error", refused
    assert refused["payload"][0]["extensions"]["code"] == code
    assert pong == {"type": "pong"}
    assert lag.worst < MAX_LAG, f"{probe}: the loop waited {lag.worst_ms:.0f} ms"
    print(f"ws {probe}: {took * 1000:.1f} ms, lag {lag.worst_ms:.1f}")


async def test_a_subscription_costs_what_the_same_query_would_per_event(served: str) -> None:
    async with LiveClient.connect(served) as live:
        await live.subscribe("bomb", SUBSCRIPTION_BOMB)
        refused = await live.receive()

    extensions = refused["payload"][0]["extensions"]
    # One article, 20 related, 400 of theirs, 8,000 of theirs: each an object and a body.
    assert extensions["cost"] == 1 + 11 * (20 + 400 + 8000)
    assert extensions["limit"] == 5000
