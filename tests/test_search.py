"""Search as readers use it: words and phrases, relevance, orders, pages and snippets."""

from typing import Any

import pytest

from tests.factories import make_article, make_tag
from tests.graphql_client import GraphQLClient

SEARCH = """
query ($term: String!, $order: ArticleOrderBy, $first: Int, $after: String) {
  articles(filter: {search: $term}, orderBy: $order, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { slug searchSnippet }
  }
}
"""
LIST = "{ articles(first: 3) { nodes { slug searchSnippet } } }"


async def search(client: GraphQLClient, term: str, **variables: Any) -> dict[str, Any]:
    found: dict[str, Any] = (await client.data(SEARCH, {"term": term, **variables}))["articles"]
    return found


async def slugs(client: GraphQLClient, term: str, **variables: Any) -> list[str]:
    return [node["slug"] for node in (await search(client, term, **variables))["nodes"]]


async def test_words_match_whole_words_not_substrings(client: GraphQLClient) -> None:
    await make_article(slug="party", headline="The Party Congress Opens")
    await make_article(slug="art", headline="Art Fair Draws Crowds")

    assert await slugs(client, "art") == ["art"]
    assert await slugs(client, "part") == []


async def test_words_match_whatever_their_ending_case_and_accents(client: GraphQLClient) -> None:
    await make_article(slug="quake", headline="Quake Hits The Coast", body="One man was killed.")
    await make_article(slug="cafe", headline="A Café Reopens In Zürich")

    assert await slugs(client, "quakes") == ["quake"]
    assert await slugs(client, "QUAKE") == ["quake"]
    assert await slugs(client, "killing") == ["quake"]
    assert await slugs(client, "cafe zurich") == ["cafe"]


async def test_every_word_must_match_in_any_field(client: GraphQLClient) -> None:
    await make_tag(slug="arctic", name="Arctic")
    await make_article(
        slug="murmansk",
        headline="Putin Eyes Arctic Power",
        excerpt="Speaking in Murmansk, he set out plans.",
        tags=["arctic"],
    )
    await make_article(slug="putin-only", headline="Putin Meets Envoys")

    assert await slugs(client, "Putin Murmansk") == ["murmansk"]
    assert sorted(await slugs(client, "putin")) == ["murmansk", "putin-only"]
    assert await slugs(client, "putin nowhere") == []


async def test_quoted_phrases_match_in_order(client: GraphQLClient) -> None:
    await make_article(slug="phrase", body="North Korea sent more troops.")
    await make_article(slug="apart", body="Troops from the north of South Korea.")
    await make_article(slug="stopword", headline="A Storm In The Gulf Of Mexico")

    assert await slugs(client, '"north korea"') == ["phrase"]
    assert sorted(await slugs(client, "north korea")) == ["apart", "phrase"]
    assert await slugs(client, '"korea north"') == []
    # Stopwords keep their place: the phrase's words must be as far apart as typed.
    assert await slugs(client, "\u201cgulf of mexico\u201d") == ["stopword"]
    assert await slugs(client, '"gulf mexico"') == []


@pytest.mark.parametrize("term", ["the", ".*", "?!"])
async def test_a_search_of_no_words_matches_nothing(client: GraphQLClient, term: str) -> None:
    await make_article(headline="The Day After")

    assert await search(client, term) == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "nodes": [],
    }


async def test_headline_and_tag_matches_rank_above_body_mentions(client: GraphQLClient) -> None:
    await make_tag(slug="kursk-region", name="Kursk")
    await make_article(slug="body", body="Later in the piece, Kursk is mentioned once.")
    await make_article(slug="tag", headline="Troops Pulled Back", tags=["kursk-region"])
    await make_article(slug="headline", headline="Fighting In Kursk")
    await make_article(slug="excerpt", excerpt="The fighting in Kursk goes on.")

    assert await slugs(client, "kursk") == ["headline", "tag", "excerpt", "body"]


async def test_relevance_is_refused_without_a_search(client: GraphQLClient) -> None:
    query = "{ articles(orderBy: RELEVANCE) { nodes { slug } } }"

    body = await client.execute(query)

    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    assert "RELEVANCE" in body["errors"][0]["message"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("NEWEST", ["new", "old", "top"]),
        ("OLDEST", ["top", "old", "new"]),
        ("HEADLINE", ["new", "old", "top"]),
    ],
)
async def test_other_orders_still_work_with_a_search(
    client: GraphQLClient, order: str, expected: list[str]
) -> None:
    await make_article(slug="top", headline="Zebra Quake Quake")
    await make_article(slug="old", headline="Old quake", body="Quake again.")
    await make_article(slug="new", headline="New quake")
    await make_article(slug="unrelated", headline="Something else")

    assert await slugs(client, "quake", order=order) == expected


@pytest.mark.slow
async def test_relevance_pages_cover_every_match_once(client: GraphQLClient) -> None:
    for index in range(7):
        await make_article(slug=f"match-{index}", body="quake " * (index + 1))
    seen: list[str] = []
    after = None

    while True:
        page = await search(client, "quake", first=3, after=after)
        seen += [node["slug"] for node in page["nodes"]]
        assert page["totalCount"] == 7
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    assert seen == [f"match-{index}" for index in reversed(range(7))]


async def test_a_cursor_of_another_order_is_refused(client: GraphQLClient) -> None:
    await make_article(headline="Quake one")
    await make_article(headline="Quake two")
    page = await search(client, "quake", first=1)

    code = await client.error_code(
        SEARCH, {"term": "quake", "order": "NEWEST", "after": page["pageInfo"]["endCursor"]}
    )

    assert code == "BAD_USER_INPUT"


async def test_the_snippet_marks_the_words_in_the_best_passage(client: GraphQLClient) -> None:
    filler = " ".join(f"word{index}" for index in range(60))
    await make_article(
        slug="long",
        excerpt="Nothing to see.",
        body=f"{filler}\n\nTroops <b>pulled</b> back from Kursk after heavy losses. {filler}",
    )

    (node,) = (await search(client, "kursk troops"))["nodes"]

    snippet = node["searchSnippet"]
    assert "<mark>Troops</mark> &lt;b&gt;pulled&lt;/b&gt; back from <mark>Kursk</mark>" in snippet
    assert snippet.startswith("\u2026")
    assert snippet.endswith("\u2026")
    assert "<b>" not in snippet


async def test_no_snippet_outside_a_search(client: GraphQLClient) -> None:
    await make_article(headline="Quake")

    nodes = (await client.data(LIST))["articles"]["nodes"]

    assert [node["searchSnippet"] for node in nodes] == [None]
