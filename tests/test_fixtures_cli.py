"""`newsroom fixtures validate | load | export`, as an editor runs them."""

import shutil
from pathlib import Path

import pytest

from tests.cli import load_counts, newsroom
from tests.conftest import REPO
from tests.graphql_client import GraphQLClient
from tests.operations import UPDATE_ARTICLE

COUNT = "{ articles { totalCount } tags { totalCount } }"
HEADLINE = "query ($slug: String!) { article(slug: $slug) { headline } }"

GOOD_ARTICLE = """\
---
headline: Quake hits Myanmar
slug: quake-hits-myanmar
date: 2025-03-28T06:20:00Z
author: Newsroom Staff
section: asia
tags: [earthquakes]
image:
  url: https://img.test/quake.jpg
  caption: Rubble in Mandalay.
  credit: AP
  alt: Collapsed buildings
excerpt: A 7.7 magnitude earthquake struck central Myanmar.
---
A powerful earthquake struck **central Myanmar** on Friday.
"""

TAGS = "- slug: earthquakes\n  name: Earthquakes\n  description: Shaking ground.\n"


def write_set(root: Path, articles: dict[str, str], tags: str = TAGS) -> Path:
    (root / "articles").mkdir(parents=True)
    (root / "tags.yaml").write_text(tags)
    for name, text in articles.items():
        (root / "articles" / name).write_text(text)
    return root


@pytest.fixture
def good_set(tmp_path: Path) -> Path:
    return write_set(tmp_path / "content", {"quake-hits-myanmar.md": GOOD_ARTICLE})


def test_the_demo_fixtures_are_valid(cli_env: dict[str, str]) -> None:
    result = newsroom("fixtures", "validate", str(REPO / "fixtures"), env=cli_env)

    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
    assert "articles" in result.stdout


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (("date: 2025-03-28T06:20:00Z", "date: 28th of March"), "date", "datetime"),
        (("tags: [earthquakes]", "tags: [earthquakes, volcanoes]"), "tags.1", "unknown tag"),
        (("headline: Quake hits Myanmar\n", ""), "headline", "Field required"),
        (("headline: Quake hits Myanmar", "headline: '   '"), "headline", "at least 1"),
        (("excerpt: A 7.7", "excerpt: [unclosed"), "-", "invalid front matter"),
        (("section: asia", "section: Asia Pacific"), "section", "pattern"),
        (("author: Newsroom Staff", "autor: Newsroom Staff"), "autor", "Extra inputs"),
        (("author: Newsroom Staff", "authors: [nobody]"), "authors.0", "unknown author"),
        (("author: Newsroom Staff", "author: '<b>Bold</b>'"), "author", "plain text"),
        (("  credit: AP\n", "  credit: AP\n  size: big\n"), "image.size", "Extra inputs"),
        (("  url: https://img.test/quake.jpg\n", ""), "image.url", "Field required"),
        (("section: asia", "section: asia\nstatus: live"), "status", "Input should be"),
    ],
)
def test_each_problem_is_reported_with_file_and_field(
    tmp_path: Path,
    cli_env: dict[str, str],
    change: tuple[str, str],
    field: str,
    message: str,
) -> None:
    text = GOOD_ARTICLE.replace(*change)
    root = write_set(
        tmp_path / "bad",
        {
            "bad-one.md": text,
            "quake-ok.md": GOOD_ARTICLE.replace("slug: quake-hits-myanmar", "slug: quake-ok"),
        },
    )

    result = newsroom("fixtures", "validate", str(root), env=cli_env)

    assert result.returncode == 1
    assert "bad-one.md" in result.stderr
    assert "quake-ok.md" not in result.stderr
    assert f" {field} " in result.stderr
    assert message in result.stderr


