"""API tokens: created once by the CLI, stored as hashes, checked by one rule."""

import re

import pytest
from pymongo import AsyncMongoClient

from api.settings import Settings
from tests.cli import newsroom
from tests.conftest import Tokens
from tests.graphql_client import GraphQLClient

CREATE = """
mutation ($input: ArticleInput!) {
  createArticle(input: $input) { __typename ... on ArticleSaved { article { slug status } } }
}
"""
PREVIEW = '{ article(slug: "anything", preview: true) { slug } }'
PUBLIC = '{ article(slug: "anything") { slug } }'


def new_article(slug: str) -> dict[str, object]:
    return {"input": {"headline": "A draft", "slug": slug, "author": "Ed", "section": "world"}}


@pytest.mark.slow
def test_tokens_are_created_listed_and_revoked_from_the_cli(cli_env: dict[str, str]) -> None:
    created = newsroom(
        "tokens", "create", "--name", "preview-site", "--role", "previewer", env=cli_env
    )
    listed = newsroom("tokens", "list", env=cli_env)
    revoked = newsroom("tokens", "revoke", "preview-site", env=cli_env)
    after = newsroom("tokens", "list", env=cli_env)

    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    # Random, URL-safe, 32 bytes of entropy (43 base64 characters) after a prefix; its own line.
    assert re.fullmatch(r"nr_[A-Za-z0-9_-]{43}", token)
    assert listed.returncode == 0
    assert "preview-site" in listed.stdout
    assert "previewer" in listed.stdout
    assert "never" in listed.stdout
    assert token not in listed.stdout
    assert revoked.returncode == 0
    assert "preview-site" not in after.stdout


@pytest.mark.slow
def test_a_token_name_is_taken_once(cli_env: dict[str, str]) -> None:
    first = newsroom("tokens", "create", "--name", "site", "--role", "editor", env=cli_env)
    second = newsroom("tokens", "create", "--name", "site", "--role", "admin", env=cli_env)
    unknown = newsroom("tokens", "revoke", "nobody", env=cli_env)
    bad_role = newsroom("tokens", "create", "--name", "x", "--role", "owner", env=cli_env)

    assert first.returncode == 0
    assert second.returncode == 1
    assert "exists already" in second.stderr
    assert unknown.returncode == 1
    assert "No token is named 'nobody'" in unknown.stderr
    assert bad_role.returncode == 2


async def test_only_a_hash_of_the_token_is_stored(
    client: GraphQLClient, tokens: Tokens, settings: Settings
) -> None:
    raw: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongodb_uri)
    try:
        stored = await raw[settings.database].tokens.find({}).to_list()
    finally:
        await raw.close()

    assert len(stored) == 3
    for document in stored:
        assert tokens.editor not in str(document)
        assert re.fullmatch(r"[0-9a-f]{64}", str(document["hash"]))


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer nr_" + "A" * 43,  # well-formed, unknown
        "Bearer not-a-token",
        "Basic dXNlcjpwYXNz",
        "Bearer",
    ],
)
async def test_a_wrong_or_malformed_token_is_unauthenticated(
    client: GraphQLClient, authorization: str
) -> None:
    response = await client.http.post(
        "/graphql",
        json={"query": CREATE, "variables": new_article("x")},
        headers={"authorization": authorization},
    )

    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert response.json()["data"] is None


async def test_a_missing_token_is_unauthenticated(client: GraphQLClient) -> None:
    assert await client.error_code(CREATE, new_article("x")) == "UNAUTHENTICATED"
    assert await client.error_code(PREVIEW) == "UNAUTHENTICATED"


@pytest.mark.slow
async def test_a_revoked_token_is_unauthenticated(
    client: GraphQLClient, tokens: Tokens, cli_env: dict[str, str]
) -> None:
    editor = client.as_token(tokens.editor)
    before = await editor.data(CREATE, new_article("before"))

    revoked = newsroom("tokens", "revoke", "editor-token", env=cli_env)

    assert before["createArticle"]["__typename"] == "ArticleSaved"
    assert revoked.returncode == 0, revoked.stderr
    assert await editor.error_code(CREATE, new_article("after")) == "UNAUTHENTICATED"


async def test_a_role_without_the_permission_is_forbidden(
    client: GraphQLClient, tokens: Tokens
) -> None:
    previewer = client.as_token(tokens.previewer)

    assert await previewer.error_code(CREATE, new_article("x")) == "FORBIDDEN"
    assert (await previewer.data(PREVIEW))["article"] is None


@pytest.mark.parametrize("role", ["editor", "admin"])
async def test_editors_and_admins_may_edit(
    client: GraphQLClient, tokens: Tokens, role: str
) -> None:
    result = await client.as_token(getattr(tokens, role)).data(CREATE, new_article(f"by-{role}"))

    assert result["createArticle"] == {
        "__typename": "ArticleSaved",
        "article": {"slug": f"by-{role}", "status": "DRAFT"},
    }


async def test_a_token_does_not_matter_to_public_reads(
    client: GraphQLClient, tokens: Tokens
) -> None:
    for token in ("nr_" + "B" * 43, tokens.previewer):
        body = await client.as_token(token).execute(PUBLIC)

        assert body == {"data": {"article": None}}


async def test_answers_to_requests_with_a_token_are_never_cached(
    client: GraphQLClient, tokens: Tokens
) -> None:
    anonymous = await client.http.get("/graphql", params={"query": PUBLIC})
    with_token = await client.http.get(
        "/graphql",
        params={"query": PREVIEW},
        headers={"authorization": f"Bearer {tokens.previewer}"},
    )

    assert anonymous.headers["cache-control"].startswith("public")
    assert with_token.headers["cache-control"] == "private, no-store"
    assert "Authorization" in with_token.headers["vary"]
    assert "Authorization" in anonymous.headers["vary"]
