"""Reading articles: one by slug or ID, lists with filters, orders and cursor pagination."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from strawberry import relay

from cms.status import ArticleStatus
from tests.factories import BASE_DATE, global_id, make_article, make_tag
from tests.graphql_client import GraphQLClient

ARTICLE_BY_SLUG = """
query ($slug: String!) {
  article(slug: $slug) {
    id slug headline author section excerpt publishedAt updatedAt
    image { url caption credit alt }
    html: body
    markdown: body(format: MARKDOWN)
    text: body(format: TEXT)
    tags { slug name }
  }
}
"""

TAG_ID = "query ($slug: String!) { tag(slug: $slug) { id } }"

DEFAULT_ARTICLES = "{ articles { totalCount edges { node { slug } } } }"

NODE = """
query ($id: ID!) { node(id: $id) { __typename id ... on Article { slug } ... on Tag { slug } } }
"""

ARTICLES = """
query ($first: Int!, $after: String, $filter: ArticleFilter, $orderBy: ArticleOrderBy!) {
  articles(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { slug } }
  }
}
"""


async def list_slugs(client: GraphQLClient, **variables: object) -> list[str]:
    data = await client.data(ARTICLES, {"first": 100, "orderBy": "NEWEST", **variables})
    return [edge["node"]["slug"] for edge in data["articles"]["edges"]]


@pytest.mark.slow
async def test_an_article_by_slug_has_every_field(client: GraphQLClient) -> None:
    await make_tag(slug="asia", name="Asia")
    article = await make_article(
        slug="quake",
        headline="Quake hits",
        tags=["asia"],
        body="A **strong** quake.\n\n<script>alert(1)</script>",
    )

    data = await client.data(ARTICLE_BY_SLUG, {"slug": "quake"})

    found = data["article"]
    assert found["id"] == global_id(article)
    assert found["headline"] == "Quake hits"
    assert found["publishedAt"] == article.published_at.isoformat()
    assert found["image"]["credit"] == "AP"
    assert found["html"] == (
        "<p>A <strong>strong</strong> quake.</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    )
    assert found["markdown"] == article.body
    assert found["text"] == "A strong quake.\n\n<script>alert(1)</script>"
    assert found["tags"] == [{"slug": "asia", "name": "Asia"}]


async def test_a_missing_slug_is_null_not_an_error(client: GraphQLClient) -> None:
    data = await client.data(ARTICLE_BY_SLUG, {"slug": "no-such-article"})

    assert data == {"article": None}


@pytest.mark.parametrize(
    ("status", "published_in"),
    [
        (ArticleStatus.DRAFT, timedelta(days=-1)),
        (ArticleStatus.REVIEW, timedelta(days=-1)),
        (ArticleStatus.ARCHIVED, timedelta(days=-1)),
        (ArticleStatus.SCHEDULED, timedelta(days=1)),
        (ArticleStatus.PUBLISHED, timedelta(days=1)),
    ],
)
@pytest.mark.slow
async def test_unpublished_articles_are_invisible_everywhere(
    client: GraphQLClient, status: ArticleStatus, published_in: timedelta
) -> None:
    hidden = await make_article(
        slug="hidden", status=status, published_at=datetime.now(UTC) + published_in
    )
    await make_article(slug="shown")

    by_slug = await client.data(ARTICLE_BY_SLUG, {"slug": "hidden"})
    by_id = await client.data(NODE, {"id": global_id(hidden)})
    listed = await list_slugs(client)

    assert by_slug["article"] is None
    assert by_id["node"] is None
    assert listed == ["shown"]


async def test_a_scheduled_article_appears_once_its_time_has_come(client: GraphQLClient) -> None:
    await make_article(
        slug="due", status=ArticleStatus.SCHEDULED, published_at=datetime.now(UTC) - timedelta(1)
    )

    assert await list_slugs(client) == ["due"]


@pytest.mark.slow
async def test_node_fetches_articles_and_tags_by_global_id(client: GraphQLClient) -> None:
    article = await make_article(slug="by-id")
    tag = await make_tag(slug="by-id-tag")

    found_article = await client.data(NODE, {"id": global_id(article)})
    tag_id = (await client.data(TAG_ID, {"slug": "by-id-tag"}))["tag"]["id"]
    found_tag = await client.data(NODE, {"id": tag_id})

    assert found_article["node"] == {
        "__typename": "Article",
        "id": global_id(article),
        "slug": "by-id",
    }
    assert found_tag["node"] == {"__typename": "Tag", "id": tag_id, "slug": tag.slug}


@pytest.mark.parametrize(
    "node_id",
    [
        str(relay.GlobalID("Article", "650000000000000000000000")),
        str(relay.GlobalID("Article", "not-an-object-id")),
        str(relay.GlobalID("Invoice", "650000000000000000000000")),
        "not base64 at all",
    ],
)
async def test_node_with_an_id_that_names_nothing_is_null(
    client: GraphQLClient, node_id: str
) -> None:
    body = await client.execute(NODE, {"id": node_id})

    assert body == {"data": {"node": None}}


async def test_node_ids_are_case_insensitive_hex(client: GraphQLClient) -> None:
    article = await make_article(slug="shouting")

    data = await client.data(NODE, {"id": str(relay.GlobalID("Article", str(article.id).upper()))})

    assert data["node"]["slug"] == "shouting"


async def test_a_query_too_deep_is_refused_before_it_runs(client: GraphQLClient) -> None:
    related = "related { " * 8 + "slug" + " }" * 8

    body = await client.execute(f"{{ articles {{ nodes {{ {related} }} }} }}")

    # Refused before execution, so the response has no `data` at all.
    assert "data" not in body
    (error,) = body["errors"]
    assert "exceeds maximum operation depth" in error["message"]
    assert error["extensions"] == {"code": "QUERY_TOO_DEEP"}


@pytest.mark.slow
async def test_articles_default_to_ten_newest_first(client: GraphQLClient) -> None:
    for hour in range(12):
        await make_article(slug=f"a{hour:02}", published_at=BASE_DATE + timedelta(hours=hour))

    data = await client.data(DEFAULT_ARTICLES)

    slugs = [edge["node"]["slug"] for edge in data["articles"]["edges"]]
    assert slugs == [f"a{hour:02}" for hour in range(11, 1, -1)]
    assert data["articles"]["totalCount"] == 12


async def test_pages_follow_one_another_without_gaps_or_repeats(client: GraphQLClient) -> None:
    # Two articles share a publication time: the cursor must still tell them apart.
    for index in range(7):
        await make_article(slug=f"p{index}", published_at=BASE_DATE + timedelta(hours=index // 2))
    seen: list[str] = []
    after = None
    pages = []

    while True:
        variables = {"first": 3, "after": after, "orderBy": "NEWEST"}
        connection = (await client.data(ARTICLES, variables))["articles"]
        pages.append(connection)
        seen += [edge["node"]["slug"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert sorted(seen) == [f"p{index}" for index in range(7)]
    assert len(seen) == 7
    assert [len(page["edges"]) for page in pages] == [3, 3, 1]
    assert [page["totalCount"] for page in pages] == [7, 7, 7]
    assert pages[0]["pageInfo"]["hasPreviousPage"] is False
    assert pages[1]["pageInfo"]["hasPreviousPage"] is True
    assert pages[1]["pageInfo"]["startCursor"] == pages[1]["edges"][0]["cursor"]


async def test_the_last_full_page_says_there_is_no_next_page(client: GraphQLClient) -> None:
    for index in range(4):
        await make_article(slug=f"e{index}")

    page = (await client.data(ARTICLES, {"first": 4, "orderBy": "OLDEST"}))["articles"]

    assert page["pageInfo"]["hasNextPage"] is False
    assert [edge["node"]["slug"] for edge in page["edges"]] == ["e0", "e1", "e2", "e3"]


async def test_an_empty_list_has_no_cursors(client: GraphQLClient) -> None:
    page = (await client.data(ARTICLES, {"first": 5, "orderBy": "NEWEST"}))["articles"]

    assert page == {
        "totalCount": 0,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "edges": [],
    }


async def test_first_zero_counts_without_listing(client: GraphQLClient) -> None:
    await make_article()

    page = (await client.data(ARTICLES, {"first": 0, "orderBy": "NEWEST"}))["articles"]

    assert page["edges"] == []
    assert page["totalCount"] == 1
    assert page["pageInfo"]["hasNextPage"] is True


@pytest.mark.parametrize("first", [101, 1000, -1])
async def test_a_page_size_out_of_range_is_a_clear_error(client: GraphQLClient, first: int) -> None:
    body = await client.execute(ARTICLES, {"first": first, "orderBy": "NEWEST"})

    (error,) = body["errors"]
    assert error["message"] == f"`first` must be between 0 and 100; got {first}."
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["path"] == ["articles"]


@pytest.mark.parametrize("cursor", ["garbage", "WyJvbGRlc3QiLCIyMDI1IiwiYWJjIl0"])
async def test_a_foreign_or_broken_cursor_is_a_clear_error(
    client: GraphQLClient, cursor: str
) -> None:
    body = await client.execute(ARTICLES, {"first": 5, "after": cursor, "orderBy": "NEWEST"})

    (error,) = body["errors"]
    assert "is not a cursor from this list and order" in error["message"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}


@pytest.mark.parametrize(
    ("first_list", "second_list"),
    [
        ({"orderBy": "HEADLINE"}, {"orderBy": "NEWEST"}),
        ({"orderBy": "NEWEST", "filter": {"section": "world"}}, {"orderBy": "NEWEST"}),
        (
            {"orderBy": "NEWEST", "filter": {"tag": "a"}},
            {"orderBy": "NEWEST", "filter": {"tag": "b"}},
        ),
    ],
)
async def test_a_cursor_from_another_list_or_order_is_refused(
    client: GraphQLClient, first_list: dict[str, object], second_list: dict[str, object]
) -> None:
    await make_article(tags=["a", "b"])
    page = (await client.data(ARTICLES, {"first": 1, **first_list}))["articles"]
    cursor = page["pageInfo"]["endCursor"]

    body = await client.execute(ARTICLES, {"first": 1, "after": cursor, **second_list})

    (error,) = body["errors"]
    assert error["message"] == f"{cursor!r} is not a cursor from this list and order."
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_orders(client: GraphQLClient) -> None:
    await make_article(slug="b", headline="Beta", published_at=BASE_DATE)
    await make_article(slug="a", headline="Alpha", published_at=BASE_DATE + timedelta(days=2))
    await make_article(slug="c", headline="Gamma", published_at=BASE_DATE + timedelta(days=1))

    assert await list_slugs(client, orderBy="NEWEST") == ["a", "c", "b"]
    assert await list_slugs(client, orderBy="OLDEST") == ["b", "c", "a"]
    assert await list_slugs(client, orderBy="HEADLINE") == ["a", "b", "c"]


@pytest.mark.slow
async def test_headline_order_pages_through_ties(client: GraphQLClient) -> None:
    for index in range(5):
        await make_article(slug=f"same{index}", headline="Same headline")
    seen: list[str] = []
    after = None
    for _ in range(3):
        variables = {"first": 2, "after": after, "orderBy": "HEADLINE"}
        connection = (await client.data(ARTICLES, variables))["articles"]
        seen += [edge["node"]["slug"] for edge in connection["edges"]]
        after = connection["pageInfo"]["endCursor"]

    assert seen == [f"same{index}" for index in range(5)]
    assert connection["pageInfo"]["hasNextPage"] is False


async def test_filters_combine(client: GraphQLClient) -> None:
    await make_tag(slug="quakes")
    await make_article(slug="old-quake", tags=["quakes"], section="asia", published_at=BASE_DATE)
    await make_article(
        slug="new-quake",
        tags=["quakes"],
        section="asia",
        headline="Myanmar earthquake",
        published_at=BASE_DATE + timedelta(days=10),
    )
    await make_article(slug="europe", section="europe", published_at=BASE_DATE + timedelta(days=5))

    after = (BASE_DATE + timedelta(days=1)).isoformat()
    before = (BASE_DATE + timedelta(days=6)).isoformat()
    assert await list_slugs(client, filter={"tag": "quakes"}) == ["new-quake", "old-quake"]
    assert await list_slugs(client, filter={"section": "europe"}) == ["europe"]
    assert await list_slugs(client, filter={"publishedAfter": after}) == ["new-quake", "europe"]
    assert await list_slugs(client, filter={"publishedBefore": before}) == ["europe", "old-quake"]
    assert await list_slugs(
        client, filter={"publishedAfter": after, "publishedBefore": before}
    ) == ["europe"]
    assert await list_slugs(client, filter={"tag": "quakes", "section": "europe"}) == []


async def test_time_filters_honour_utc_offsets(client: GraphQLClient) -> None:
    await make_article(slug="before", published_at=BASE_DATE - timedelta(minutes=1))
    await make_article(slug="after", published_at=BASE_DATE + timedelta(minutes=1))
    # BASE_DATE is 12:00 UTC, that is 14:00 at +02:00.
    same_instant = BASE_DATE.astimezone(timezone(timedelta(hours=2))).isoformat()

    assert await list_slugs(client, filter={"publishedAfter": same_instant}) == ["after"]
    assert await list_slugs(client, filter={"publishedBefore": same_instant}) == ["before"]


async def test_search_is_case_insensitive_and_literal(client: GraphQLClient) -> None:
    await make_article(slug="head", headline="Earthquake In Myanmar")
    await make_article(slug="excerpt", excerpt="Rescuers reach the EARTHQUAKE zone.")
    await make_article(slug="body", body="After the earthquake, aid arrived.")
    await make_article(slug="other", headline="Wildfires (again)")

    found = await list_slugs(client, filter={"search": "earthquake"})
    regex_chars = await list_slugs(client, filter={"search": "(again)"})
    no_match = await list_slugs(client, filter={"search": ".*"})
    blank = await list_slugs(client, filter={"search": "   "})

    assert sorted(found) == ["body", "excerpt", "head"]
    assert regex_chars == ["other"]
    assert no_match == []
    assert sorted(blank) == ["body", "excerpt", "head", "other"]
