"""The desk's editor in a real browser (Debian's Chromium, driven by Playwright, one launch):
a contributor writes a draft with the keyboard only, meets a message at a field, fixes it, sees
the preview follow, saves with Ctrl-S and submits it for review; an editor edits it while a
second session does, meets the conflict, keeps one field from each, picks a library image (uploaded
with the CLI) with the picker labelled Image, publishes, and schedules its
unpublication; the public GraphQL API serves each result; a tab closed with unsaved changes asks
first. axe-core checks every editor page."""

import json
import shutil
from pathlib import Path

import pytest

from api.media.types import library_image_id
from tests import images
from tests.cli import newsroom
from tests.conftest import REPO
from tests.desk_story import run_story, serious_violations
from tests.servers import served
from tests.test_desk_browser import ARTIFACTS, CHROMIUM, FRONTEND_SCRIPTS, create_person

CONTRIBUTOR = ("cy@example.com", "Cy Contributor", "contributor", "cy's own password")
EDITOR = ("ed@example.com", "Ed Editor", "editor", "ed's own password")
HEADLINE = "Quake survivors wait for water"
SLUG = "quake-survivors-wait-for-water"


@pytest.mark.browser
@pytest.mark.processes
@pytest.mark.slow
def test_a_draft_written_reviewed_contested_published_and_unpublished_in_a_browser(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node, "`make test` installs Node.js"
    assert Path(CHROMIUM).is_file(), "`make test` installs Debian's chromium"
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "desk-editor.png"
    env = {**cli_env, "NEWSROOM_LOG_LEVEL": "warning", "NEWSROOM_ARRIVAL_CHECK_INTERVAL": "0.2"}
    assert newsroom("fixtures", "load", str(REPO / "fixtures"), env=env).returncode == 0
    for email, name, role, password in (CONTRIBUTOR, EDITOR):
        create_person(email, name, role, password, env)
    photo = tmp_path / "rubble.jpg"
    photo.write_bytes(images.jpeg(320, 240, "grey"))
    added = newsroom("media", "add", str(photo), "--alt", "Rescuers in rubble", env=env)
    assert added.returncode == 0, added.stderr
    image_id = added.stdout.split()[0]

    with served(env, tmp_path / "server.log") as url:
        plan = {
            "base": url,
            "slug": SLUG,
            "contributor": {
                "email": CONTRIBUTOR[0],
                "password": CONTRIBUTOR[3],
                "headline": HEADLINE,
                "body": "Rescuers **dig** on.",
                "strong": "dig",
                "more": " Water is short.",
                "section": "asia",
                "tagSearch": "earth",
                "tag": "Earthquakes",
                "authorSearch": "hana",
                "authorName": "Hana Seo",
                "credit": "Newsroom Staff",
            },
            "editor": {
                "email": EDITOR[0],
                "password": EDITOR[3],
                "theirHeadline": "Quake survivors still wait for water",
                "myHeadline": "Survivors wait",
                "myExcerpt": "A week on, water is short.",
                "imageSearch": "rubble",
                "imageName": "rubble.jpg",
                "imageCaption": "Rescuers search the rubble in Antakya.",
            },
        }
        report = run_story(
            node, FRONTEND_SCRIPTS / "editor.mjs", plan, tmp_path, screenshot, cli_env
        )

    cy, ed = report["observed"]["contributor"], report["observed"]["editor"]
    # The contributor: the slug follows the headline, the preview the body, the mistake is
    # named at its field, then saved and submitted.
    assert cy["blank"]["heading"] == "New article"
    assert cy["suggestedSlug"] == SLUG
    assert cy["previewAfter"] < 1500
    assert list(cy["refused"]["problems"]) == ["credit"]
    assert cy["saved"]["notices"] == ["Created as a draft."]
    assert cy["saved"]["buttons"] == ["Find", "Save", "Submit for review"]
    assert cy["submitted"]["status"] == "In review"
    assert cy["submitted"]["buttons"] == []  # no longer theirs to change
    # The editors: the conflict lists what differs; one field from each side is kept.
    assert ed["opened"]["buttons"] == ["Find", "Save", "Publish", "Schedule", "Back to draft"]
    assert ed["conflict"]["conflicts"] == ["Headline", "Excerpt"]
    assert ed["excerptSuggested"] is True
    assert ed["resolved"]["notices"] == ["Saved."]
    assert ed["pictured"]["notices"] == ["Saved."]
    assert ed["thumbnail"] == f"/desk/media/{image_id}/original"
    assert ed["published"]["status"] == "Published"
    assert ed["public"] == {
        "headline": "Quake survivors still wait for water",
        "excerpt": "A week on, water is short.",
        "status": "PUBLISHED",
        "image": {
            "id": library_image_id(image_id),
            "caption": "Rescuers search the rubble in Antakya.",
            "alt": "Rescuers in rubble",
        },
        # The contributor's byline, as the Authors picker and the credit field made it.
        "authors": [{"slug": "hana-seo"}],
        "credit": "Newsroom Staff",
    }
    assert ed["beforeLeaving"] is not None
    assert ed["afterLeaving"] is None  # the scheduled unpublication took effect
    assert ed["leavingUnsaved"] == "beforeunload"
    assert serious_violations(report) == []
    assert len(report["axe"]) >= 8
    assert report["errors"] == [], json.dumps(report["errors"], indent=1)
    assert report["refused"] == []
    assert all(request.startswith(f"{url}/") for request in report["requests"])
