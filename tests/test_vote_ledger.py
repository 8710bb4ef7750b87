"""One vote per reader and article: re-votes, the voter cookie, and votes cut in half."""

import asyncio
import math
from datetime import timedelta
from typing import Any

import hypothesis
import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from pymongo.errors import AutoReconnect

from api.settings import Settings
from api.voters import COOKIE, MAX_AGE
from cms import maintenance
from cms.engagement.ratings import STARS
from cms.engagement.votes import counter_delta
from cms.spine import journal, liveness
from cms.spine.events import EventReader, EventType
from cms.spine.journal import Change, Operation
from tests.conftest import serving
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import vote_operation

VOTE = vote_operation(
    "__typename"
    " ... on VoteSuccess { rating { average count distribution { stars count } } }"
    " ... on VoteError { code message }"
)
RATING = (
    "query ($slug: String!) { article(slug: $slug) { rating { count distribution { count } } } }"
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Readers here vote more often than the rate limits let anyone (see test_rate_limits.py)."""
    return settings.model_copy(update={"vote_limit_per_address": 0, "vote_limit_per_voter": 0})


def model_counts(final_stars: dict[Any, int]) -> list[int]:
    """The distribution a set of voters' last stars should give: the simple model."""
    return [sum(1 for stars in final_stars.values() if stars == s) for s in STARS]


async def vote(reader: GraphQLClient, article_id: str, stars: int) -> dict[str, Any]:
    result: dict[str, Any] = (await reader.data(VOTE, {"articleId": article_id, "stars": stars}))[
        "vote"
    ]
    return result


async def counts(client: GraphQLClient, slug: str) -> tuple[int, list[int]]:
    rating = (await client.data(RATING, {"slug": slug}))["article"]["rating"]
    return rating["count"], [bucket["count"] for bucket in rating["distribution"]]


async def test_voting_again_moves_the_vote_instead_of_adding_one(client: GraphQLClient) -> None:
    article = await make_article(slug="changed-mind")
    reader, other = client.new_reader(), client.new_reader()
    await vote(other, global_id(article), 4)

    first = await vote(reader, global_id(article), 5)
    second = await vote(reader, global_id(article), 3)

    assert first["rating"]["count"] == 2
    assert second["rating"]["count"] == 2
    assert second["rating"]["average"] == 3.5  # (4 + 3) / 2: the 5 is gone
    assert await counts(client, "changed-mind") == (2, [0, 0, 1, 1, 0])


async def test_the_same_stars_again_change_nothing(client: GraphQLClient) -> None:
    article = await make_article(slug="same-again")
    reader = client.new_reader()
    reader_events = await EventReader.at_end()

    results = [await vote(reader, global_id(article), 4) for _ in range(3)]

    assert [result["rating"]["count"] for result in results] == [1, 1, 1]
    changes = [e for e in await reader_events.read() if e.type is EventType.RATING_CHANGED]
    assert [event.data for event in changes] == [{"stars": 4}]


async def test_a_first_vote_sets_a_long_lived_http_only_cookie(client: GraphQLClient) -> None:
    article = await make_article()
    reader = client.new_reader()

    response = await reader.http.post(
        "/graphql", json={"query": VOTE, "variables": {"articleId": global_id(article), "stars": 2}}
    )
    again = await reader.http.post(
        "/graphql", json={"query": VOTE, "variables": {"articleId": global_id(article), "stars": 3}}
    )

    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "path=/", "samesite=lax", f"max-age={MAX_AGE}"} <= attributes
    assert "secure" not in attributes  # plain HTTP: a Secure cookie would never come back
    assert "set-cookie" not in again.headers  # the reader has one already


