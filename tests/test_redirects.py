"""`redirect(path:)`: old addresses of imported posts and of published articles that moved."""

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from api.settings import Settings
from cms.status import ArticleStatus
from cms.wordpress.synthetic import ExportPost
from cms.workflow.tag_merge import merge_tags
from tests.cli import newsroom
from tests.conftest import REPO
from tests.factories import FACTORY, global_id, make_article, make_tag
from tests.graphql_client import GraphQLClient
from tests.in_process import uvicorn_serving
from tests.operations import update_article_operation
from tests.wordpress_exports import small_export

REDIRECT = """query ($path: String!) {
  redirect(path: $path) { location statusCode article { slug } }
}"""
SITE = "http://localhost:3000"
SAVE = update_article_operation("... on ArticleSaved { article { version } }")


async def _redirect(client: GraphQLClient, path: str) -> dict[str, object] | None:
    answer: dict[str, object] | None = (await client.data(REDIRECT, {"path": path}))["redirect"]
    return answer


async def test_a_published_article_that_moves_leaves_a_redirect_that_follows_it(
    editor: GraphQLClient,
) -> None:
    article = await make_article(slug="quake-hits", section="asia")
    draft = await make_article(slug="draft-one", status=ArticleStatus.DRAFT)

    version = article.version
    for slug in ("quake-hits-myanmar", "quake-hits-myanmar-and-thailand"):
        variables = {"id": global_id(article), "version": version, "input": {"slug": slug}}
        saved = (await editor.data(SAVE, variables))["updateArticle"]
        version = saved["article"]["version"]
    variables = {"id": global_id(draft), "version": draft.version, "input": {"slug": "draft-two"}}
    assert (await editor.data(SAVE, variables))["updateArticle"]["article"]

    expected = {
        "location": f"{SITE}/asia/quake-hits-myanmar-and-thailand",
        "statusCode": 301,
        "article": {"slug": "quake-hits-myanmar-and-thailand"},
    }
    # Both earlier addresses lead straight to the latest: no chains.
    assert await _redirect(editor, "/asia/quake-hits") == expected
    assert await _redirect(editor, "/asia/quake-hits-myanmar/") == expected
    assert await _redirect(editor, "https://www.example.com/asia/quake-hits?") == expected
    assert await _redirect(editor, "/asia/quake-hits-myanmar-and-thailand") is None
    # A draft never had a public address.
    assert await _redirect(editor, "/world/draft-one") is None
    assert await _redirect(editor, "/nowhere") is None


async def test_a_merged_tags_page_leads_to_the_tag_it_was_merged_into(
    client: GraphQLClient,
) -> None:
    merged = await make_tag(slug="quakes", name="Quakes")
    survivor = await make_tag(slug="earthquakes", name="Earthquakes")
    await make_article(tags=["quakes"])

    await merge_tags(actor=FACTORY, tag_id=str(merged.id), into_id=str(survivor.id))

    answer = await client.data(
        "query ($path: String!) { redirect(path: $path) { location statusCode article { slug }"
        " tag { slug } } }",
        {"path": "/tags/quakes"},
    )
    assert answer["redirect"] == {
        "location": f"{SITE}/tags/earthquakes",
        "statusCode": 301,
        "article": None,
        "tag": {"slug": "earthquakes"},
    }


@pytest.mark.slow
async def test_imported_posts_answer_at_their_wordpress_addresses(
    tmp_path: Path, cli_env: dict[str, str], client: GraphQLClient
) -> None:
    posts = [
        ExportPost(
            21,
            "Quake",
            "quake",
            link="https://old.example/2024/05/01/quake/",
            guid="https://old.example/?p=21",
            categories=[("asia", "Asia")],
        ),
        ExportPost(22, "Draft", "draft-post", status="draft"),
    ]
    export = small_export(tmp_path, posts)

    result = newsroom("import", "wordpress", str(export), env=cli_env)

    assert result.returncode == 0, result.stderr
    expected = {"location": f"{SITE}/asia/quake", "statusCode": 301, "article": {"slug": "quake"}}
    assert await _redirect(client, "/2024/05/01/quake/") == expected
    assert await _redirect(client, "/2024/05/01/quake") == expected
    assert await _redirect(client, "/?p=21") == expected
    assert await _redirect(client, "https://old.example/?p=21") == expected
    # Drafts lead nowhere for the public.
    assert await _redirect(client, "/?p=22") is None


@pytest.mark.slow
async def test_the_example_nextjs_middleware_sends_old_addresses_where_they_lead(
    tmp_path: Path, settings: Settings, cli_env: dict[str, str]
) -> None:
    export = small_export(
        tmp_path,
        [ExportPost(21, "Quake", "quake", link="https://old.example/2024/05/01/quake/")],
    )
    assert newsroom("import", "wordpress", str(export), env=cli_env).returncode == 0
    node = shutil.which("node")
    assert node, "`make test` installs Node.js"
    site = "https://www.example.com"

    async with uvicorn_serving(settings) as base:
        run = await asyncio.create_subprocess_exec(
            node,
            str(REPO / "tests" / "frontend" / "next-redirects.mjs"),
            f"{base}/graphql",
            f"{site}/2024/05/01/quake/",
            f"{site}/?p=21",
            f"{site}/2024/05/01/nothing-here/",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(run.communicate(), timeout=60)

    assert run.returncode == 0, err.decode()
    answers = [json.loads(line) for line in out.decode().splitlines()]
    assert [(answer["status"], answer["location"]) for answer in answers] == [
        (301, f"{SITE}/uncategorized/quake"),
        (301, f"{SITE}/uncategorized/quake"),
        (None, None),
    ]
