"""A search for a word in thousands of articles reads its head document, not every shard.

The index is laid out small here (shards of 8 postings, heads of 5 leaders) so that 42 articles
behave as a common word does in an archive of 100,000.
"""

from typing import Any

import pytest

from cms import discovery
from cms.articles import Article
from cms.search import reindex
from cms.status import ArticleStatus
from tests.exactness import assert_exact
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import UPDATE_ARTICLE

PAGE = """
query ($term: String!, $first: Int, $after: String, $last: Int, $before: String) {
  articles(first: $first, after: $after, last: $last, before: $before, filter: {search: $term}) {
    totalCount totalCountIsEstimate
    pageInfo { hasNextPage hasPreviousPage endCursor }
    nodes { slug }
  }
}
"""
DELETE = "mutation ($id: ID!) { deleteArticle(id: $id) { __typename } }"


@pytest.fixture(autouse=True)
def small_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reindex, "SHARD_SIZE", 8)
    monkeypatch.setattr(reindex, "TOP", 5)


async def storms(count: int = 42, **overrides: Any) -> list[Article]:
    """Articles in which "storm" weighs more or less: from once to eight times in the body."""
    return [
        await make_article(
            slug=f"storm-{index}",
            headline=f"Report {index}",
            body=" ".join(["Storm"] * (1 + index % 8) + ["ahead", "of", "us"] * (index % 5)),
            **overrides,
        )
        for index in range(count)
    ]


async def page(client: GraphQLClient, **variables: Any) -> dict[str, Any]:
    data = await client.data(PAGE, {"term": "storm"} | variables)
    found: dict[str, Any] = data["articles"]
    return found


async def exact_order(client: GraphQLClient) -> list[str]:
    """Every match in relevance order, read backwards from the end: the path that reads every
    shard."""
    found = await page(client, last=100)
    assert not found["totalCountIsEstimate"]
    return [node["slug"] for node in found["nodes"]]


async def walked(client: GraphQLClient, size: int) -> list[str]:
    """Every match, a page of `size` at a time from the first."""
    slugs: list[str] = []
    after = None
    while True:
        found = await page(client, first=size, after=after)
        slugs += [node["slug"] for node in found["nodes"]]
        if not found["pageInfo"]["hasNextPage"]:
            return slugs
        assert found["nodes"], "a page promised more and gave none"
        after = found["pageInfo"]["endCursor"]


async def head() -> dict[str, Any]:
    terms = Article.get_pymongo_collection().database["search_terms"]
    found: dict[str, Any] | None = await terms.find_one({"_id": "storm"})
    assert found is not None
    return found


@pytest.mark.slow
async def test_a_common_word_is_paged_from_its_leaders_and_its_count_estimated(
    client: GraphQLClient, editor: GraphQLClient
) -> None:
    articles = await storms()
    await discovery.rebuild()
    laid = await head()
    assert laid["n"] == 42
    assert laid["top"].count("\n") == 4
    assert "p" not in laid

    order = await exact_order(client)
    assert len(order) == 42
    assert order[0] == "storm-15"
    first = await page(client, first=3)
    assert [node["slug"] for node in first["nodes"]] == order[:3]
    assert (first["totalCount"], first["totalCountIsEstimate"]) == (42, True)
    assert first["pageInfo"]["hasNextPage"]
    assert not first["pageInfo"]["hasPreviousPage"]
    # From the leaders while they last, then from every shard: one order, nothing twice.
    assert await walked(client, 2) == order
    assert await walked(client, 7) == order

    # Writes go to the head, where the next search finds them: a new leader, a leader
    # deleted, one weakened below the others.
    top, second = (next(a for a in articles if a.slug == slug) for slug in order[:2])
    await editor.data(DELETE, {"id": global_id(top)})
    weaker = {"body": "A storm, far away, of which little is said here at all."}
    variables = {"id": global_id(second), "version": second.version, "input": weaker}
    assert (await editor.data(UPDATE_ARTICLE, variables))["updateArticle"]["__typename"]
    await make_article(slug="storm-new", headline="Storm", body="Storm storm storm storm.")
    changed = await head()
    assert set(changed["p"].values()) >= {""}
    assert len(changed["p"]) == 3
    shards = Article.get_pymongo_collection().database["search_terms"]
    assert not await shards.count_documents({"_id": {"$regex": "^storm#"}, "p": {"$exists": 1}})
    order = await exact_order(client)
    assert order[0] == "storm-new"
    assert top.slug not in order
    assert order.index(second.slug) > 5
    assert await walked(client, 2) == order
    # An estimate: the edited article counts twice until the next reindex.
    assert (await page(client, first=1))["totalCount"] == 43

    # The next reindex packs the head's changes into the shards, which is no repair.
    await assert_exact()
    assert "p" not in await head()
    assert await walked(client, 3) == order
    assert (await page(client, first=2))["totalCount"] == 42

    # What a reader may not see is not counted: a share of the leaders, of the whole.
    hidden = await make_article(
        slug="storm-draft", headline="Storm", body="Storm " * 20, status=ArticleStatus.DRAFT
    )
    await assert_exact()
    assert str(hidden.id) in (await head())["top"]
    assert hidden.slug not in await walked(client, 2)
    # Signed in, so not from the response cache. The draft is one of the five leaders.
    public = await page(editor, first=2)
    assert (public["totalCount"], public["totalCountIsEstimate"]) == (round(43 * 4 / 5), True)


@pytest.mark.slow
async def test_a_word_whose_leaders_are_all_its_matches_is_counted_exactly(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reindex, "TOP", 50)
    await storms(40)
    await discovery.rebuild()
    assert (await head())["top"].count("\n") == 39
    found = await page(client, first=3)
    assert (found["totalCount"], found["totalCountIsEstimate"]) == (40, False)
    assert await walked(client, 3) == await exact_order(client)
