"""Editors pin and exclude related articles, through the API and in fixture files."""

from pathlib import Path

import pytest
import yaml

from cms.status import ArticleStatus
from tests.cli import newsroom
from tests.exactness import assert_exact
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import update_article_operation
from tests.test_discovery_writes import TRANSITION, quakes, related

UPDATE = update_article_operation("__typename ... on InvalidInput { problems { field } }")


async def test_pins_come_first_in_their_order_and_excluded_never_appear(
    editor: GraphQLClient,
) -> None:
    source, *_ = await quakes(4)
    await make_article(slug="budget", headline="Budget Talks", body="Ministers met.")
    pins = {"related": ["budget", "quake-3"], "notRelated": ["quake-1"]}

    result = await editor.data(
        UPDATE, {"id": global_id(source), "version": source.version, "input": pins}
    )

    assert result["updateArticle"]["__typename"] == "ArticleSaved"
    assert await related(editor, "quake-0") == ["budget", "quake-3", "quake-2"]
    await assert_exact()


async def test_a_pin_shows_once_it_is_public(editor: GraphQLClient) -> None:
    (source,) = await quakes(1)
    draft = await make_article(slug="later", status=ArticleStatus.DRAFT)
    await editor.data(
        UPDATE,
        {"id": global_id(source), "version": source.version, "input": {"related": ["later"]}},
    )
    assert await related(editor, "quake-0") == []

    await editor.data(TRANSITION, {"id": global_id(draft), "to": "PUBLISHED"})

    assert await related(editor, "quake-0") == ["later"]
    await assert_exact()


async def test_pins_are_slugs(editor: GraphQLClient) -> None:
    (source,) = await quakes(1)

    result = await editor.data(
        UPDATE,
        {"id": global_id(source), "version": source.version, "input": {"notRelated": ["Not A"]}},
    )

    assert result["updateArticle"] == {
        "__typename": "InvalidInput",
        "problems": [{"field": "notRelated.0"}],
    }


def write_fixtures(root: Path) -> None:
    (root / "articles").mkdir(parents=True)
    (root / "tags.yaml").write_text("[]\n")
    for slug, extra in (
        ("a", {"related": ["c"], "notRelated": ["b"]}),
        ("b", {}),
        ("c", {}),
        ("d", {}),
    ):
        front = {
            "headline": f"Quake story {slug}",
            "date": "2025-03-01T12:00:00Z",
            "author": "Desk",
            "section": "world",
            **extra,
        }
        text = f"---\n{yaml.safe_dump(front)}---\nThe quake shook the coast.\n"
        (root / "articles" / f"{slug}.md").write_text(text)


@pytest.mark.slow
async def test_pins_and_excludes_from_fixture_files_round_trip(
    client: GraphQLClient, cli_env: dict[str, str], tmp_path: Path
) -> None:
    write_fixtures(tmp_path / "in")

    loaded = newsroom("fixtures", "load", str(tmp_path / "in"), env=cli_env)
    exported = newsroom("fixtures", "export", str(tmp_path / "out"), env=cli_env)

    assert loaded.returncode == 0, loaded.stderr
    assert exported.returncode == 0, exported.stderr
    await client.sync()
    assert await related(client, "a") == ["c", "d"]
    front = yaml.safe_load((tmp_path / "out" / "articles" / "a.md").read_text().split("---")[1])
    assert (front["related"], front["notRelated"]) == (["c"], ["b"])
    assert "related" not in (tmp_path / "out" / "articles" / "b.md").read_text()
