"""Tags: the list, one by slug, and each tag's articles and count."""

from datetime import UTC, datetime, timedelta

from cms.status import ArticleStatus
from tests.factories import BASE_DATE, make_article, make_tag
from tests.graphql_client import GraphQLClient

TAGS = """
query ($first: Int!, $after: String) {
  tags(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { slug name articleCount }
  }
}
"""

TAGS_WITH_ARTICLES = """
{ tags(first: 5) { nodes { slug articles(first: 5) { totalCount nodes { slug } } } } }
"""

TAG = """
query ($slug: String!, $first: Int!, $after: String, $orderBy: ArticleOrderBy) {
  tag(slug: $slug) {
    slug name description articleCount
    articles(first: $first, after: $after, orderBy: $orderBy) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { slug }
    }
  }
}
"""


async def test_tags_list_in_slug_order_with_counts(client: GraphQLClient) -> None:
    for slug in ("russia", "asia", "gaza"):
        await make_tag(slug=slug, name=slug.title())
    await make_article(tags=["asia", "russia"])
    await make_article(tags=["asia"])
    await make_article(tags=["asia"], status=ArticleStatus.DRAFT)
    await make_article(tags=["asia"], published_at=datetime.now(UTC) + timedelta(days=1))

    first = (await client.data(TAGS, {"first": 2}))["tags"]
    rest = (await client.data(TAGS, {"first": 2, "after": first["pageInfo"]["endCursor"]}))["tags"]

    assert first["totalCount"] == 3
    assert first["nodes"] == [
        {"slug": "asia", "name": "Asia", "articleCount": 2},
        {"slug": "gaza", "name": "Gaza", "articleCount": 0},
    ]
    assert first["pageInfo"]["hasNextPage"] is True
    assert rest["nodes"] == [{"slug": "russia", "name": "Russia", "articleCount": 1}]
    assert rest["pageInfo"]["hasNextPage"] is False


async def test_a_tag_pages_through_its_published_articles(client: GraphQLClient) -> None:
    await make_tag(slug="quake", name="Earthquakes", description="Shaking ground.")
    for index in range(3):
        await make_article(
            slug=f"quake-{index}", tags=["quake"], published_at=BASE_DATE + timedelta(index)
        )
    await make_article(slug="untagged")
    await make_article(
        slug="future", tags=["quake"], published_at=datetime.now(UTC) + timedelta(days=1)
    )

    page = (await client.data(TAG, {"slug": "quake", "first": 2}))["tag"]
    cursor = page["articles"]["pageInfo"]["endCursor"]
    rest = (await client.data(TAG, {"slug": "quake", "first": 2, "after": cursor}))["tag"]

    assert page["name"] == "Earthquakes"
    assert page["description"] == "Shaking ground."
    assert page["articleCount"] == 3
    assert page["articles"]["totalCount"] == 3
    assert page["articles"]["nodes"] == [{"slug": "quake-2"}, {"slug": "quake-1"}]
    assert rest["articles"]["nodes"] == [{"slug": "quake-0"}]
    assert rest["articles"]["pageInfo"]["hasNextPage"] is False


async def test_a_tag_pages_oldest_first(client: GraphQLClient) -> None:
    await make_tag(slug="quake")
    for index in range(3):
        await make_article(
            slug=f"quake-{index}", tags=["quake"], published_at=BASE_DATE + timedelta(index)
        )
    variables = {"slug": "quake", "first": 2, "orderBy": "OLDEST"}

    page = (await client.data(TAG, variables))["tag"]["articles"]
    cursor = page["pageInfo"]["endCursor"]
    rest = (await client.data(TAG, variables | {"after": cursor}))["tag"]["articles"]

    assert page["nodes"] == [{"slug": "quake-0"}, {"slug": "quake-1"}]
    assert rest["nodes"] == [{"slug": "quake-2"}]


async def test_a_missing_tag_is_null(client: GraphQLClient) -> None:
    data = await client.data(TAG, {"slug": "nope", "first": 1})

    assert data == {"tag": None}


async def test_tags_page_size_is_bounded(client: GraphQLClient) -> None:
    body = await client.execute(TAGS, {"first": 101})

    assert body["errors"][0]["message"] == "`first` must be between 0 and 100; got 101."


async def test_each_tag_on_a_page_lists_its_own_articles(client: GraphQLClient) -> None:
    for slug in ("a", "b"):
        await make_tag(slug=slug)
    await make_article(slug="in-a", tags=["a"])
    await make_article(slug="in-b", tags=["b"])
    await make_article(slug="in-both", tags=["a", "b"], published_at=BASE_DATE + timedelta(9))

    data = await client.data(TAGS_WITH_ARTICLES)

    assert data["tags"]["nodes"] == [
        {
            "slug": "a",
            "articles": {"totalCount": 2, "nodes": [{"slug": "in-both"}, {"slug": "in-a"}]},
        },
        {
            "slug": "b",
            "articles": {"totalCount": 2, "nodes": [{"slug": "in-both"}, {"slug": "in-b"}]},
        },
    ]
