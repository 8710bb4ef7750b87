"""Authors as people: bylines in order, author pages, the filter, JSON-LD, and what editors may
send (through the public API)."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from strawberry import relay

from cms.authors import Author
from cms.status import ArticleStatus
from tests.factories import BASE_DATE, make_article, make_author
from tests.graphql_client import GraphQLClient

BYLINE = """
query ($slug: String!) {
  article(slug: $slug) {
    author credit structuredData
    authors { slug name title url bio links { website x } }
  }
}
"""

AUTHOR_PAGE = """
query ($slug: String!, $first: Int, $after: String, $last: Int, $before: String,
       $preview: Boolean! = false) {
  author(slug: $slug, preview: $preview) {
    name
    articles(first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      nodes { slug }
    }
  }
}
"""

AUTHORS = """
query ($first: Int, $after: String, $last: Int, $before: String) {
  authors(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { slug }
  }
}
"""

FILTERED = """
query ($author: String!, $search: String) {
  articles(first: 10, filter: {author: $author, search: $search}) {
    totalCount
    nodes { slug }
  }
}
"""

CREATE_AUTHOR = """
mutation ($input: AuthorInput!) {
  createAuthor(input: $input) {
    __typename
    ... on AuthorSaved { author { id slug name } }
    ... on UserError { code field message }
    ... on InvalidInput { problems { field message } }
  }
}
"""

DELETE_AUTHOR = """
mutation ($id: ID!) {
  deleteAuthor(id: $id) {
    __typename
    ... on AuthorDeleted { slug }
    ... on AuthorInUse { message articles }
  }
}
"""

CREATE_ARTICLE = """
mutation ($input: ArticleInput!) {
  createArticle(input: $input) {
    __typename
    ... on ArticleSaved { article { slug author credit authors { slug name } } }
    ... on InvalidInput { problems { field message } }
  }
}
"""


def author_id(author: Author) -> str:
    return str(relay.GlobalID("Author", str(author.id)))


async def test_a_byline_names_its_authors_in_order_with_pages_and_person_json_ld(
    client: GraphQLClient,
) -> None:
    ada = await make_author(slug="ada-byron", name="Ada Byron", title="Science editor")
    bo = await make_author(slug="bo-kim", name="Bo Kim", links={"website": "https://bo.example"})
    cy = await make_author(slug="cy-ng", name="Cy Ng", bio="Writes *about* quakes.")
    await make_article(slug="three", authors=["cy-ng", "ada-byron", "bo-kim"])
    await make_article(slug="two", authors=["bo-kim", "ada-byron"])
    await make_article(slug="wire", author="Reuters")
    await make_article(slug="both", authors=["cy-ng"], credit="AFP")

    three = (await client.data(BYLINE, {"slug": "three"}))["article"]
    two = (await client.data(BYLINE, {"slug": "two"}))["article"]
    wire = (await client.data(BYLINE, {"slug": "wire"}))["article"]
    both = (await client.data(BYLINE, {"slug": "both"}))["article"]

    assert [a["slug"] for a in three["authors"]] == ["cy-ng", "ada-byron", "bo-kim"]
    assert three["author"] == "Cy Ng, Ada Byron and Bo Kim"
    assert two["author"] == "Bo Kim and Ada Byron"
    assert (wire["author"], wire["credit"], wire["authors"]) == ("Reuters", "Reuters", [])
    assert (both["author"], both["credit"]) == ("Cy Ng", "AFP")
    first = three["authors"][1]
    assert first["name"] == ada.name
    assert first["title"] == "Science editor"
    assert first["url"] == "http://localhost:3000/authors/ada-byron"
    assert three["authors"][0]["bio"] == "<p>Writes <em>about</em> quakes.</p>\n"
    assert two["authors"][0]["links"] == {"website": "https://bo.example", "x": None}
    people = json.loads(three["structuredData"])["author"]
    assert people == [
        {"@type": "Person", "name": name, "url": f"http://localhost:3000/authors/{slug}"}
        for slug, name in (("cy-ng", "Cy Ng"), ("ada-byron", "Ada Byron"), ("bo-kim", "Bo Kim"))
    ]
    assert json.loads(wire["structuredData"])["author"] == [
        {"@type": "Organization", "name": "Reuters"}
    ]
    assert json.loads(both["structuredData"])["author"][-1] == {
        "@type": "Organization",
        "name": "AFP",
    }
    assert {bo.slug, cy.slug} <= {a["slug"] for a in three["authors"]}


async def test_an_authors_page_lists_their_public_articles_newest_first_both_ways(
    client: GraphQLClient, previewer: GraphQLClient
) -> None:
    await make_author(slug="hana-seo", name="Hana Seo")
    await make_author(slug="other", name="Other")
    for number in range(5):
        await make_article(
            slug=f"hana-{number}",
            authors=["other", "hana-seo"] if number == 2 else ["hana-seo"],
            published_at=BASE_DATE + timedelta(hours=number),
        )
    await make_article(slug="hana-draft", authors=["hana-seo"], status=ArticleStatus.DRAFT)
    await make_article(
        slug="hana-later", authors=["hana-seo"], published_at=datetime.now(UTC) + timedelta(days=1)
    )
    await make_article(slug="not-hana", authors=["other"])

    first = (await client.data(AUTHOR_PAGE, {"slug": "hana-seo", "first": 2}))["author"]
    page = first["articles"]
    after = {"slug": "hana-seo", "first": 2, "after": page["pageInfo"]["endCursor"]}
    second = (await client.data(AUTHOR_PAGE, after))["author"]["articles"]
    before = {"slug": "hana-seo", "last": 2, "before": second["pageInfo"]["startCursor"]}
    back = (await client.data(AUTHOR_PAGE, before))["author"]["articles"]
    preview = await previewer.data(AUTHOR_PAGE, {"slug": "hana-seo", "preview": True})

    assert page["totalCount"] == 5
    assert [n["slug"] for n in page["nodes"]] == ["hana-4", "hana-3"]
    assert [n["slug"] for n in second["nodes"]] == ["hana-2", "hana-1"]
    assert second["pageInfo"]["hasPreviousPage"]
    assert second["pageInfo"]["hasNextPage"]
    assert [n["slug"] for n in back["nodes"]] == ["hana-4", "hana-3"]
    assert back["pageInfo"]["hasNextPage"]
    assert not back["pageInfo"]["hasPreviousPage"]
    assert preview["author"]["articles"]["totalCount"] == 7


async def test_articles_filter_and_search_take_an_author(client: GraphQLClient) -> None:
    await make_author(slug="mara", name="Mara")
    await make_author(slug="lucas", name="Lucas")
    await make_article(slug="mara-quake", headline="Quake in Myanmar", authors=["mara"])
    await make_article(slug="lucas-quake", headline="Quake in Chile", authors=["lucas"])
    await make_article(slug="both-vote", headline="Vote counted", authors=["lucas", "mara"])

    mara = (await client.data(FILTERED, {"author": "mara"}))["articles"]
    quakes = (await client.data(FILTERED, {"author": "mara", "search": "quake"}))["articles"]
    nobody = (await client.data(FILTERED, {"author": "nobody"}))["articles"]
    bad = await client.error_code(FILTERED, {"author": "Not A Slug"})

    assert mara["totalCount"] == 2
    assert {n["slug"] for n in mara["nodes"]} == {"mara-quake", "both-vote"}
    assert [n["slug"] for n in quakes["nodes"]] == ["mara-quake"]
    assert nobody == {"totalCount": 0, "nodes": []}
    assert bad == "BAD_USER_INPUT"


async def test_authors_page_through_in_slug_order_both_ways(client: GraphQLClient) -> None:
    for slug in ("cy", "ada", "bo", "di"):
        await make_author(slug=slug, name=slug.title())

    first = (await client.data(AUTHORS, {"first": 3}))["authors"]
    rest = await client.data(AUTHORS, {"first": 3, "after": first["pageInfo"]["endCursor"]})
    back = await client.data(
        AUTHORS, {"last": 2, "before": rest["authors"]["pageInfo"]["startCursor"]}
    )

    assert first["totalCount"] == 4
    assert [n["slug"] for n in first["nodes"]] == ["ada", "bo", "cy"]
    assert [n["slug"] for n in rest["authors"]["nodes"]] == ["di"]
    assert [n["slug"] for n in back["authors"]["nodes"]] == ["bo", "cy"]
    assert back["authors"]["pageInfo"]["hasPreviousPage"] is True


async def test_editors_create_authors_and_bad_input_is_a_field_problem(
    editor: GraphQLClient,
) -> None:
    async def create(values: dict[str, Any]) -> dict[str, Any]:
        answer: dict[str, Any] = (await editor.data(CREATE_AUTHOR, {"input": values}))[
            "createAuthor"
        ]
        return answer

    first = await create({"name": "Jo Kim"})
    second = await create({"name": "Jo Kim"})
    taken = await create({"name": "Someone", "slug": "jo-kim"})
    link = await create({"name": "Li", "links": {"website": "javascript:alert(1)"}})
    long_bio = await create({"name": "Li", "bio": "x" * 2001})

    assert first["author"]["slug"] == "jo-kim"
    assert second["author"]["slug"] == "jo-kim-2"
    assert (taken["__typename"], taken["field"]) == ("SlugTaken", "slug")
    assert link["__typename"] == "InvalidInput"
    assert [p["field"] for p in link["problems"]] == ["links.website"]
    assert [p["field"] for p in long_bio["problems"]] == ["bio"]


async def test_articles_take_authors_by_id_a_credit_or_the_old_author_name(
    editor: GraphQLClient,
) -> None:
    ada = await make_author(slug="ada", name="Ada")
    bo = await make_author(slug="bo", name="Bo")
    base = {"headline": "H", "section": "world"}

    def made(answer: dict[str, Any]) -> dict[str, Any]:
        assert answer["createArticle"]["__typename"] == "ArticleSaved", answer
        article: dict[str, Any] = answer["createArticle"]["article"]
        return article

    ordered = made(
        await editor.data(
            CREATE_ARTICLE,
            {"input": base | {"slug": "a", "authors": [author_id(bo), author_id(ada)]}},
        )
    )
    staff = made(
        await editor.data(CREATE_ARTICLE, {"input": base | {"slug": "b", "author": "Staff"}})
    )
    found = made(
        await editor.data(CREATE_ARTICLE, {"input": base | {"slug": "c", "author": "ada"}})
    )
    new = made(
        await editor.data(CREATE_ARTICLE, {"input": base | {"slug": "d", "author": "Zoe Quill"}})
    )
    unknown = await editor.data(
        CREATE_ARTICLE,
        {"input": base | {"slug": "e", "authors": [author_id(ada), "QXV0aG9yOm5vbmU="]}},
    )
    none = await editor.data(CREATE_ARTICLE, {"input": base | {"slug": "f"}})

    assert [a["slug"] for a in ordered["authors"]] == ["bo", "ada"]
    assert ordered["author"] == "Bo and Ada"
    assert (staff["credit"], staff["authors"]) == ("Staff", [])
    assert found["authors"] == [{"slug": "ada", "name": "Ada"}]
    assert new["authors"] == [{"slug": "zoe-quill", "name": "Zoe Quill"}]
    assert [p["field"] for p in unknown["createArticle"]["problems"]] == ["authors.1"]
    assert [p["field"] for p in none["createArticle"]["problems"]] == ["credit"]


async def test_an_author_in_a_byline_cannot_be_deleted_and_the_articles_are_named(
    editor: GraphQLClient,
) -> None:
    kept = await make_author(slug="kept", name="Kept")
    gone = await make_author(slug="gone", name="Gone")
    await make_article(slug="draft-by-kept", authors=["kept"], status=ArticleStatus.DRAFT)

    refused = (await editor.data(DELETE_AUTHOR, {"id": author_id(kept)}))["deleteAuthor"]
    deleted = (await editor.data(DELETE_AUTHOR, {"id": author_id(gone)}))["deleteAuthor"]

    assert refused["__typename"] == "AuthorInUse"
    assert refused["articles"] == ["draft-by-kept"]
    assert "draft-by-kept" in refused["message"]
    assert deleted == {"__typename": "AuthorDeleted", "slug": "gone"}


async def test_the_public_api_never_shows_an_authors_desk_account(client: GraphQLClient) -> None:
    await make_author(slug="ada", name="Ada", account="person:0123456789abcdef01234567")

    fields = await client.data('{ __type(name: "Author") { fields { name } } }')
    names = {field["name"] for field in fields["__type"]["fields"]}
    answer = await client.execute('{ author(slug: "ada") { account } }')

    assert names.isdisjoint({"account", "email", "person"})
    assert answer["errors"]
