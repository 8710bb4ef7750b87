"""The HTTP surface: health, GraphiQL, and how errors reach clients."""

from api.examples import ARTICLE_PAGE_QUERY
from tests.graphql_client import GraphQLClient


async def test_healthz_reports_the_store(client: GraphQLClient) -> None:
    response = await client.http.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": response.json()["store"]}
    assert "MongoDB at" in response.json()["store"]


async def test_graphiql_opens_on_the_example_queries(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert "query ArticlePage($slug: String!)" in response.text
    assert "mutation Vote(" in response.text
    assert ARTICLE_PAGE_QUERY in response.text


async def test_queries_can_be_sent_with_get(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", params={"query": "{ articles { totalCount } }"})

    assert response.status_code == 200
    assert response.json() == {"data": {"articles": {"totalCount": 0}}}


async def test_a_syntax_error_is_reported_not_raised(client: GraphQLClient) -> None:
    response = await client.http.post("/graphql", json={"query": "{ articles { "})

    assert response.status_code == 200
    assert response.json()["data"] is None
    assert "Syntax Error" in response.json()["errors"][0]["message"]