@pytest.mark.parametrize(
    ("overrides", "base_url", "headers", "secure"),
    [
        ({}, "https://newsroom.test", {}, True),
        (
            {"trusted_proxies": "10.0.0.0/8"},
            "http://newsroom.test",
            {"x-forwarded-proto": "https"},
            True,
        ),
        ({}, "http://newsroom.test", {"x-forwarded-proto": "https"}, False),  # untrusted peer
        ({"voter_cookie_same_site": "none"}, "http://newsroom.test", {}, True),
    ],
)
async def test_the_cookie_is_secure_over_https(
    settings: Settings,
    overrides: dict[str, str],
    base_url: str,
    headers: dict[str, str],
    secure: bool,
) -> None:
    configured = Settings.model_validate(settings.model_dump() | overrides)
    async with serving(configured, peer=("10.1.2.3", 5000), base_url=base_url) as client:
        article = await make_article()
        response = await client.http.post(
            "/graphql",
            json={"query": VOTE, "variables": {"articleId": global_id(article), "stars": 4}},
            headers=headers,
        )

    attributes = {part.strip().lower() for part in response.headers["set-cookie"].split(";")}
    assert ("secure" in attributes) is secure


@pytest.mark.parametrize(
    "forge",
    [
        # Another voter id under the same signature.
        lambda value: ("x" if value[0] != "x" else "y") + value[1:],
        lambda value: value[:-1] + ("A" if value[-1] != "A" else "B"),  # a changed signature
        lambda value: value.split(".")[0],  # no signature
        lambda value: "garbage",
    ],
)
async def test_a_forged_cookie_counts_as_none(client: GraphQLClient, forge: Any) -> None:
    article = await make_article(slug="forged")
    honest = client.new_reader()
    await vote(honest, global_id(article), 5)
    genuine = honest.http.cookies[COOKIE]
    forger = client.new_reader()
    forger.http.cookies.set(COOKIE, forge(genuine), domain="newsroom.test")

    response = await forger.http.post(
        "/graphql", json={"query": VOTE, "variables": {"articleId": global_id(article), "stars": 1}}
    )

    # A new voter: the forger's vote is added, the honest reader's 5 stays.
    assert response.json()["data"]["vote"]["rating"]["count"] == 2
    assert response.headers["set-cookie"].startswith(f"{COOKIE}=")
    assert forger.http.cookies[COOKIE] != forge(genuine)
    assert await counts(client, "forged") == (2, [1, 0, 0, 0, 1])


@pytest.mark.slow
async def test_concurrent_votes_of_one_reader_leave_one_vote(client: GraphQLClient) -> None:
    article = await make_article(slug="indecisive")
    reader = client.new_reader()
    await vote(reader, global_id(article), 1)  # the cookie: from here on, one voter
    stars = [1 + index % 5 for index in range(20)]

    results = await asyncio.gather(*(vote(reader, global_id(article), s) for s in stars))

    assert {result["__typename"] for result in results} == {"VoteSuccess"}
    assert {result["rating"]["count"] for result in results} == {1}
    count, distribution = await counts(client, "indecisive")
    assert count == 1
    assert sorted(distribution) == [0, 0, 0, 0, 1]


def _fail_counters(patch: pytest.MonkeyPatch, error: Exception | None = None) -> None:
    """Make every vote stop between its ledger write and its counters write."""
    error = error or ConnectionError("the process died here")
    original = journal._apply_one

    async def crash(change: Change, op_id: str) -> dict[str, Any] | None:
        if change.collection == "ratings":
            raise error
        return await original(change, op_id)

    patch.setattr(journal, "_apply_one", crash)


