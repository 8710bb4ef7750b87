"""The desk in a real browser (Debian's Chromium, driven by Playwright, one launch): the quick
start's page followed as written (its commands in a terminal, its steps in the browser), then an
admin's contributor and editor from the command line, each logging in, seeing the list with its
counts, filtering, searching and logging out, the contributor with the keyboard only. axe-core
checks every page they see: no serious or critical violation."""

import asyncio
import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from api.settings import Settings
from cms.database import open_store
from cms.people.accounts import get_person
from cms.status import ArticleStatus
from cms.workflow.articles import create_article, transition_article
from tests import images
from tests.cli import newsroom
from tests.conftest import REPO
from tests.desk_story import browser_steps, quick_start, run_story, serious_violations
from tests.docs_answers import fill
from tests.docs_blocks import Command, steps
from tests.docs_runner import page_run

CHROMIUM = "/usr/bin/chromium"
FRONTEND_SCRIPTS = REPO / "tests" / "frontend"
ARTIFACTS = REPO / "test-artifacts"
PASSWORD = "a quick start password"
CONTRIBUTOR = ("cy@example.com", "Cy Contributor", "contributor", "cy's own password")
EDITOR = ("ed@example.com", "Ed Editor", "editor", "ed's own password")
OWN_DRAFT = "Aftershocks: what the quake's survivors need"
EMBARGOED = "Embargoed: the budget's last line"
IN_REVIEW = "Storm season outlook"
PHOTO = "harbour-at-dawn.jpg"
ALT = "Fishing boats leaving the harbour at dawn"


def test_the_quick_start_can_be_followed_by_the_test() -> None:
    page = quick_start(REPO)

    found = browser_steps(page)

    assert [step["do"] for step in found][:1] == ["open"]
    assert any(isinstance(step, Command) for step in steps(page, REPO))


def create_person(email: str, name: str, role: str, password: str, env: dict[str, str]) -> None:
    done = newsroom(
        "users",
        "create",
        email,
        "--name",
        name,
        "--role",
        role,
        "--password-stdin",
        env=env,
        input=password + "\n",
    )
    assert done.returncode == 0, done.stderr


async def write_as_people(settings: Settings) -> str:
    """What the people wrote (through the write path, as the desk's editor will): the
    contributor's draft, the editor's draft and an article the editor put in review. The id of
    the editor's draft."""
    async with open_store(settings):
        cy, ed = await get_person(CONTRIBUTOR[0]), await get_person(EDITOR[0])
        await create_article(
            actor=cy.actor,
            content={
                "headline": OWN_DRAFT,
                "slug": "aftershocks",
                "author": "Cy Contributor",
                "section": "asia",
                "body": "A week after the quake, the survivors need water and shelter.",
            },
        )
        embargoed = await create_article(
            actor=ed.actor,
            content={"headline": EMBARGOED, "slug": "budget-line", "author": "Ed", "section": "us"},
        )
        storm = await create_article(
            actor=ed.actor,
            content={"headline": IN_REVIEW, "slug": "storms", "author": "Ed", "section": "us"},
        )
        await transition_article(actor=ed.actor, article_id=str(storm.id), to=ArticleStatus.REVIEW)
    return str(embargoed.id)


def printed_link(page_steps: list[Any], captures: dict[str, str], local: Any) -> str:
    """The link the quick start's command printed, as the page shows it, filled in."""
    for step in page_steps:
        if isinstance(step, Command) and "{{link}}" in step.shown:
            found = re.search(r"https?://\S+", local(fill(step.shown, captures)))
            assert found
            return found.group(0)
    raise AssertionError("the quick start prints no link")


