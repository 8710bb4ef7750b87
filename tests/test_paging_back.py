"""Every connection pages both ways, as Relay's `loadNext` and `loadPrevious` do."""

import json
from typing import Any

import pytest

from tests.factories import make_article, make_tag
from tests.graphql_client import GraphQLClient

PAGE_INFO = "pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
ARTICLES = f"""
query ($first: Int, $after: String, $last: Int, $before: String, $orderBy: ArticleOrderBy,
       $filter: ArticleFilter) {{
  articles(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy,
           filter: $filter) {{
    totalCount
    {PAGE_INFO}
    nodes {{ slug }}
  }}
}}
"""
TAG_ARTICLES = f"""
query ($slug: String!, $first: Int, $after: String, $last: Int, $before: String) {{
  tag(slug: $slug) {{
    articles(first: $first, after: $after, last: $last, before: $before, orderBy: null) {{
      {PAGE_INFO}
      nodes {{ slug }}
    }}
  }}
}}
"""
TAGS = f"""
query ($first: Int, $after: String, $last: Int, $before: String) {{
  tags(first: $first, after: $after, last: $last, before: $before) {{
    totalCount
    {PAGE_INFO}
    nodes {{ slug }}
  }}
}}
"""


def slugs(page: dict[str, Any]) -> list[str]:
    return [node["slug"] for node in page["nodes"]]


async def pages_back(
    client: GraphQLClient, query: str, path: str, variables: dict[str, Any]
) -> list[dict[str, Any]]:
    """From the end of a list to its start, `last` at a time, as `loadPrevious` walks."""
    found = []
    before = None
    while True:
        data = await client.data(query, variables | {"last": 3, "before": before, "first": None})
        page = data[path] if path != "tag" else data["tag"]["articles"]
        found.append(page)
        if not page["pageInfo"]["hasPreviousPage"]:
            return found[::-1]
        before = page["pageInfo"]["startCursor"]


@pytest.mark.parametrize(
    ("filter", "order"),
    [(None, None), (None, "OLDEST"), (None, "HEADLINE"), ({"search": "Story"}, None)],
    ids=["newest", "oldest", "headline", "search (from the store)"],
)
@pytest.mark.slow
async def test_articles_page_back_from_the_end_with_exact_page_info(
    client: GraphQLClient, filter: dict[str, str] | None, order: str | None
) -> None:
    for number in range(7):
        await make_article(slug=f"story-{number}", headline=f"Story {(number * 3) % 7}")
    variables = {"filter": filter, "orderBy": order}
    forwards = await client.data(ARTICLES, variables | {"first": 100})

    back = await pages_back(client, ARTICLES, "articles", variables)
    second = await client.data(
        ARTICLES, variables | {"first": 3, "after": back[0]["pageInfo"]["endCursor"]}
    )

    assert [slug for page in back for slug in slugs(page)] == slugs(forwards["articles"])
    assert [len(page["nodes"]) for page in back] == [1, 3, 3]
    assert [page["pageInfo"]["hasPreviousPage"] for page in back] == [False, True, True]
    assert [page["pageInfo"]["hasNextPage"] for page in back] == [True, True, False]
    # Forwards from a cursor: the page before it exists, exactly.
    assert second["articles"]["pageInfo"]["hasPreviousPage"] is True
    assert slugs(second["articles"]) == slugs(back[1])
    assert forwards["articles"]["pageInfo"]["hasPreviousPage"] is False


@pytest.mark.slow
async def test_tag_articles_and_tags_page_back_too(client: GraphQLClient) -> None:
    for number in range(5):
        await make_tag(slug=f"topic-{number}")
    for number in range(4):
        await make_article(slug=f"tagged-{number}", tags=["topic-0"])
    await make_article(slug="untagged")

    tag_pages = await pages_back(client, TAG_ARTICLES, "tag", {"slug": "topic-0"})
    tag_pages_forward = await client.data(TAG_ARTICLES, {"slug": "topic-0", "first": 10})
    tags = await pages_back(client, TAGS, "tags", {})

    assert [slug for page in tag_pages for slug in slugs(page)] == slugs(
        tag_pages_forward["tag"]["articles"]
    )
    assert len(tag_pages) == 2
    assert [slug for page in tags for slug in slugs(page)] == [f"topic-{n}" for n in range(5)]
    assert [page["pageInfo"]["hasNextPage"] for page in tags] == [True, False]


@pytest.mark.slow
async def test_null_means_the_default_and_never_prints_python(client: GraphQLClient) -> None:
    for number in range(12):
        await make_article(slug=f"item-{number}")

    response = await client.execute(
        ARTICLES, {"first": None, "after": None, "orderBy": None, "filter": None}
    )
    tags = await client.execute(TAG_ARTICLES, {"slug": "none", "first": None})

    assert "errors" not in response
    assert slugs(response["data"]["articles"]) == [f"item-{n}" for n in range(11, 1, -1)]
    assert "None" not in json.dumps(response)
    assert tags == {"data": {"tag": None}}


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"before": "x"}, "`before` pages backwards: give `last` with it."),
        ({"last": 2, "after": "x"}, "not `after` with `last`"),
        ({"last": -1}, "`last` must be between 0 and 100; got -1."),
        ({"first": 101}, "`first` must be between 0 and 100; got 101."),
        ({"last": 2, "before": "bm90IGEgY3Vyc29y"}, "is not a cursor from this list and order"),
    ],
)
async def test_a_page_that_cannot_be_read_is_a_bad_request(
    client: GraphQLClient, variables: dict[str, Any], message: str
) -> None:
    response = await client.execute(ARTICLES, variables)

    (error,) = response["errors"]
    assert message in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "None" not in error["message"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ('{ article(slug: "x") { related(first: null) { slug } } }', None),
        ("query ($first: Int!) { articles(first: $first) { totalCount } }", {"first": None}),
        ("{ articles(preview: null) { totalCount } }", None),
    ],
    ids=["literal", "variable", "boolean"],
)
async def test_a_null_where_a_value_is_required_is_called_null(
    client: GraphQLClient, query: str, variables: dict[str, Any] | None
) -> None:
    response = await client.execute(query, variables)

    (error,) = response["errors"]
    assert "not to be null" in error["message"]
    assert "None" not in error["message"]