@pytest.mark.slow
async def test_a_vote_cut_between_its_writes_is_completed_by_the_sweep_once(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app's own upkeep sweeps too, once the grace has passed: on a starved machine it could
    # take the cut vote before this test does. It has swept once at start; not again here.
    monkeypatch.setattr(maintenance, "SWEEP_EVERY", math.inf)
    article = await make_article(slug="cut")
    reader, other = client.new_reader(), client.new_reader()
    await vote(other, global_id(article), 2)
    with monkeypatch.context() as patch:
        _fail_counters(patch)
        # Cast by a process that then died (it never beats: `cms.spine.liveness`).
        patch.setattr(liveness, "PROCESS_ID", "a-process-that-died")
        body = await reader.execute(VOTE, {"articleId": global_id(article), "stars": 5})
    assert body["errors"]
    before = await counts(client, "cut")

    completed = await journal.sweep(older_than=timedelta(0))
    again = await journal.sweep(older_than=timedelta(0))

    assert before == (1, [0, 1, 0, 0, 0])  # the ledger has the 5, the counters not yet
    assert (completed, again) == (1, 0)
    assert await counts(client, "cut") == (2, [0, 1, 0, 0, 1])
    assert await Operation.find_all().count() == 0


async def test_a_vote_its_living_process_gave_up_is_completed_by_the_sweep(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's connection died between the two writes; the process lives on and beats."""
    monkeypatch.setattr(maintenance, "SWEEP_EVERY", math.inf)
    article = await make_article(slug="given-up")
    reader = client.new_reader()
    with monkeypatch.context() as patch:
        _fail_counters(patch, AutoReconnect("connection closed"))
        body = await reader.execute(VOTE, {"articleId": global_id(article), "stars": 5})
    await asyncio.sleep(0.01)
    await liveness.beat()  # alive, and applying nothing

    completed = await journal.sweep(older_than=timedelta(0))

    assert body["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert completed == 1
    assert await counts(client, "given-up") == (1, [0, 0, 0, 0, 1])
    assert await Operation.find_all().count() == 0


async def test_the_sweep_leaves_alone_a_vote_its_process_is_still_applying(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(maintenance, "SWEEP_EVERY", math.inf)
    article = await make_article(slug="slow")
    reached, release = asyncio.Event(), asyncio.Event()
    original = journal._apply_one

    async def slow(change: Change, op_id: str) -> dict[str, Any] | None:
        if change.collection == "ratings":
            reached.set()
            await release.wait()
        return await original(change, op_id)

    monkeypatch.setattr(journal, "_apply_one", slow)
    voting = asyncio.create_task(vote(client.new_reader(), global_id(article), 4))
    await reached.wait()
    await asyncio.sleep(0.01)
    await liveness.beat()  # alive, and busy with the vote

    swept = await journal.sweep(older_than=timedelta(0))
    release.set()
    result = await voting

    assert swept == 0
    assert result["rating"]["count"] == 1
    assert await counts(client, "slow") == (1, [0, 0, 0, 1, 0])


@pytest.mark.parametrize(("retry", "expected"), [(5, [0, 0, 0, 0, 1]), (3, [0, 0, 1, 0, 0])])
async def test_a_retry_completes_the_cut_vote_itself(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch, retry: int, expected: list[int]
) -> None:
    article = await make_article(slug="retried")
    reader = client.new_reader()
    with monkeypatch.context() as patch:
        _fail_counters(patch)
        await reader.execute(VOTE, {"articleId": global_id(article), "stars": 5})

    result = await vote(reader, global_id(article), retry)
    swept = await journal.sweep(older_than=timedelta(0))

    # The cut vote was completed before the retry built on it: counted once, never negative.
    assert result["rating"]["count"] == 1
    assert [bucket["count"] for bucket in result["rating"]["distribution"]] == expected
    assert swept == 0
    assert await counts(client, "retried") == (1, expected)


# One voter's history of stars, and the delta applied at each step, must always add up to the
# counters of their last vote: the arithmetic alone, over any sequence.
@given(st.lists(st.tuples(st.integers(0, 4), st.sampled_from(list(STARS))), max_size=60))
def test_counter_deltas_add_up_to_the_last_votes(votes: list[tuple[int, int]]) -> None:
    counters: dict[str, int] = {}
    last: dict[int, int] = {}
    for voter, stars in votes:
        for name, change in counter_delta(last.get(voter), stars).items():
            counters[name] = counters.get(name, 0) + change
        last[voter] = stars

    expected = model_counts(last)
    assert counters.get("votes", 0) == len(last)
    assert counters.get("star_total", 0) == sum(last.values())
    assert [counters.get(f"stars_{s}", 0) for s in STARS] == expected


@pytest.mark.slow
@hypothesis.settings(
    max_examples=8,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(st.tuples(st.integers(0, 3), st.sampled_from(list(STARS))), min_size=1, max_size=20)
)
async def test_votes_through_the_api_match_the_model(
    client: GraphQLClient, votes: list[tuple[int, int]]
) -> None:
    article = await make_article()
    readers = [client.new_reader() for _ in range(4)]
    last: dict[int, int] = {}

    for voter, stars in votes:
        result = await vote(readers[voter], global_id(article), stars)
        last[voter] = stars
        assert result["rating"]["count"] == len(last)

    assert await counts(client, article.slug) == (len(last), model_counts(last))