@pytest.mark.slow
async def test_one_bad_article_among_thousands_is_reported_by_file_and_line_and_nothing_is_written(
    tmp_path: Path, cli_env: dict[str, str], client: GraphQLClient
) -> None:
    articles = {
        f"quake-{number:04d}.md": GOOD_ARTICLE.replace(
            "slug: quake-hits-myanmar", f"slug: quake-{number:04d}"
        )
        for number in range(5000)
    }
    # Line 4 of the file: `date:` (line 1 is the opening `---`).
    articles["quake-3217.md"] = articles["quake-3217.md"].replace(
        "date: 2025-03-28T06:20:00Z", "date: 28th of March"
    )
    root = write_set(tmp_path / "archive", articles)

    result = newsroom("fixtures", "load", str(root), env=cli_env)

    assert result.returncode == 1
    assert "1 problem in" in result.stderr
    assert "quake-3217.md:4 " in result.stderr
    assert " date " in result.stderr
    assert await client.data(COUNT) == {"articles": {"totalCount": 0}, "tags": {"totalCount": 0}}


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (("tags: [earthquakes]", "tags: [earthquakes, volcanoes]"), 7),  # the second tag
        (("  credit: AP\n", "  credit: AP\n  size: big\n"), 12),  # a nested key
        (("headline: Quake hits Myanmar\n", ""), 1),  # missing: the front matter
        (("excerpt: A 7.7", "excerpt: [unclosed"), 13),  # YAML that does not parse
        (("on Friday.\n", "on Friday.\n\n\n::video{url=x}\n"), 18),  # a directive of the body
    ],
)
def test_a_problem_names_the_line_it_is_on(
    tmp_path: Path, cli_env: dict[str, str], change: tuple[str, str], line: int
) -> None:
    root = write_set(tmp_path / "bad", {"bad-one.md": GOOD_ARTICLE.replace(*change)})

    result = newsroom("fixtures", "validate", str(root), env=cli_env)

    assert result.returncode == 1
    assert f"bad-one.md:{line} " in result.stderr


def test_every_problem_is_reported_at_once(tmp_path: Path, cli_env: dict[str, str]) -> None:
    root = write_set(
        tmp_path / "bad",
        {
            "one.md": GOOD_ARTICLE,
            "two.md": GOOD_ARTICLE.replace("date: 2025-03-28T06:20:00Z", "date: soon"),
            "three.md": GOOD_ARTICLE,  # duplicate slug of one.md
            "four.md": "no front matter at all\n",
        },
        tags=TAGS + "- slug: earthquakes\n  name: Again\n- name: No slug\n",
    )

    result = newsroom("fixtures", "validate", str(root), env=cli_env)

    assert result.returncode == 1
    assert "5 problems" in result.stderr
    assert "duplicate slug 'quake-hits-myanmar'" in result.stderr
    assert "duplicate tag slug 'earthquakes'" in result.stderr
    assert "[2].slug" in result.stderr
    assert "no YAML front matter" in result.stderr
    assert "two.md" in result.stderr


def test_bad_yaml_in_tags_is_reported(tmp_path: Path, cli_env: dict[str, str]) -> None:
    root = write_set(tmp_path / "bad", {"a.md": GOOD_ARTICLE}, tags="- slug: [oops\n")

    result = newsroom("fixtures", "validate", str(root), env=cli_env)

    assert result.returncode == 1
    assert "tags.yaml" in result.stderr
    assert "invalid YAML" in result.stderr


def test_a_missing_directory_is_reported(tmp_path: Path, cli_env: dict[str, str]) -> None:
    result = newsroom("fixtures", "validate", str(tmp_path / "nowhere"), env=cli_env)

    assert result.returncode == 1
    assert "directory not found" in result.stderr


async def test_load_writes_nothing_when_anything_is_wrong(
    tmp_path: Path, cli_env: dict[str, str], client: GraphQLClient
) -> None:
    broken = GOOD_ARTICLE.replace("slug: quake-hits-myanmar", "slug: other").replace(
        "tags: [earthquakes]", "tags: [nope]"
    )
    root = write_set(tmp_path / "bad", {"good.md": GOOD_ARTICLE, "broken.md": broken})

    result = newsroom("fixtures", "load", str(root), env=cli_env)

    assert result.returncode == 1
    assert "unknown tag 'nope'" in result.stderr
    assert await client.data(COUNT) == {"articles": {"totalCount": 0}, "tags": {"totalCount": 0}}


