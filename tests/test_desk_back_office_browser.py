"""The desk's back office in a real browser (Debian's Chromium, driven by Playwright, one
launch): readers vote and write through the public API; an editor reads an article's rating
chart, marks a low-rated note handled, mints a token and uses it against /graphql; an admin
invites a person (who sets a password through the link and logs in), adds a webhook to a local
receiver and sends a delivery again, and lowers the editor's role, which revokes their token.
axe-core checks every page."""

import base64
import json
import shutil
from pathlib import Path

import httpx
import pytest

from tests.cli import newsroom
from tests.conftest import REPO
from tests.desk_story import run_story, serious_violations
from tests.servers import served
from tests.test_desk_browser import ARTIFACTS, CHROMIUM, FRONTEND_SCRIPTS, create_person

EDITOR = ("ed@example.com", "Ed Editor", "editor", "ed's own password")
ADMIN = ("ada@example.com", "Ada Admin", "admin", "ada's own password")
INVITEE = ("grace@example.com", "Grace Hopper", "grace's own password")
VOTE = "mutation ($id: ID!, $stars: Int!) { vote(articleId: $id, stars: $stars) { __typename } }"
NOTE = (
    "mutation ($id: ID!, $message: String!) "
    "{ submitFeedback(articleId: $id, message: $message) { __typename } }"
)


def readers_rate(url: str) -> str:
    """Three readers vote on the newest article, two of them write; its ratings page."""
    with httpx.Client(base_url=url) as http:
        newest = http.post(
            "/graphql", json={"query": "{ articles(first: 1) { nodes { id } } }"}
        ).json()["data"]["articles"]["nodes"][0]["id"]
    for stars, message in ((1, "The map is wrong."), (5, "Great reporting."), (4, None)):
        # A browser of its own per reader: the vote's cookie makes the note carry the stars.
        with httpx.Client(base_url=url) as reader:
            voted = reader.post(
                "/graphql", json={"query": VOTE, "variables": {"id": newest, "stars": stars}}
            )
            assert voted.json()["data"]["vote"]["__typename"] == "VoteSuccess", voted.text
            if message:
                sent = reader.post(
                    "/graphql",
                    json={"query": NOTE, "variables": {"id": newest, "message": message}},
                )
                assert sent.json()["data"]["submitFeedback"]["__typename"] == "FeedbackSent"
    object_id = base64.b64decode(newest).decode().split(":", 1)[1]
    return f"/desk/ratings/{object_id}"


@pytest.mark.browser
@pytest.mark.processes
@pytest.mark.slow
def test_ratings_feedback_tokens_people_and_webhooks_in_a_browser(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node, "`make test` installs Node.js"
    assert Path(CHROMIUM).is_file(), "`make test` installs Debian's chromium"
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "desk-back-office.png"
    env = {
        **cli_env,
        "NEWSROOM_LOG_LEVEL": "warning",
        "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE": "true",
        "NEWSROOM_WEBHOOKS_POLL_INTERVAL": "0.1",
    }
    assert newsroom("fixtures", "load", str(REPO / "fixtures"), env=env).returncode == 0
    for email, name, role, password in (EDITOR, ADMIN):
        create_person(email, name, role, password, env)

    with served(env, tmp_path / "server.log") as url:
        plan = {
            "base": url,
            "chart": readers_rate(url),
            "editor": {
                "email": EDITOR[0],
                "name": EDITOR[1],
                "password": EDITOR[3],
                "token": "ed-script",
            },
            "admin": {"email": ADMIN[0], "password": ADMIN[3]},
            "invitee": {"email": INVITEE[0], "name": INVITEE[1], "password": INVITEE[2]},
        }
        report = run_story(
            node, FRONTEND_SCRIPTS / "back_office.mjs", plan, tmp_path, screenshot, cli_env
        )

    ed, ada = report["observed"]["editor"], report["observed"]["admin"]
    assert ed["ratings"]["heading"] == "Ratings"
    assert ed["chart"]["heading"].startswith("Ratings: ")
    assert ed["chart"]["values"] == ["1", "1", "0", "0", "1"]  # 5 stars down to 1
    assert "3.3 stars on average from 3 votes." in ed["chart"]["notices"]
    assert ed["low"]["notes"] == ["The map is wrong."]
    assert ed["handled"]["handled"][0].startswith("Handled by Ed Editor")
    assert len(ed["minted"]["secrets"]) == 1
    # Answered: a preview read needs a token (anonymous, it is refused with errors).
    assert isinstance(ed["draftsSeen"], int)
    assert ed["listed"]["secrets"] == []  # shown once
    assert "ed-script" in ed["listed"]["cells"]

    assert ada["invited"]["secrets"][0].startswith("http")
    assert ada["linkPage"]["heading"] == "Welcome, Grace Hopper"
    assert ada["inviteeIn"]["url"] == "/desk/articles"
    assert ada["changedWithToken"] == "ArticleSaved"
    assert len(ada["added"]["secrets"]) == 1
    assert ada["received"] == 2
    assert ada["sameBody"] is True
    assert any("queued to be sent again" in notice for notice in ada["sentAgain"]["notices"])
    assert any(
        "Ed Editor is now contributor. Revoked their token: ed-script." in notice
        for notice in ada["lowered"]["notices"]
    )
    assert ada["tokenAfter"] == "UNAUTHENTICATED"
    assert serious_violations(report) == []
    assert len(report["axe"]) >= 12
    assert report["errors"] == [], json.dumps(report["errors"], indent=1)
    assert report["refused"] == []
    assert all(request.startswith(f"{url}/") for request in report["requests"])
