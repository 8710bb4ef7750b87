"""Shareable preview links over HTTP: made and revoked at the desk, used with the API as a
frontend's draft mode uses them. A link reads its one article with `preview: true`, nested
fields (related items, a tag's articles and count, `node`) stay public-only, and a tampered,
expired or revoked link reads nothing."""

import asyncio
import html
import json
import re
import shutil
from base64 import b64encode
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from api.settings import Settings
from cms.access import Role
from cms.preview_links import PreviewLink, create_link, prune, token_of
from cms.status import ArticleStatus
from tests.conftest import REPO
from tests.desk_client import Desk, csrf_of, make_person
from tests.factories import FACTORY, make_article, make_tag
from tests.in_process import uvicorn_serving
from tests.test_desk_editor import logged_in
from tests.test_desk_http import desk_app

pytestmark = pytest.mark.slow  # people logged in (argon2) and articles saved: seconds each

FRONTEND = REPO / "tests" / "frontend"
PREVIEW_URL = "https://www.example.com/api/draft?slug={slug}&secret={token}"
READ = """query ($slug: String!) {
  article(slug: $slug, preview: true) {
    headline status
    related(first: 5) { slug }
    tags { slug articleCount articles(first: 10) { edges { node { slug } } } }
  }
}"""
EVERYTHING = "{ articles(preview: true, first: 5) { edges { node { slug } } } }"
NODE = "query ($id: ID!) { node(id: $id) { id } }"
_LINK = re.compile(r'readonly value="([^"]+)" class="link"')


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Callable[..., Desk]]:
    async with desk_app(settings.model_copy(update={"preview_url": PREVIEW_URL})) as browser:
        yield browser


async def ask(browser: Desk, token: str, query: str, **variables: Any) -> dict[str, Any]:
    answer = await browser.http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    found: dict[str, Any] = answer.json()
    return found


def codes(answer: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in answer.get("errors", [])]


async def test_a_preview_link_reads_its_one_article_and_nested_fields_stay_public(
    desk: Callable[..., Desk],
) -> None:
    await make_tag(slug="climate", name="Climate")
    draft = await make_article(slug="the-draft", status=ArticleStatus.DRAFT, tags=["climate"])
    await make_article(slug="public-one", tags=["climate"])
    other = await make_article(slug="other-draft", status=ArticleStatus.DRAFT, tags=["climate"])
    editor = await make_person("ed@example.com")
    browser = await logged_in(desk, editor)
    links = f"/desk/articles/{draft.id}/preview-links"
    opened = await browser.get(links)
    made = await browser.post(links, {"csrf": csrf_of(opened.text)})
    listed = await browser.get(made.location)
    url = html.unescape(_LINK.findall(listed.text)[0])
    query = parse_qs(urlsplit(url).query)
    token = query["secret"][0]
    anonymous = desk()

    read = await ask(anonymous, token, READ, slug="the-draft")
    another = await ask(anonymous, token, READ, slug="other-draft")
    public_one = await ask(anonymous, token, READ, slug="public-one")
    everything = await ask(anonymous, token, EVERYTHING)
    node = await ask(anonymous, token, NODE, id=b64encode(f"Article:{other.id}".encode()).decode())

    assert made.status == 303
    assert "A new preview link is ready to copy." in listed.text
    assert url.startswith("https://www.example.com/api/draft?slug=the-draft&secret=nrp_")
    assert query["slug"] == ["the-draft"]
    assert read.get("errors") is None
    article = read["data"]["article"]
    assert article["headline"] == draft.headline
    assert article["status"] == "DRAFT"
    assert article["tags"] == [
        {
            "slug": "climate",
            "articleCount": 1,
            "articles": {"edges": [{"node": {"slug": "public-one"}}]},
        }
    ]
    assert all(item["slug"] == "public-one" for item in article["related"])
    assert another == {"data": {"article": None}}
    assert public_one == {"data": {"article": None}}  # the link reads its own article only
    assert codes(everything) == ["UNAUTHENTICATED"]
    assert node == {"data": {"node": None}}