@pytest.mark.slow
async def test_load_upserts_by_slug_and_reports_what_changed(
    good_set: Path, cli_env: dict[str, str], client: GraphQLClient
) -> None:
    dry = newsroom("fixtures", "load", "--dry-run", str(good_set), env=cli_env)
    after_dry = await client.data(COUNT)
    first = newsroom("fixtures", "load", str(good_set), env=cli_env)
    again = newsroom("fixtures", "load", str(good_set), env=cli_env)
    article = good_set / "articles" / "quake-hits-myanmar.md"
    article.write_text(GOOD_ARTICLE.replace("Quake hits Myanmar", "Quake devastates Myanmar"))
    edited = newsroom("fixtures", "load", str(good_set), env=cli_env)
    headline = await client.data(HEADLINE, {"slug": "quake-hits-myanmar"})

    assert dry.returncode == 0, dry.stderr
    assert "Dry run: nothing was written" in dry.stdout
    assert load_counts(dry.stdout, "articles") == (1, 0, 0)
    assert after_dry == {"articles": {"totalCount": 0}, "tags": {"totalCount": 0}}
    assert load_counts(first.stdout, "articles") == (1, 0, 0)
    assert load_counts(first.stdout, "tags") == (1, 0, 0)
    assert load_counts(again.stdout, "articles") == (0, 0, 1)
    assert "Nothing to change" in again.stdout
    assert load_counts(edited.stdout, "articles") == (0, 1, 0)
    assert load_counts(edited.stdout, "tags") == (0, 0, 1)
    assert headline == {"article": {"headline": "Quake devastates Myanmar"}}


@pytest.mark.slow
async def test_export_writes_what_load_reads_back_unchanged(
    tmp_path: Path, cli_env: dict[str, str], client: GraphQLClient
) -> None:
    source = tmp_path / "source"
    shutil.copytree(REPO / "fixtures", source)
    loaded = newsroom("fixtures", "load", str(source), env=cli_env)
    exported = newsroom("fixtures", "export", str(tmp_path / "exported"), env=cli_env)
    reloaded = newsroom("fixtures", "load", str(tmp_path / "exported"), env=cli_env)
    files = sorted(path.name for path in (tmp_path / "exported" / "articles").iterdir())

    assert loaded.returncode == 0, loaded.stderr
    assert exported.returncode == 0, exported.stderr
    created, _, _ = load_counts(loaded.stdout, "articles")
    assert f"Wrote {created} articles" in exported.stdout
    assert files == sorted(path.name for path in (source / "articles").iterdir())
    assert load_counts(reloaded.stdout, "articles") == (0, 0, created)
    assert load_counts(reloaded.stdout, "tags")[:2] == (0, 0)
    assert "Nothing to change" in reloaded.stdout


@pytest.mark.slow
async def test_a_workflow_state_and_fine_dates_survive_load_export_load(
    tmp_path: Path, cli_env: dict[str, str], client: GraphQLClient
) -> None:
    draft = (
        GOOD_ARTICLE.replace("slug: quake-hits-myanmar", "slug: quake-draft")
        .replace("section: asia", "section: asia\nstatus: draft")
        # Finer than BSON keeps: must not read as "updated" on every load.
        .replace("date: 2025-03-28T06:20:00Z", "date: 2025-03-28T06:20:00.123456+02:00")
        .replace("author:", "updated: 2025-03-29\nauthor:")
    )
    root = write_set(tmp_path / "content", {"a.md": GOOD_ARTICLE, "quake-draft.md": draft})

    first = newsroom("fixtures", "load", str(root), env=cli_env)
    again = newsroom("fixtures", "load", str(root), env=cli_env)
    newsroom("fixtures", "export", str(tmp_path / "out"), env=cli_env)
    exported = (tmp_path / "out" / "articles" / "quake-draft.md").read_text()
    reloaded = newsroom("fixtures", "load", str(tmp_path / "out"), env=cli_env)
    public = await client.data(COUNT)

    assert load_counts(first.stdout, "articles") == (2, 0, 0)
    assert load_counts(again.stdout, "articles") == (0, 0, 2)
    assert "status: draft" in exported
    assert "date: '2025-03-28T04:20:00.123000Z'" in exported
    assert "updated: '2025-03-29T00:00:00Z'" in exported
    assert load_counts(reloaded.stdout, "articles") == (0, 0, 2)
    assert public["articles"] == {"totalCount": 1}  # the draft stays private


def test_an_unreachable_store_is_a_clear_error(good_set: Path, cli_env: dict[str, str]) -> None:
    nowhere = "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=300"

    result = newsroom(
        "fixtures", "load", str(good_set), env=cli_env | {"NEWSROOM_MONGODB_URI": nowhere}
    )

    assert result.returncode == 1
    assert "The store is unavailable" in result.stderr
    assert "Traceback" not in result.stderr


def test_invalid_settings_are_a_clear_error(good_set: Path, cli_env: dict[str, str]) -> None:
    result = newsroom("fixtures", "validate", str(good_set), env=cli_env | {"NEWSROOM_PORT": "x"})

    assert result.returncode == 2
    assert "Invalid settings" in result.stderr
    assert "port" in result.stderr


