"""The HTTP surface: health, GraphiQL, and how errors reach clients."""

import asyncio
from urllib.parse import urlsplit

import httpx
import pytest
from asgi_lifespan import LifespanManager

from api.examples import ARTICLE_PAGE_QUERY
from api.settings import Settings
from cms.engagement import ratings
from cms.store.connection import Store
from newsroom.app import create_app
from tests.factories import make_article
from tests.graphql_client import GraphQLClient
from web import app as app_module

COUNT_ARTICLES = "{ articles { totalCount } }"
BAD_PAGE_SIZE = "{ articles(first: 500) { totalCount } }"
BROKEN = "{ articles { "
VOTE_OVER_GET = 'mutation { vote(articleId: "x", stars: 1) { __typename } }'
ARTICLE_WITH_RATING = '{ article(slug: "rated") { headline rating { count } } }'


@pytest.mark.slow
async def test_healthz_reports_the_store(client: GraphQLClient, settings: Settings) -> None:
    response = await client.http.get("/healthz")

    assert response.status_code == 200
    assert settings.mongodb_uri is not None
    server = urlsplit(settings.mongodb_uri)
    assert response.json() == {
        "status": "ok",
        "store": f"MongoDB at {server.hostname}:{server.port}",
    }


async def test_healthz_fails_fast_when_the_store_does_not_answer(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def hang(self: Store) -> None:
        await asyncio.sleep(60)

    monkeypatch.setattr(Store, "ping", hang)
    monkeypatch.setattr(app_module, "HEALTH_TIMEOUT", 0.1)

    response = await client.http.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


async def test_graphiql_opens_on_the_example_queries(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
    assert "query ArticlePage($slug: String!)" in response.text
    assert "mutation Vote(" in response.text
    assert ARTICLE_PAGE_QUERY in response.text


async def test_queries_can_be_sent_with_get(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", params={"query": COUNT_ARTICLES})

    assert response.status_code == 200
    assert response.json() == {"data": {"articles": {"totalCount": 0}}}


async def test_a_syntax_error_is_reported_not_raised(client: GraphQLClient) -> None:
    response = await client.http.post("/graphql", json={"query": BROKEN})

    # A client that did not ask for application/graphql-response+json gets the legacy 200.
    assert response.status_code == 200
    body = response.json()
    # Nothing ran, so there is no `data` at all.
    assert "data" not in body
    (error,) = body["errors"]
    assert error["message"] == "Syntax Error: Expected Name, found <EOF>."
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED"}


async def test_get_query_answers_are_cacheable_errors_are_not(client: GraphQLClient) -> None:
    ok = await client.http.get("/graphql", params={"query": COUNT_ARTICLES})
    bad = await client.http.get("/graphql", params={"query": BAD_PAGE_SIZE})
    posted = await client.http.post("/graphql", json={"query": COUNT_ARTICLES})

    assert ok.headers["cache-control"] == "public, max-age=60"
    assert bad.headers["cache-control"] == "no-store"
    assert "cache-control" not in posted.headers


async def test_mutations_are_refused_over_get(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", params={"query": VOTE_OVER_GET})

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json() == {
        "errors": [
            {
                "message": "Mutations are sent with POST, not GET.",
                "extensions": {"code": "METHOD_NOT_ALLOWED"},
            }
        ]
    }


@pytest.mark.parametrize(
    ("environment", "message"),
    [("production", "Unexpected error."), ("development", "boom: disk on fire")],
)
@pytest.mark.slow
async def test_bugs_are_masked_in_production_only(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, environment: str, message: str
) -> None:
    async def broken(ids: object) -> None:
        raise RuntimeError("boom: disk on fire")

    monkeypatch.setattr(ratings, "ratings_for", broken)
    app = create_app(settings.model_copy(update={"environment": environment}))
    async with LifespanManager(app, startup_timeout=120, shutdown_timeout=120) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://newsroom.test") as http:
            await make_article(slug="rated")
            body = (await http.post("/graphql", json={"query": ARTICLE_WITH_RATING})).json()
            bad_input = (await http.post("/graphql", json={"query": BAD_PAGE_SIZE})).json()

    assert body["data"] == {"article": None}
    assert body["errors"][0]["message"] == message
    assert body["errors"][0]["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert body["errors"][0]["path"] == ["article", "rating"]
    assert bad_input["errors"][0]["message"] == "`first` must be between 0 and 100; got 500."
