"""The desk's Tags page over HTTP: every tag with its article count, one created, renamed (the
slug stays) and described, and one merged into another (its articles move through the write path,
its slug keeps answering `tag(slug:)` with the survivor)."""

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from api.settings import Settings
from cms.access import Role
from cms.articles import Article
from cms.revisions import Revision
from cms.status import ArticleStatus
from cms.tags import Tag
from tests.desk_client import Desk, csrf_of, make_person
from tests.factories import make_article, make_tag
from tests.test_desk_editor import logged_in
from tests.test_desk_http import desk_app

pytestmark = pytest.mark.slow  # people logged in (argon2) and articles saved: seconds each

TAG = "query ($slug: String!) { tag(slug: $slug) { slug name articleCount } }"
_ROW = re.compile(
    r'<td><a href="/desk/tags/[0-9a-f]{24}">([^<]*)</a></td>\s*'
    r'<td><span class="slug">([^<]*)</span></td>\s*<td>(\d+)</td>'
)


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Callable[..., Desk]]:
    async with desk_app(settings) as browser:
        yield browser


async def public_tag(browser: Desk, slug: str) -> Any:
    answer = await browser.http.post("/graphql", json={"query": TAG, "variables": {"slug": slug}})
    return answer.json()["data"]["tag"]


async def test_tags_are_listed_with_counts_created_and_renamed_with_their_slug_kept(
    desk: Callable[..., Desk],
) -> None:
    climate = await make_tag(slug="climate", name="Climate")
    await make_tag(slug="energy", name="Energy")
    await make_article(tags=["climate"])
    await make_article(tags=["climate"], status=ArticleStatus.DRAFT)
    editor = await make_person("ed@example.com")
    browser = await logged_in(desk, editor)

    listed = await browser.get("/desk/tags")
    csrf = csrf_of(listed.text)
    bad = await browser.post("/desk/tags", {"csrf": csrf, "name": "Oceans", "slug": "Not A Slug"})
    taken = await browser.post("/desk/tags", {"csrf": csrf, "name": "Again", "slug": "energy"})
    created = await browser.post(
        "/desk/tags", {"csrf": csrf, "name": "Oceans", "slug": "oceans", "description": ""}
    )
    renamed = await browser.post(
        f"/desk/tags/{climate.id}",
        {"csrf": csrf, "name": "Climate change", "description": "Warming & its effects."},
    )
    after = await browser.get("/desk/tags")

    assert listed.status == 200
    assert _ROW.findall(listed.text) == [("Climate", "climate", "2"), ("Energy", "energy", "0")]
    assert bad.status == 400
    assert 'id="slug-problem"' in bad.text
    assert taken.status == 400
    assert "already taken" in taken.text
    assert created.status == 303
    assert renamed.status == 303
    assert _ROW.findall(after.text) == [
        ("Climate change", "climate", "2"),
        ("Energy", "energy", "0"),
        ("Oceans", "oceans", "0"),
    ]
    assert "Warming &amp; its effects." in after.text
    assert await public_tag(browser, "climate") == {
        "slug": "climate",
        "name": "Climate change",
        "articleCount": 1,
    }


async def test_a_merge_moves_the_articles_through_the_write_path_and_keeps_the_slug_answering(
    desk: Callable[..., Desk],
) -> None:
    climate = await make_tag(slug="climate", name="Climate")
    environment = await make_tag(slug="environment", name="Environment")
    one = await make_article(tags=["climate"])
    both = await make_article(tags=["environment", "climate"], status=ArticleStatus.DRAFT)
    editor = await make_person("ed@example.com", name="Edi Tor")
    browser = await logged_in(desk, editor)
    page = await browser.get(f"/desk/tags/{climate.id}")
    csrf = csrf_of(page.text)

    itself = await browser.post(
        f"/desk/tags/{climate.id}/merge", {"csrf": csrf, "into": str(climate.id)}
    )
    nothing = await browser.post(f"/desk/tags/{climate.id}/merge", {"csrf": csrf, "into": ""})
    merged = await browser.post(
        f"/desk/tags/{climate.id}/merge", {"csrf": csrf, "into": str(environment.id)}
    )
    survivor = await browser.get(merged.location)
    moved = [await Article.get(one.id), await Article.get(both.id)]
    revisions = await Revision.find({"article_id": one.id}).sort("-version").to_list()
    again = await browser.post("/desk/tags", {"csrf": csrf, "name": "Climate", "slug": "climate"})

    assert itself.status == 400
    assert "cannot be merged into itself" in itself.text
    assert nothing.status == 400
    assert merged.status == 303
    assert merged.location == f"/desk/tags/{environment.id}?merged=1"
    assert "Merged." in survivor.text
    assert "2 articles in any status carry it" in survivor.text
    assert [article.tags for article in moved if article] == [["environment"], ["environment"]]
    assert revisions[0].actor == "Edi Tor"
    assert revisions[0].changed == ["tags"]
    assert await Tag.get(climate.id) is None
    assert await public_tag(browser, "climate") == {
        "slug": "environment",
        "name": "Environment",
        "articleCount": 1,
    }
    assert again.status == 400  # the merged slug still belongs to the survivor


async def test_only_editors_reach_the_tags(desk: Callable[..., Desk]) -> None:
    tag = await make_tag()
    writer = await make_person("wr@example.com", role=Role.CONTRIBUTOR)
    browser = await logged_in(desk, writer)
    page = await browser.get("/desk/articles")

    listed = await browser.get("/desk/tags")
    forged = await browser.post(
        f"/desk/tags/{tag.id}", {"csrf": csrf_of(page.text), "name": "Renamed"}
    )

    assert listed.status == 403
    assert forged.status == 403
    unchanged = await Tag.get(tag.id)
    assert unchanged is not None
    assert unchanged.name == tag.name