ID_AND_VERSION = """
query ($slug: String!) { article(slug: $slug, preview: true) { id version headline } }
"""


@pytest.mark.slow
async def test_a_load_never_silently_overwrites_an_edit_made_through_the_api(
    good_set: Path, cli_env: dict[str, str], editor: GraphQLClient, tmp_path: Path
) -> None:
    newsroom("fixtures", "load", str(good_set), env=cli_env)
    found = (await editor.data(ID_AND_VERSION, {"slug": "quake-hits-myanmar"}))["article"]
    await editor.data(
        UPDATE_ARTICLE,
        {"id": found["id"], "version": 1, "input": {"headline": "Edited in the API"}},
    )
    article = good_set / "articles" / "quake-hits-myanmar.md"
    article.write_text(GOOD_ARTICLE.replace("Quake hits Myanmar", "Edited in the file"))

    refused = newsroom("fixtures", "load", str(good_set), env=cli_env)
    dry = newsroom("fixtures", "load", "--dry-run", str(good_set), env=cli_env)
    kept = (await editor.data(ID_AND_VERSION, {"slug": "quake-hits-myanmar"}))["article"]
    forced = newsroom("fixtures", "load", "--force", str(good_set), env=cli_env)
    overwritten = (await editor.data(ID_AND_VERSION, {"slug": "quake-hits-myanmar"}))["article"]

    assert refused.returncode == 1
    assert "quake-hits-myanmar" in refused.stderr
    assert "changed since the last load (version 2, loaded 1)" in refused.stderr
    assert "nothing was written" in refused.stderr
    assert dry.returncode == 0
    assert "quake-hits-myanmar" in dry.stderr
    assert kept["headline"] == "Edited in the API"
    assert forced.returncode == 0, forced.stderr
    assert load_counts(forced.stdout, "articles") == (0, 1, 0)
    assert (overwritten["headline"], overwritten["version"]) == ("Edited in the file", 3)


@pytest.mark.slow
async def test_an_article_made_in_the_api_is_not_overwritten_by_a_file_of_that_slug(
    good_set: Path, cli_env: dict[str, str], editor: GraphQLClient
) -> None:
    create = """
    mutation { createArticle(input: {headline: "Mine", slug: "quake-hits-myanmar", author: "E",
      section: "asia"}) { __typename } }
    """
    await editor.data(create)

    refused = newsroom("fixtures", "load", str(good_set), env=cli_env)

    assert refused.returncode == 1
    assert "loaded never" in refused.stderr


@pytest.mark.slow
async def test_after_an_export_the_files_are_the_editors_again(
    good_set: Path, cli_env: dict[str, str], editor: GraphQLClient, tmp_path: Path
) -> None:
    newsroom("fixtures", "load", str(good_set), env=cli_env)
    found = (await editor.data(ID_AND_VERSION, {"slug": "quake-hits-myanmar"}))["article"]
    await editor.data(
        UPDATE_ARTICLE, {"id": found["id"], "version": 1, "input": {"headline": "API"}}
    )

    newsroom("fixtures", "export", str(good_set), env=cli_env)
    caught_up = newsroom("fixtures", "load", str(good_set), env=cli_env)
    article = good_set / "articles" / "quake-hits-myanmar.md"
    article.write_text(article.read_text().replace("headline: API", "headline: File again"))
    edited = newsroom("fixtures", "load", str(good_set), env=cli_env)
    headline = await editor.data(ID_AND_VERSION, {"slug": "quake-hits-myanmar"})

    assert caught_up.returncode == 0, caught_up.stderr
    assert load_counts(caught_up.stdout, "articles") == (0, 0, 1)
    assert edited.returncode == 0, edited.stderr
    assert headline["article"]["headline"] == "File again"


@pytest.mark.slow
def test_a_scheduled_arrival_is_not_an_edit_to_a_later_load(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    import time
    from datetime import UTC, datetime, timedelta

    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    text = GOOD_ARTICLE.replace("date: 2025-03-28T06:20:00Z", f"date: {soon}").replace(
        "section: asia", "section: asia\nstatus: scheduled"
    )
    root = write_set(tmp_path / "content", {"quake-hits-myanmar.md": text})
    newsroom("fixtures", "load", str(root), env=cli_env)
    time.sleep(1.2)

    again = newsroom("fixtures", "load", str(root), env=cli_env)

    assert again.returncode == 0, again.stderr
    assert "Nothing to change" in again.stdout
