"""The seed page (../shared/seed/article-page.txt), rendered from one query on the demo content."""

from api.examples import ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES, VOTE_MUTATION
from tests.graphql_client import GraphQLClient

CAPTION = (
    "Kim Jong Un watched a cadet train on the parallel bars during his visit to Kang Kon "
    "Military Academy in Pyongyang, North Korea, on February 25, 2025."
)


async def test_the_seed_article_page_renders_from_one_query(demo: GraphQLClient) -> None:
    data = await demo.data(ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES)

    article = data["article"]
    assert article["headline"].startswith("North Korea Sends 3,000 More Troops To Russia")
    assert article["publishedAt"].startswith("2025-03-27")
    assert article["image"]["caption"] == CAPTION
    assert article["image"]["credit"] == "REUTERS"
    assert article["image"]["url"].startswith("https://")
    assert article["tags"] == []  # "Tags:" is empty on the page.
    assert "11,000" in article["body"]
    assert article["body"].startswith("<p>")
    assert article["rating"] == {
        "average": 0.0,
        "count": 0,
        "distribution": [{"stars": stars, "count": 0} for stars in range(1, 6)],
    }
    related = article["related"]
    assert len(related) == 12
    assert len({item["slug"] for item in related}) == 12
    assert ARTICLE_PAGE_VARIABLES["slug"] not in {item["slug"] for item in related}
    assert all(item["headline"] and item["excerpt"] for item in related)


async def test_the_page_has_the_related_stories_of_the_same_days(demo: GraphQLClient) -> None:
    data = await demo.data(
        """query ($slug: String!) {
          article(slug: $slug) { section related(first: 12) { section publishedAt } }
        }""",
        ARTICLE_PAGE_VARIABLES,
    )

    related = data["article"]["related"]
    # Untagged, so its own section leads, then the stories closest in time: all within days.
    assert related[0]["section"] == data["article"]["section"]
    assert all(item["publishedAt"][:7] in {"2025-03", "2025-04", "2025-02"} for item in related)


async def test_a_reader_votes_on_the_seed_article(demo: GraphQLClient) -> None:
    article_id = (await demo.data(ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES))["article"]["id"]

    vote = await demo.data(VOTE_MUTATION, {"articleId": article_id, "stars": 4})
    page = await demo.data(ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES)

    assert vote["vote"] == {"__typename": "VoteSuccess", "rating": {"average": 4.0, "count": 1}}
    assert page["article"]["rating"]["count"] == 1
