"""The seed page (../shared/seed/article-page.txt), rendered from one query on the demo content."""

from datetime import datetime, timedelta

from api.examples import ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES, VOTE_MUTATION
from tests.graphql_client import GraphQLClient

RELATED_RANKING = """
query ($slug: String!) {
  article(slug: $slug) { section publishedAt related(first: 12) { section publishedAt } }
}
"""

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
        "id": article["rating"]["id"],
        "average": 0.0,
        "count": 0,
        "distribution": [{"stars": stars, "count": 0} for stars in range(1, 6)],
    }
    related = article["related"]
    assert len(related) == 12
    assert len({item["slug"] for item in related}) == 12
    assert ARTICLE_PAGE_VARIABLES["slug"] not in {item["slug"] for item in related}
    assert all(item["headline"] and item["excerpt"] for item in related)


async def test_the_untagged_seed_gets_its_section_then_its_neighbours_in_time(
    demo: GraphQLClient,
) -> None:
    data = await demo.data(RELATED_RANKING, ARTICLE_PAGE_VARIABLES)

    article = data["article"]
    published = datetime.fromisoformat(article["publishedAt"])
    ranking = [
        (
            item["section"] != article["section"],
            abs(datetime.fromisoformat(item["publishedAt"]) - published),
        )
        for item in article["related"]
    ]
    assert ranking == sorted(ranking)
    assert ranking[0][0] is False  # the demo has other `world` stories: they lead
    # The rest are the stories of the same week, as on the page.
    assert all(distance < timedelta(days=7) for other, distance in ranking if other)


async def test_a_reader_votes_on_the_seed_article(demo: GraphQLClient) -> None:
    article_id = (await demo.data(ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES))["article"]["id"]

    vote = await demo.data(VOTE_MUTATION, {"articleId": article_id, "stars": 4})
    page = await demo.data(ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES)

    # The article comes back with its rating, as on the page: a normalizing cache updates it.
    assert vote["vote"] == {
        "__typename": "VoteSuccess",
        "article": {"id": article_id, "rating": page["article"]["rating"]},
    }
    assert page["article"]["rating"]["count"] == 1
    assert page["article"]["rating"]["average"] == 4.0
