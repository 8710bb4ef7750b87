"""The response cache: hits without GraphQL, purged by exactly what each write changed."""

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from api.http.cache import ResponseCache
from api.settings import Settings
from cms.articles import Image
from cms.persisted_documents import digest
from cms.status import ArticleStatus
from tests import images
from tests.cli import newsroom
from tests.conftest import REPO, Tokens, serving
from tests.factories import global_id, make_article
from tests.graphql_client import CommandCounter, GraphQLClient
from tests.operations import UPDATE_ARTICLE, VOTE
from tests.servers import newsroom_servers
from tests.test_media_api import uploaded

PAGE = """
query ($slug: String!) {
  article(slug: $slug) { id headline body rating { average count } related(first: 3) { slug } }
}
"""
IMAGE_PAGE = (
    "query ($slug: String!) { article(slug: $slug) { image { caption focalPoint { x y } } } }"
)
FRONT = "{ articles(first: 5) { totalCount nodes { slug headline } } }"
MOVE = "mutation ($id: ID!) { transitionArticle(id: $id, to: PUBLISHED) { __typename } }"


async def post(
    client: GraphQLClient, query: str, variables: dict[str, Any] | None = None, **headers: str
) -> httpx.Response:
    await client.sync()
    return await client.http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def test_a_repeated_query_is_answered_from_memory(
    client: GraphQLClient, commands: CommandCounter
) -> None:
    await make_article(slug="story")

    first = await post(client, PAGE, {"slug": "story"})
    commands.reset()
    second = await post(client, PAGE, {"slug": "story"})

    assert first.headers["x-cache"] == "MISS"
    assert second.headers["x-cache"] == "HIT"
    assert second.content == first.content
    assert commands.names == []  # not one store command


