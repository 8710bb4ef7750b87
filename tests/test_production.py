"""What the public edge shows: the production posture, CORS and security headers."""

import pytest
from pydantic import ValidationError

from api.settings import Settings
from tests.graphql_client import GraphQLClient, app_serving

INTROSPECTION = "{ __schema { queryType { name } } }"
MISSPELT = "{ artcles { totalCount } }"
BAD_ORDER = "query ($order: ArticleOrderBy) { articles(orderBy: $order) { totalCount } }"
SITE = "https://www.example.com"
PREFLIGHT = {
    "origin": SITE,
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type",
}


async def test_production_turns_introspection_suggestions_and_graphiql_off(
    settings: Settings,
) -> None:
    production = settings.model_copy(update={"environment": "production"})

    async with app_serving(production) as http:
        introspection = (await http.post("/graphql", json={"query": INTROSPECTION})).json()
        typename = (await http.post("/graphql", json={"query": "{ __typename }"})).json()
        misspelt = (await http.post("/graphql", json={"query": MISSPELT})).json()
        bad_enum = await http.post(
            "/graphql", json={"query": BAD_ORDER, "variables": {"order": "NEWES"}}
        )
        page = await http.get("/graphql", headers={"accept": "text/html,*/*;q=0.8"})

    assert "data" not in introspection
    assert "introspection has been disabled" in introspection["errors"][0]["message"]
    assert introspection["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert typename == {"data": {"__typename": "Query"}}
    assert misspelt["errors"][0]["message"] == "Cannot query field 'artcles' on type 'Query'."
    assert "Did you mean" not in bad_enum.text
    assert bad_enum.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
    # No GraphiQL: a browser's request is a GraphQL request without a query.
    assert page.status_code == 400
    assert "text/html" not in page.headers["content-type"]


async def test_production_can_turn_each_back_on(settings: Settings) -> None:
    production = settings.model_copy(
        update={
            "environment": "production",
            "introspection": True,
            "field_suggestions": True,
            "graphiql": True,
        }
    )

    async with app_serving(production) as http:
        introspection = (await http.post("/graphql", json={"query": INTROSPECTION})).json()
        misspelt = (await http.post("/graphql", json={"query": MISSPELT})).json()
        page = await http.get("/graphql", headers={"accept": "text/html"})

    assert introspection == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    assert "Did you mean 'articles'" in misspelt["errors"][0]["message"]
    assert "graphiql" in page.text.lower()


async def test_development_can_turn_each_off(settings: Settings) -> None:
    quiet = settings.model_copy(
        update={"introspection": False, "field_suggestions": False, "graphiql": False}
    )

    async with app_serving(quiet) as http:
        introspection = (await http.post("/graphql", json={"query": INTROSPECTION})).json()
        misspelt = (await http.post("/graphql", json={"query": MISSPELT})).json()
        page = await http.get("/graphql", headers={"accept": "text/html"})

    assert introspection["errors"][0]["extensions"] == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert "Did you mean" not in misspelt["errors"][0]["message"]
    assert "text/html" not in page.headers["content-type"]


def test_the_posture_settings_default_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSROOM_ENVIRONMENT", "production")
    monkeypatch.setenv("NEWSROOM_SECRET_KEY", "a-production-secret-of-at-least-32-chars")
    monkeypatch.setenv("NEWSROOM_GRAPHIQL", "true")

    production = Settings()

    assert not production.serves_introspection
    assert not production.serves_field_suggestions
    assert production.serves_graphiql
    assert Settings(environment="development").serves_introspection


def test_cors_origins_are_a_comma_separated_list_of_origins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSROOM_CORS_ORIGINS", "https://WWW.example.com/, http://localhost:3000")

    assert Settings().cors_origins == ["https://www.example.com", "http://localhost:3000"]
    for wrong in ("*", "www.example.com", "https://example.com/page"):
        monkeypatch.setenv("NEWSROOM_CORS_ORIGINS", wrong)
        with pytest.raises(ValidationError, match="is not an origin"):
            Settings()


async def test_a_listed_origin_may_call_with_credentials(settings: Settings) -> None:
    cors = settings.model_copy(update={"cors_origins": [SITE]})

    async with app_serving(cors) as http:
        preflight = await http.options("/graphql", headers=PREFLIGHT)
        answer = await http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"origin": SITE}
        )

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == SITE
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    assert answer.headers["access-control-allow-origin"] == SITE
    assert answer.headers["access-control-allow-credentials"] == "true"
    assert answer.headers["access-control-expose-headers"].lower() == "x-request-id"
    assert answer.json() == {"data": {"__typename": "Query"}}


