"""The playground: GraphiQL served entirely by Newsroom, in a real browser, with no network."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from api.examples import EDITOR_QUERY, EDITOR_WIDTH, GRAPHIQL_DOCUMENT
from api.playground.assets import EXPLORER, FILES, GRAPHIQL, OWN, PACKAGES, REACT
from api.settings import Settings
from tests.conftest import REPO, serving
from tests.servers import served

FRONTEND = REPO / "tests" / "frontend"
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"


async def test_the_page_loads_only_this_servers_files_under_a_self_only_policy(
    settings: Settings,
) -> None:
    async with serving(settings) as client:
        page = await client.http.get("/graphql", headers={"accept": "text/html"})
        script = await client.http.get(GRAPHIQL.url("graphiql.min.js"))
        own = await client.http.get(OWN["playground.js"])
        licence = await client.http.get(REACT.url("LICENSE"))

    policy = page.headers["content-security-policy"]
    assert "https:" not in policy
    assert "'unsafe-" not in policy
    assert "script-src 'self';" in policy
    assert "https://" not in page.text.replace("https://www.w3.org", "")
    for package in PACKAGES:
        assert f"/graphql/assets/{package.name}@{package.version}/" in page.text
    assert script.status_code == own.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert (
        script.content
        == (REPO / "api/playground/assets/graphiql@3.8.3/graphiql.min.js").read_bytes()
    )
    # Versioned or content-hashed: a URL never changes what it serves.
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert own.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "MIT License" in licence.text


async def test_the_page_opens_on_the_examples_and_an_editor_tab(settings: Settings) -> None:
    async with serving(settings) as client:
        page = await client.http.get("/graphql", headers={"accept": "text/html"})

    assert "subscription RatingChanged($articleId: ID!)" in page.text
    assert "newsroom tokens create --name me --role editor" in page.text
    assert '"Authorization": "Bearer paste-your-editor-token-here"' in page.text


async def test_an_unknown_or_stale_asset_is_not_found(settings: Settings) -> None:
    async with serving(settings) as client:
        unknown = await client.http.get("/graphql/assets/graphiql@3.8.3/../../../cms/config.py")
        other_version = await client.http.get("/graphql/assets/graphiql@3.8.2/graphiql.min.js")
        old_hash = await client.http.get("/graphql/assets/newsroom/playground.0000.js")
        tarball_file = await client.http.get(EXPLORER.url("src/index.tsx"))

    assert {unknown.status_code, other_version.status_code, old_hash.status_code} == {404}
    assert tarball_file.status_code == 404


async def test_with_graphiql_off_its_assets_are_not_served_either(settings: Settings) -> None:
    off = settings.model_copy(update={"graphiql": False})

    async with serving(off) as client:
        page = await client.http.get("/graphql", headers={"accept": "text/html"})
        script = await client.http.get(GRAPHIQL.url("graphiql.min.js"))

    assert "text/html" not in page.headers["content-type"]
    assert script.status_code == 404


def test_the_examples_fit_graphiqls_editor_beside_its_toolbar() -> None:
    for document in (GRAPHIQL_DOCUMENT, EDITOR_QUERY):
        too_long = [line for line in document.splitlines() if len(line) > EDITOR_WIDTH]
        assert too_long == []


async def test_each_page_carries_a_fresh_style_nonce_and_only_scripts_from_self(
    settings: Settings,
) -> None:
    async with serving(settings) as client:
        first, second = [
            await client.http.get("/graphql", headers={"accept": "text/html"}) for _ in range(2)
        ]
        icon = await client.http.get("/favicon.ico")

    nonces = []
    for page in (first, second):
        policy = page.headers["content-security-policy"]
        nonce = policy.split("'nonce-")[1].split("'")[0]
        assert f'nonce="{nonce}"' in page.text
        assert "script-src 'self';" in policy
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
    assert icon.status_code == 200
    assert icon.headers["content-type"] == "image/x-icon"


def test_every_served_file_is_committed_with_the_package() -> None:
    missing = [name for name, path in FILES.items() if not path.is_file()]

    assert missing == []
    assert all(
        any(name.endswith(("LICENSE", "package.json")) for name in package.files)
        for package in PACKAGES
    )


@pytest.mark.browser
def test_graphiql_runs_the_article_page_in_a_browser_with_no_other_host(
    demo: object, cli_env: dict[str, str], tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node, "`make test` installs Node.js"
    assert Path(CHROMIUM).is_file(), "`make test` installs Debian's chromium"
    assert (FRONTEND / "node_modules" / "playwright-core").is_dir(), "`make test` installs it"
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "playground.png"

    with served(cli_env, tmp_path / "server.log") as url:
        run = subprocess.run(
            [node, str(FRONTEND / "playground.mjs"), f"{url}/graphql", str(screenshot)],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            env={**cli_env, "CHROMIUM": CHROMIUM},
        )

    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\nscreenshot: {screenshot}"
    report = json.loads(run.stdout)
    assert (
        '"headline": "North Korea Sends 3,000 More Troops To Russia, Seoul Says"'
        in report["response"]
    )
    assert report["socket"] == "connection_ack"
    assert report["menu"] == [
        "ArticlePage",
        "LatestArticles",
        "TagPage",
        "Vote",
        "RatingChanged",
        "ArticlePublished",
    ]
    assert report["tabs"] == report["tabsAfterReload"] == ["ArticlePage", "Drafts"]
    assert report["overflowing"] == []
    assert report["refused"] == []
    assert report["errors"] == []  # console errors and answers of 400 or more (favicon too)
    assert report["requests"], "the browser made requests"
    assert all(request.startswith(f"{url}/") for request in report["requests"])