async def test_a_vote_purges_that_article_only(client: GraphQLClient) -> None:
    voted = await make_article(slug="voted", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    await make_article(slug="other", published_at=datetime(2019, 1, 1, tzinfo=UTC))
    for slug in ("voted", "other"):
        await post(client, PAGE, {"slug": slug})
    await post(client, FRONT)

    await post(client, VOTE, {"articleId": global_id(voted), "stars": 4})
    voted_page = await post(client, PAGE, {"slug": "voted"})
    other_page = await post(client, PAGE, {"slug": "other"})
    front = await post(client, FRONT)

    assert voted_page.headers["x-cache"] == "MISS"
    assert voted_page.json()["data"]["article"]["rating"] == {"average": 4.0, "count": 1}
    assert other_page.headers["x-cache"] == "HIT"
    assert front.headers["x-cache"] == "HIT"  # lists show no ratings here


async def test_an_editor_save_purges_the_article_and_what_shows_it(
    client: GraphQLClient, tokens: Tokens
) -> None:
    article = await make_article(slug="edited", headline="Before")
    await post(client, PAGE, {"slug": "edited"})
    await post(client, FRONT)
    editor = client.as_token(tokens.editor)

    await editor.data(
        UPDATE_ARTICLE, {"id": global_id(article), "version": 1, "input": {"headline": "After"}}
    )
    page = await post(client, PAGE, {"slug": "edited"})
    front = await post(client, FRONT)

    assert page.headers["x-cache"] == "MISS"
    assert page.json()["data"]["article"]["headline"] == "After"
    assert front.json()["data"]["articles"]["nodes"][0]["headline"] == "After"


async def test_a_library_image_change_purges_the_articles_that_show_it(
    client: GraphQLClient, tokens: Tokens
) -> None:
    image = (await uploaded(client, tokens.editor, images.jpeg()))["image"]
    await make_article(slug="shown", image=Image(id=image["sha256"], caption="Own"))
    await make_article(slug="other")
    for slug in ("shown", "other"):
        await post(client, IMAGE_PAGE, {"slug": slug})
    editor = client.as_token(tokens.editor)

    await editor.data(
        "mutation ($id: ID!) { updateImage(id: $id, details: {focalPoint: {x: 0.1, y: 0.9}}) "
        "{ __typename } }",
        {"id": image["id"]},
    )
    shown = await post(client, IMAGE_PAGE, {"slug": "shown"})
    other = await post(client, IMAGE_PAGE, {"slug": "other"})

    assert shown.headers["x-cache"] == "MISS"
    assert shown.json()["data"]["article"]["image"] == {
        "caption": "Own",
        "focalPoint": {"x": 0.1, "y": 0.9},
    }
    assert other.headers["x-cache"] == "HIT"


async def test_a_body_edit_keeps_lists_that_do_not_show_it(
    client: GraphQLClient, tokens: Tokens
) -> None:
    article = await make_article(slug="edited", published_at=datetime(2019, 1, 1, tzinfo=UTC))
    await make_article(slug="newest", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    newest_only = "{ articles(first: 1) { nodes { slug } } }"
    await post(client, newest_only)
    editor = client.as_token(tokens.editor)

    await editor.data(
        UPDATE_ARTICLE, {"id": global_id(article), "version": 1, "input": {"body": "New body."}}
    )
    after_body = await post(client, newest_only)
    await editor.data(
        UPDATE_ARTICLE, {"id": global_id(article), "version": 2, "input": {"headline": "Moved"}}
    )
    after_headline = await post(client, newest_only)

    # The body moves the article in no list; a headline may (the A-Z order).
    assert after_body.headers["x-cache"] == "HIT"
    assert after_headline.headers["x-cache"] == "MISS"


async def test_a_publication_purges_lists(client: GraphQLClient, tokens: Tokens) -> None:
    await make_article(slug="old", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    draft = await make_article(slug="fresh", status=ArticleStatus.DRAFT)
    before = await post(client, FRONT)

    await client.as_token(tokens.editor).data(MOVE, {"id": global_id(draft)})
    after = await post(client, FRONT)

    assert before.json()["data"]["articles"]["totalCount"] == 1
    assert after.headers["x-cache"] == "MISS"
    assert after.json()["data"]["articles"]["nodes"][0]["slug"] == "fresh"


@pytest.mark.slow
async def test_a_fixture_load_in_another_process_purges(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    empty = await post(client, FRONT)

    loaded = newsroom("fixtures", "load", str(REPO / "fixtures"), env=cli_env)
    front = await post(client, FRONT)

    assert loaded.returncode == 0, loaded.stderr
    assert empty.json()["data"]["articles"]["totalCount"] == 0
    assert front.headers["x-cache"] == "MISS"
    assert front.json()["data"]["articles"]["totalCount"] == 46


@pytest.mark.slow
async def test_a_cached_list_never_hides_a_scheduled_article_past_its_time(
    client: GraphQLClient,
) -> None:
    await make_article(slug="now", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    soon = datetime.now(UTC) + timedelta(seconds=1)
    await make_article(slug="soon", status=ArticleStatus.SCHEDULED, published_at=soon)
    before = await post(client, FRONT)
    assert before.json()["data"]["articles"]["totalCount"] == 1

    await asyncio.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.05)
    # Read straight away, before any announcement could purge: the entry has expired anyway.
    after = await client.http.post("/graphql", json={"query": FRONT})

    assert after.json()["data"]["articles"]["totalCount"] == 2


async def test_token_holders_neither_read_nor_fill_the_cache(
    client: GraphQLClient, tokens: Tokens
) -> None:
    await make_article(slug="story")
    bearer = f"Bearer {tokens.previewer}"

    first = await post(client, PAGE, {"slug": "story"}, authorization=bearer)
    anonymous = await post(client, PAGE, {"slug": "story"})
    again = await post(client, PAGE, {"slug": "story"}, authorization=bearer)

    assert "x-cache" not in first.headers
    assert anonymous.headers["x-cache"] == "MISS"  # nothing was stored for the token holder
    assert "x-cache" not in again.headers  # nor is the token holder served from the cache
    assert again.headers["cache-control"] == "private, no-store"


@pytest.mark.slow
async def test_the_cache_off_and_on_give_equal_answers(
    settings: Settings, demo: GraphQLClient
) -> None:
    queries = [(PAGE, {"slug": "north-korea-sends-3000-more-troops-to-russia"}), (FRONT, None)]
    answers = []
    for enabled in (True, False):
        async with serving(settings.model_copy(update={"response_cache": enabled})) as client:
            for query, variables in queries:
                for _ in range(2):
                    response = await post(client, query, variables)
                    answers.append((enabled, query, response.content))
                    assert ("x-cache" in response.headers) is enabled

    on = [body for enabled, _, body in answers if enabled]
    off = [body for enabled, _, body in answers if not enabled]
    assert on == off


async def test_get_answers_carry_etags_and_tags(client: GraphQLClient) -> None:
    article = await make_article(slug="story")
    params = {"query": PAGE, "variables": json.dumps({"slug": "story"})}

    first = await client.http.get("/graphql", params=params)
    unchanged = await client.http.get(
        "/graphql", params=params, headers={"if-none-match": first.headers["etag"]}
    )
    stale = await client.http.get("/graphql", params=params, headers={"if-none-match": '"x"'})

    assert first.status_code == 200
    assert first.headers["etag"].startswith('"')
    assert first.headers["cache-control"] == "public, max-age=60"
    keys = first.headers["surrogate-key"].split()
    assert f"article:{article.id}" in keys
    assert f"rating:{article.id}" in keys
    assert first.headers["cache-tag"] == ",".join(keys)
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert stale.status_code == 200


async def test_persisted_queries_over_get(client: GraphQLClient) -> None:
    await make_article(slug="story")
    sha256 = digest(PAGE)
    persisted = json.dumps({"persistedQuery": {"version": 1, "sha256Hash": sha256}})
    by_hash = {"extensions": persisted, "variables": json.dumps({"slug": "story"})}

    unknown = await client.http.get("/graphql", params=by_hash)
    registered = await client.http.get("/graphql", params={**by_hash, "query": PAGE})
    known = await client.http.get("/graphql", params=by_hash)
    mismatch = await client.http.get("/graphql", params={**by_hash, "query": FRONT})

    assert unknown.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert registered.json()["data"]["article"]["headline"]
    assert known.status_code == 200
    assert known.json() == registered.json()
    assert known.headers["x-cache"] == "HIT"
    assert mismatch.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_HASH_MISMATCH"


@pytest.mark.slow
async def test_trusted_documents_only(
    settings: Settings, cli_env: dict[str, str], tmp_path: Any
) -> None:
    from pathlib import Path

    document = Path(str(tmp_path)) / "front.graphql"
    document.write_text(FRONT)
    added = newsroom("documents", "add", str(document), env=cli_env)
    strict = settings.model_copy(update={"trusted_documents_only": True})
    async with serving(strict) as client:
        trusted = await post(client, FRONT)
        other = await post(client, "{ tags { totalCount } }")

    assert added.returncode == 0, added.stderr
    assert digest(FRONT) in added.stdout
    assert "errors" not in trusted.json()
    assert other.json()["errors"][0]["extensions"]["code"] == "DOCUMENT_NOT_TRUSTED"


def test_the_cache_is_bounded_in_bytes_and_purged_by_tag() -> None:
    cache = ResponseCache(max_bytes=100, ttl=60)

    cache.put("a", b"x" * 40, {"article:1"})
    cache.put("b", b"y" * 40, {"article:2", "articles"})
    cache.get("a")  # a is now the most recently used
    cache.put("c", b"z" * 40, {"article:3"})

    assert cache.get("b") is None  # the least recently used went
    assert cache.get("a") is not None
    assert cache.size == 80
    assert cache.purge({"article:3"}) == 1
    assert cache.get("c") is None
    assert cache.get("a") is not None


def test_nothing_outlives_the_horizon() -> None:
    import time

    cache = ResponseCache(max_bytes=1000, ttl=60)
    cache.put("a", b"x", set())
    cache.limit_to(time.monotonic() - 1)

    assert cache.get("a") is None
    assert len(cache) == 0


@pytest.mark.processes
@pytest.mark.slow
async def test_a_vote_on_one_worker_purges_another_workers_cache(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    article = await make_article(slug="shared")
    env = cli_env | {"NEWSROOM_VOTE_LIMIT_PER_ADDRESS": "0"}
    with newsroom_servers(2, env) as (first, second):
        async with httpx.AsyncClient(timeout=30) as http:
            body = {"query": PAGE, "variables": {"slug": "shared"}}
            await http.post(f"{second}/graphql", json=body)
            cached = await http.post(f"{second}/graphql", json=body)
            vote = {"query": VOTE, "variables": {"articleId": global_id(article), "stars": 5}}
            await http.post(f"{first}/graphql", json=vote)

            for _ in range(200):
                seen = await http.post(f"{second}/graphql", json=body)
                if seen.json()["data"]["article"]["rating"]["count"] == 1:
                    break
                await asyncio.sleep(0.05)

    assert cached.headers["x-cache"] == "HIT"
    assert seen.json()["data"]["article"]["rating"] == {"average": 5.0, "count": 1}