@pytest.mark.parametrize(
    "header",
    [
        "traceparent",
        "tracestate",
        "baggage",
        "sentry-trace",
        "apollographql-client-name",
        "apollographql-client-version",
        "authorization",
        "x-request-id",
    ],
)
async def test_tracing_and_apollo_headers_pass_the_preflight(
    settings: Settings, header: str
) -> None:
    """A page on an allowed origin whose client adds tracing or Apollo's headers (Chromium was
    refused for `traceparent`) may send them."""
    cors = settings.model_copy(update={"cors_origins": [SITE]})
    asking = {**PREFLIGHT, "access-control-request-headers": f"content-type,{header}"}

    async with app_serving(cors) as http:
        preflight = await http.options("/graphql", headers=asking)

    assert preflight.status_code == 200
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert header in [name.strip() for name in allowed.split(",")]


def test_the_allowed_request_headers_are_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSROOM_CORS_HEADERS", "Content-Type, X-Custom-Trace")

    assert Settings().cors_headers == ["Content-Type", "X-Custom-Trace"]
    monkeypatch.setenv("NEWSROOM_CORS_HEADERS", "bad header")
    with pytest.raises(ValidationError, match="is not a header name"):
        Settings()


async def test_other_origins_get_no_cors_permission(settings: Settings) -> None:
    cors = settings.model_copy(update={"cors_origins": [SITE]})
    elsewhere = {**PREFLIGHT, "origin": "https://evil.example"}

    async with app_serving(cors) as http:
        preflight = await http.options("/graphql", headers=elsewhere)
        answer = await http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"origin": elsewhere["origin"]}
        )

    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in answer.headers


async def test_without_cors_origins_a_preflight_is_not_allowed(client: GraphQLClient) -> None:
    preflight = await client.http.options("/graphql", headers=PREFLIGHT)

    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in preflight.headers


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/graphql", {"query": "{ __typename }"}),
        ("POST", "/graphql", {"query": "{"}),
        ("POST", "/graphql", {"pad": "x" * 70_000}),
        ("GET", "/healthz", None),
        ("GET", "/metrics", None),
        ("GET", "/nowhere", None),
    ],
)
async def test_every_response_carries_security_headers(
    client: GraphQLClient, method: str, path: str, body: object
) -> None:
    response = await client.http.request(method, path, json=body)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["content-security-policy"] == (
        "default-src 'none'; frame-ancestors 'none'"
    )


async def test_graphiql_may_run_its_own_script_and_pinned_assets_only(
    client: GraphQLClient,
) -> None:
    page = await client.http.get("/graphql", headers={"accept": "text/html"})

    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == "'self'"
    # Every script is a file from this server (api/playground): no CDN, no inline script.
    assert policy["script-src"] == "'self'"
    # Styles too, and the style elements GraphiQL's menus add, which carry this page's nonce.
    self_, nonce = policy["style-src"].split(" ")
    assert self_ == "'self'"
    assert nonce.startswith("'nonce-")
    assert f'nonce="{nonce.removeprefix("'nonce-").removesuffix("'")}"' in page.text
    assert page.headers["x-content-type-options"] == "nosniff"