@pytest.mark.browser
@pytest.mark.processes
@pytest.mark.slow
def test_people_at_the_desk_in_a_browser(
    settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node, "`make test` installs Node.js"
    assert Path(CHROMIUM).is_file(), "`make test` installs Debian's chromium"
    assert (FRONTEND_SCRIPTS / "node_modules" / "axe-core").is_dir(), "`make test` installs it"
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "desk.png"
    photo = tmp_path / PHOTO
    photo.write_bytes(images.jpeg(320, 240, "teal"))
    page = quick_start(REPO)
    page_steps = steps(page, REPO)
    env = {**cli_env, "NEWSROOM_LOG_LEVEL": "warning"}

    started = time.monotonic()
    with page_run(page_steps, tmp_path, env) as run:
        # The admin (the reader) brings in a contributor and an editor from the command line.
        for email, name, role, password in (CONTRIBUTOR, EDITOR):
            create_person(email, name, role, password, run.env)
        embargoed = asyncio.run(write_as_people(settings))
        plan = {
            "base": run.url,
            "quickstart": {
                "link": printed_link(page_steps, run.captures, run.local),
                "password": PASSWORD,
                "steps": browser_steps(page),
            },
            "contributor": {
                "email": CONTRIBUTOR[0],
                "password": CONTRIBUTOR[3],
                "search": "quake",
                "own": OWN_DRAFT,
                "forbidden": f"/desk/articles/{embargoed}",
            },
            "editor": {
                "email": EDITOR[0],
                "password": EDITOR[3],
                "search": "Myanmar",
                "photo": str(photo),
                "photoName": PHOTO,
                "alt": ALT,
            },
        }
        browsed = time.monotonic()
        report = run_story(node, FRONTEND_SCRIPTS / "desk.mjs", plan, tmp_path, screenshot, cli_env)
    print(
        f"desk in a browser: {time.monotonic() - started:.1f} s in all, "
        f"{time.monotonic() - browsed:.1f} s in Chromium"
    )

    quick, cy, ed = (report["observed"][who] for who in ("quickstart", "contributor", "editor"))
    # The quick start: the link's page, the login page, the list.
    assert quick[0]["heading"] == "Welcome, Your Name"
    assert quick[1]["url"] == "/desk/login?password=1"
    assert "Your password is set. Log in with it." in quick[1]["notices"]
    assert quick[-1]["heading"] == "Articles"
    assert "46 published" in quick[-1]["tabs"]
    # The contributor: their own draft and what the public can read, never another's draft.
    assert cy["login"]["heading"] == "Log in to the desk"
    assert cy["list"]["tabs"] == [
        "47 in all",
        "1 draft",
        "0 in review",
        "0 scheduled",
        "46 published",
        "0 archived",
        "1 mine",
    ]
    assert cy["list"]["rows"][0] == OWN_DRAFT
    assert EMBARGOED not in cy["list"]["rows"]
    assert OWN_DRAFT in cy["searched"]["rows"]
    assert len(cy["searched"]["rows"]) > 1
    assert cy["drafts"]["rows"] == [OWN_DRAFT]
    assert cy["article"]["heading"] == OWN_DRAFT
    assert cy["forbidden"]["heading"] == "Not allowed"
    assert "You are logged out." in cy["loggedOut"]["notices"]
    # The editor: every article, filtered, searched, in two orders, a page further, one opened.
    assert ed["list"]["tabs"] == [
        "49 in all",
        "2 drafts",
        "1 in review",
        "0 scheduled",
        "46 published",
        "0 archived",
        "2 mine",
    ]
    assert ed["inReview"]["rows"] == [IN_REVIEW]
    assert ed["inReview"]["current"] == ["1 in review"]
    assert "Rescuers Search Rubble As Myanmar Quake Toll Rises" in ed["searched"]["rows"]
    assert OWN_DRAFT not in ed["searched"]["rows"]
    assert len(ed["byPublication"]["rows"]) == 25
    assert len(ed["older"]["rows"]) == 24
    assert ed["article"]["heading"] == ed["older"]["rows"][0]
    assert "You are logged out." in ed["loggedOut"]["notices"]
    # The editor's photo: through the file picker, described, its focal point clicked.
    assert ed["media"]["heading"] == "Media"
    assert ed["media"]["notices"] == ["0 images in the library."]
    assert f"{PHOTO}: added, 320 \N{MULTIPLICATION SIGN} 240 JPEG." in ed["uploadedText"]
    clicked = (float(ed["focal"]["x"]), float(ed["focal"]["y"]))
    assert clicked == pytest.approx((0.25, 0.75), abs=0.01)
    assert ed["focal"]["marker"] is True
    assert "Saved." in ed["described"]["notices"]
    assert ed["saved"] == {"alt": ALT, "x": ed["focal"]["x"], "y": ed["focal"]["y"]}
    assert f"Alt text: {ALT}" in ed["libraryText"]
    # Every page a person sees logged in offers the Log out button.
    inside = [
        seen
        for seen in report["pages"]
        if seen["url"].startswith(("/desk/articles", "/desk/media"))
    ]
    assert len(inside) > 10
    assert [seen["url"] for seen in inside if "Log out" not in seen["buttons"]] == []
    # Every page, checked by axe-core: nothing serious or critical.
    checked = {entry["url"].split("?")[0] for entry in report["axe"]}
    assert {
        "/desk/login",
        "/desk/articles",
        f"/desk/articles/{embargoed}",
        "/desk/media",
    } <= checked
    assert any(url.startswith("/desk/media/") for url in checked)
    assert any(url.startswith("/desk/password/") for url in checked)
    assert serious_violations(report) == []
    assert report["errors"] == [], json.dumps(report["errors"], indent=1)
    assert report["refused"] == []
    assert all(request.startswith(f"{run.url}/") for request in report["requests"])
    print(f"Chromium's part: {report['seconds']:.1f} s; axe ran on {len(report['axe'])} pages")
