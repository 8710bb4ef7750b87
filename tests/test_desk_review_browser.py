"""The desk, part 3, in a real browser (Debian's Chromium, driven by Playwright, one launch): an
editor opens the review queue, opens an article from it, makes and copies its preview link and
opens it on a site whose draft-mode route is examples/nextjs-draft/route.js (the draft shows; a
tampered link, then the revoked one, do not), compares two revisions and restores one, and
merges two tags; the public API answers the merged slug with the survivor. axe-core checks every
desk page."""

import asyncio
import json
import shutil
from pathlib import Path

import httpx
import pytest

from api.settings import Settings
from cms.access import Actor, Role
from cms.database import open_store
from cms.people.accounts import get_person
from cms.status import ArticleStatus
from cms.workflow.articles import create_article, transition_article, update_article
from cms.workflow.tags import create_tag
from tests.desk_story import run_story, serious_violations
from tests.servers import free_port, served
from tests.test_desk_browser import ARTIFACTS, CHROMIUM, FRONTEND_SCRIPTS, create_person

CONTRIBUTOR = ("cy@example.com", "Cy Contributor", "contributor", "cy's own password")
EDITOR = ("ed@example.com", "Ed Editor", "editor", "ed's own password")
HEADLINE = "Storm season outlook"


async def write(settings: Settings) -> None:
    """A contributor's draft, submitted for review, then edited by the editor (three versions);
    two tags, the article carrying one."""
    async with open_store(settings):
        cy, ed = await get_person(CONTRIBUTOR[0]), await get_person(EDITOR[0])
        admin = Actor(name="cli:test", role=Role.ADMIN)
        await create_tag(actor=admin, content={"slug": "storms", "name": "Storms"})
        await create_tag(actor=admin, content={"slug": "weather", "name": "Weather"})
        article = await create_article(
            actor=cy.actor,
            content={
                "headline": HEADLINE,
                "slug": "storm-season",
                "author": "Cy Contributor",
                "section": "us",
                "tags": ["storms"],
                "body": "Forecasters expect a busy season on the coast.",
            },
        )
        await transition_article(
            actor=cy.actor, article_id=str(article.id), to=ArticleStatus.REVIEW
        )
        await update_article(
            actor=ed.actor,
            article_id=str(article.id),
            changes={"body": "Forecasters expect a quiet season on the coast."},
            base_version=2,
        )


@pytest.mark.browser
@pytest.mark.processes
@pytest.mark.slow
def test_review_previews_revisions_and_tags_in_a_browser(
    settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node, "`make test` installs Node.js"
    assert Path(CHROMIUM).is_file(), "`make test` installs Debian's chromium"
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "desk-review.png"
    site = f"http://127.0.0.1:{free_port()}"
    env = {
        **cli_env,
        "NEWSROOM_LOG_LEVEL": "warning",
        "NEWSROOM_PREVIEW_URL": f"{site}/api/draft?slug={{slug}}&secret={{token}}",
    }
    for email, name, role, password in (CONTRIBUTOR, EDITOR):
        create_person(email, name, role, password, env)
    asyncio.run(write(settings))

    with served(env, tmp_path / "server.log") as url:
        plan = {
            "base": url,
            "site": site,
            "headline": HEADLINE,
            "versions": 3,
            "mergedTag": "Storms",
            "intoTag": "Weather (weather)",
            "editor": {"email": EDITOR[0], "password": EDITOR[3]},
        }
        report = run_story(
            node, FRONTEND_SCRIPTS / "review.mjs", plan, tmp_path, screenshot, cli_env
        )
        merged = httpx.post(
            f"{url}/graphql", json={"query": '{ tag(slug: "storms") { slug name articleCount } }'}
        ).json()

    ed = report["observed"]["editor"]
    assert "Review (1)" in ed["articles"]["nav"]
    assert ed["queue"]["heading"] == "Review"
    (queued,) = ed["queue"]["rows"]
    assert HEADLINE in queued
    assert "Cy Contributor" in queued
    assert ed["article"]["heading"] == HEADLINE
    assert "No preview link works now." in ed["noLinks"]["paragraphs"]
    assert ed["linkMade"]["notices"] == ["A new preview link is ready to copy."]
    assert ed["link"].startswith(f"{site}/api/draft?slug=storm-season&secret=nrp_")
    assert ed["siteShown"]["url"] == "/articles/storm-season"
    assert ed["siteShown"]["heading"] == HEADLINE
    assert ed["siteShown"]["paragraphs"] == ["Draft preview (REVIEW)"]
    assert ed["siteTampered"]["heading"] == "No preview"
    assert ed["revoked"]["notices"] == ["Revoked."]
    assert ed["siteRevoked"]["heading"] == "No preview"
    assert [row.split()[0] for row in ed["revisions"]["rows"]] == ["3", "2", "1"]
    assert ed["compared"]["removed"] == ["busy"]
    assert ed["compared"]["added"] == ["quiet"]
    assert ed["restored"]["notices"] == ["Restored as a new version."]
    assert ed["tag"]["heading"] == "Storms"
    assert ed["merged"]["heading"] == "Weather"
    assert "Merged." in ed["merged"]["notices"]
    assert merged["data"]["tag"] == {"slug": "weather", "name": "Weather", "articleCount": 0}
    assert serious_violations(report) == []
    assert len(report["axe"]) >= 12
    assert report["errors"] == [], json.dumps(report["errors"], indent=1)
    assert report["refused"] == []
