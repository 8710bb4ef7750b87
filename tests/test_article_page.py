"""The seed page (../shared/seed/article-page.txt), rendered from one query on the demo content."""

import pytest

from api.examples import ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES, VOTE_MUTATION
from tests.graphql_client import GraphQLClient

RELATED_RANKING = """
query ($slug: String!) { article(slug: $slug) { related(first: 12) { slug } } }
"""
# The demo's other stories about North Korea's soldiers, Kursk, and Russia's war.
NORTH_KOREA_AND_RUSSIA = {
    "north-korean-troops-pulled-back-from-kursk-front-lines",
    "north-korean-casualties-in-russia-near-4000-seoul-lawmaker-says",
    "ukraine-captures-two-north-korean-soldiers-in-kursk",
    "russian-envoy-says-north-korea-treated-wounded-russian-soldiers",
    "shoigu-visits-pyongyang-conveys-putin-greetings-to-kim",
    "us-concerned-russia-could-share-space-technology-with-north-korea",
    "north-korea-tests-ai-powered-attack-drones",
    "north-korea-fires-ballistic-missiles-as-allied-drills-begin",
    "north-korea-test-fires-hypersonic-missile",
    "russia-and-ukraine-agree-to-halt-attacks-in-black-sea",
    "what-russia-wants-in-return-for-a-black-sea-truce",
    "trump-and-putin-agree-to-pause-strikes-on-energy-infrastructure",
    "russian-drone-attack-injures-nine-in-kharkiv",
}
OFF_TOPIC = {
    "aid-workers-killed-and-missing-in-gaza-as-israeli-blockade-continues",
    "turkish-student-at-tufts-university-handcuffed-by-masked-individuals",
    "israel-strikes-southern-beirut-after-accusing-hezbollah-of-rocket-fire",
    "massive-earthquake-kills-over-694-and-injures-1600-in-myanmar-and-thailand",
}

CAPTION = (
    "Kim Jong Un watched a cadet train on the parallel bars during his visit to Kang Kon "
    "Military Academy in Pyongyang, North Korea, on February 25, 2025."
)


@pytest.mark.slow
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


@pytest.mark.slow
async def test_the_untagged_seed_gets_stories_about_north_korea_and_russia(
    demo: GraphQLClient,
) -> None:
    data = await demo.data(RELATED_RANKING, ARTICLE_PAGE_VARIABLES)

    ranked = [item["slug"] for item in data["article"]["related"]]
    # It has no tags: what it says is what relates it. The page's own list put a Beirut strike,
    # the Myanmar quake and a Tufts student first; readers of this story want these.
    assert set(ranked[:6]) <= NORTH_KOREA_AND_RUSSIA, ranked
    on_topic = [ranked.index(slug) for slug in NORTH_KOREA_AND_RUSSIA if slug in ranked]
    elsewhere = [ranked.index(slug) for slug in OFF_TOPIC if slug in ranked]
    assert max(on_topic) < min(elsewhere, default=len(ranked)), ranked


@pytest.mark.slow
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