async def test_a_tampered_expired_or_revoked_link_reads_nothing(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    draft = await make_article(slug="the-draft", status=ArticleStatus.DRAFT)
    editor = await make_person("ed@example.com")
    assert draft.id is not None
    secret = settings.secret_key.get_secret_value()
    link = await create_link(actor=editor.actor, article_id=draft.id, lifetime=timedelta(hours=1))
    token = token_of(link, secret)
    expired = await create_link(
        actor=editor.actor, article_id=draft.id, lifetime=timedelta(seconds=-5)
    )
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    longer = token.replace(f".{int(link.expires_at.timestamp())}.", ".9999999999.")
    browser = await logged_in(desk, editor)
    anonymous = desk()

    working = await ask(anonymous, token, READ, slug="the-draft")
    answers = [
        await ask(anonymous, bad, READ, slug="the-draft")
        for bad in (tampered, longer, token_of(expired, secret), token_of(link, "x" * 40))
    ]
    links = f"/desk/articles/{draft.id}/preview-links"
    page = await browser.get(links)
    revoked = await browser.post(f"{links}/{link.id}/revoke", {"csrf": csrf_of(page.text)})
    after = await ask(anonymous, token, READ, slug="the-draft")
    again = await browser.post(f"{links}/{link.id}/revoke", {"csrf": csrf_of(page.text)})
    pruned = await prune()

    assert working["data"]["article"]["headline"] == draft.headline
    for answer in answers:
        assert codes(answer) == ["UNAUTHENTICATED"]
        assert answer["data"] is None or answer["data"]["article"] is None
    assert "No preview link works now." not in page.text
    assert revoked.status == 303
    assert codes(after) == ["UNAUTHENTICATED"]
    assert again.status == 404
    assert pruned == 1  # the expired link, which the upkeep forgets
    assert await PreviewLink.get(expired.id) is None


async def test_only_those_who_may_open_an_article_share_it(desk: Callable[..., Desk]) -> None:
    draft = await make_article(slug="the-draft", status=ArticleStatus.DRAFT)
    writer = await make_person("wr@example.com", role=Role.CONTRIBUTOR)
    browser = await logged_in(desk, writer)
    page = await browser.get("/desk/articles")

    refused = await browser.get(f"/desk/articles/{draft.id}/preview-links")
    forged = await browser.post(
        f"/desk/articles/{draft.id}/preview-links", {"csrf": csrf_of(page.text)}
    )

    assert refused.status == 403
    assert forged.status == 403


async def draft_route(graphql: str, link: str) -> dict[str, Any]:
    """examples/nextjs-draft/route.js run by Node for `link`, as Next.js would run it."""
    node = shutil.which("node")
    assert node, "`make test` installs Node.js"
    run = await asyncio.create_subprocess_exec(
        node,
        "--import",
        str(FRONTEND / "next-stubs" / "register.mjs"),
        str(FRONTEND / "next-draft.mjs"),
        graphql,
        link,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(run.communicate(), timeout=60)
    assert run.returncode == 0, err.decode()
    found: dict[str, Any] = json.loads(out.decode().splitlines()[-1])
    return found


async def test_the_example_nextjs_route_turns_on_draft_mode_for_a_valid_link_only(
    settings: Settings,
) -> None:
    settings = settings.model_copy(update={"preview_url": PREVIEW_URL})
    async with uvicorn_serving(settings) as base:
        draft = await make_article(slug="the-draft", status=ArticleStatus.DRAFT)
        assert draft.id is not None
        secret = settings.secret_key.get_secret_value()
        link = await create_link(actor=FACTORY, article_id=draft.id, lifetime=timedelta(hours=1))
        expired = await create_link(
            actor=FACTORY, article_id=draft.id, lifetime=timedelta(seconds=-5)
        )
        token = token_of(link, secret)
        good = PREVIEW_URL.format(slug="the-draft", token=token)
        graphql = f"{base}/graphql"
        shown = await draft_route(graphql, good)
        tampered = await draft_route(
            graphql, good[:-2] + ("AA" if not good.endswith("AA") else "BB")
        )
        late = await draft_route(
            graphql, PREVIEW_URL.format(slug="the-draft", token=token_of(expired, secret))
        )

    assert shown["status"] == 307
    assert shown["location"] == "/articles/the-draft"
    assert shown["draft"] is True
    assert shown["cookies"]["newsroom-preview"]["value"] == token
    for refused in (tampered, late):
        assert refused["status"] == 401
        assert refused["draft"] is False
        assert refused["cookies"] == {}
