"""The star widget: votes, their typed errors, and counts that survive concurrency.

Each vote here is cast by a reader of its own (`client.new_reader()`: its own cookie jar, so its
own voter), since one reader has one vote per article; re-votes are in test_vote_ledger.py.
"""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from strawberry import relay

from api.settings import Settings
from cms.status import ArticleStatus
from tests.factories import global_id, make_article, make_tag
from tests.graphql_client import GraphQLClient
from tests.operations import vote_operation

VOTE = vote_operation(
    "__typename"
    " ... on VoteSuccess { article { slug } rating { average count distribution { stars count } } }"
    " ... on ArticleNotFound { code message }"
    " ... on InvalidStars { code message }"
)

RATING = """
query ($slug: String!) {
  article(slug: $slug) { rating { average count distribution { stars count } } }
}
"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """All these readers vote from the test client's one address: no per-address limit here."""
    return settings.model_copy(update={"vote_limit_per_address": 0})


def distribution(*counts: int) -> list[dict[str, int]]:
    return [{"stars": stars, "count": count} for stars, count in enumerate(counts, start=1)]


async def test_an_article_without_votes_rates_zero(client: GraphQLClient) -> None:
    await make_article(slug="fresh")

    data = await client.data(RATING, {"slug": "fresh"})

    assert data["article"]["rating"] == {
        "average": 0.0,
        "count": 0,
        "distribution": distribution(0, 0, 0, 0, 0),
    }


async def test_votes_update_the_rating(client: GraphQLClient) -> None:
    article = await make_article(slug="rated")

    results = [
        (await client.new_reader().data(VOTE, {"articleId": global_id(article), "stars": s}))[
            "vote"
        ]
        for s in (5, 4, 4)
    ]
    read_back = await client.data(RATING, {"slug": "rated"})

    assert [result["__typename"] for result in results] == ["VoteSuccess"] * 3
    assert results[0]["rating"]["average"] == 5.0
    expected = {"average": 4.3, "count": 3, "distribution": distribution(0, 0, 0, 2, 1)}
    assert results[-1]["rating"] == expected
    assert results[-1]["article"] == {"slug": "rated"}
    assert read_back["article"]["rating"] == expected


@pytest.mark.parametrize(
    ("votes", "average"),
    [((1, 2), 1.5), ((5, 4, 4, 4), 4.3), ((4, 4, 4, 5), 4.3), ((5, 5, 4), 4.7), ((1, 1, 2), 1.3)],
)
async def test_the_average_rounds_half_up_to_one_decimal(
    client: GraphQLClient, votes: tuple[int, ...], average: float
) -> None:
    article = await make_article(slug="rounded")

    for stars in votes:
        await client.new_reader().data(VOTE, {"articleId": global_id(article), "stars": stars})
    rating = (await client.data(RATING, {"slug": "rounded"}))["article"]["rating"]

    assert rating["average"] == average


@pytest.mark.parametrize("stars", [0, 6, -1, 100])
async def test_stars_out_of_range_are_refused(client: GraphQLClient, stars: int) -> None:
    article = await make_article(slug="strict")

    result = (await client.data(VOTE, {"articleId": global_id(article), "stars": stars}))["vote"]
    rating = (await client.data(RATING, {"slug": "strict"}))["article"]["rating"]

    assert result == {
        "__typename": "InvalidStars",
        "code": "INVALID_STARS",
        "message": f"Stars must be a whole number from 1 to 5; got {stars}.",
    }
    assert rating["count"] == 0


async def test_voting_on_a_missing_article_is_refused(client: GraphQLClient) -> None:
    draft = await make_article(status=ArticleStatus.DRAFT)
    future = await make_article(published_at=datetime.now(UTC) + timedelta(hours=1))
    tag_id = str(relay.GlobalID("Tag", str((await make_tag()).id)))
    unknown_ids = [
        global_id(draft),
        global_id(future),
        tag_id,
        "not-a-global-id",
        str(draft.id),
        str(relay.GlobalID("Article", "not-an-object-id")),
    ]

    for article_id in unknown_ids:
        result = (await client.data(VOTE, {"articleId": article_id, "stars": 3}))["vote"]

        assert result == {
            "__typename": "ArticleNotFound",
            "code": "ARTICLE_NOT_FOUND",
            "message": f"No published article has the ID {article_id!r}.",
        }


@pytest.mark.slow
async def test_concurrent_votes_are_all_counted(client: GraphQLClient) -> None:
    article = await make_article(slug="popular")
    stars = [1 + index % 5 for index in range(500)]

    readers = [client.new_reader() for _ in stars]

    results = await asyncio.gather(
        *(
            reader.data(VOTE, {"articleId": global_id(article), "stars": s})
            for reader, s in zip(readers, stars, strict=True)
        )
    )
    rating = (await client.data(RATING, {"slug": "popular"}))["article"]["rating"]

    assert all(result["vote"]["__typename"] == "VoteSuccess" for result in results)
    assert rating == {"average": 3.0, "count": 500, "distribution": distribution(*[100] * 5)}
    # Every vote saw a distinct count: none was lost or applied twice.
    counts = sorted(result["vote"]["rating"]["count"] for result in results)
    assert counts == list(range(1, 501))
