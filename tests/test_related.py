""" "You may also like": ranking, limits, and never the article itself."""

from datetime import UTC, datetime, timedelta

import pytest

from cms.status import ArticleStatus
from tests.factories import BASE_DATE, make_article, make_tag
from tests.graphql_client import GraphQLClient

RELATED = """
query ($slug: String!, $first: Int!) {
  article(slug: $slug) { related(first: $first) { slug } }
}
"""


async def related_slugs(client: GraphQLClient, slug: str, first: int = 6) -> list[str]:
    data = await client.data(RELATED, {"slug": slug, "first": first})
    return [item["slug"] for item in data["article"]["related"]]


@pytest.mark.slow
async def test_ranked_by_shared_tags_then_section_then_date(client: GraphQLClient) -> None:
    for slug in ("war", "russia", "korea"):
        await make_tag(slug=slug)
    day = timedelta(days=1)
    await make_article(
        slug="source", tags=["war", "russia"], section="world", published_at=BASE_DATE
    )
    await make_article(slug="two-tags", tags=["war", "russia"], published_at=BASE_DATE - 9 * day)
    await make_article(slug="one-tag-same-section", tags=["war"], published_at=BASE_DATE - 8 * day)
    await make_article(
        slug="one-tag-near", tags=["russia"], section="asia", published_at=BASE_DATE + day
    )
    await make_article(
        slug="one-tag-far", tags=["russia"], section="asia", published_at=BASE_DATE + 5 * day
    )
    await make_article(slug="section-only", tags=["korea"], published_at=BASE_DATE - 2 * day)
    await make_article(slug="nearest-unrelated", section="asia", published_at=BASE_DATE + day)
    await make_article(
        slug="unpublished",
        tags=["war", "russia"],
        status=ArticleStatus.DRAFT,
        published_at=BASE_DATE,
    )
    await make_article(
        slug="not-yet", tags=["war", "russia"], published_at=datetime.now(UTC) + timedelta(days=1)
    )

    ranked = await related_slugs(client, "source", first=10)

    assert ranked == [
        "two-tags",
        "one-tag-same-section",
        "one-tag-near",
        "one-tag-far",
        "section-only",
        "nearest-unrelated",
    ]


async def test_an_untagged_article_gets_its_section_and_neighbours_in_time(
    client: GraphQLClient,
) -> None:
    await make_tag(slug="quake")
    await make_article(slug="untagged", section="world", published_at=BASE_DATE)
    await make_article(slug="world-far", section="world", published_at=BASE_DATE + timedelta(20))
    await make_article(slug="asia-near", tags=["quake"], section="asia", published_at=BASE_DATE)
    await make_article(slug="asia-far", section="asia", published_at=BASE_DATE - timedelta(9))

    assert await related_slugs(client, "untagged") == ["world-far", "asia-near", "asia-far"]


@pytest.mark.parametrize("first", [0, 1, 3])
async def test_first_limits_the_list(client: GraphQLClient, first: int) -> None:
    await make_article(slug="main")
    for index in range(5):
        await make_article(slug=f"other-{index}")

    ranked = await related_slugs(client, "main", first=first)

    assert len(ranked) == first
    assert "main" not in ranked


@pytest.mark.parametrize("first", [21, -1])
async def test_first_out_of_range_is_a_clear_error(client: GraphQLClient, first: int) -> None:
    await make_article(slug="main")

    body = await client.execute(RELATED, {"slug": "main", "first": first})

    assert body["errors"][0]["message"] == f"`first` must be between 0 and 20; got {first}."
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_an_article_alone_has_nothing_related(client: GraphQLClient) -> None:
    await make_article(slug="alone")

    assert await related_slugs(client, "alone") == []
