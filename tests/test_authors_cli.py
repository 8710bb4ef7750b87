"""Authors in content files (the old `author: Name` form and the new one), the export that writes
the new form, and `newsroom authors migrate` for articles already in a store."""

import json
from pathlib import Path

import pytest

from cms.articles import Article
from tests.cli import load_counts, newsroom
from tests.factories import make_article
from tests.graphql_client import GraphQLClient
from tests.test_fixtures_cli import GOOD_ARTICLE, write_set

AUTHORS_YAML = """\
- slug: hana-seo
  name: Hana Seo
  title: Seoul correspondent
  bio: Covers **both** Koreas.
  links: {website: "https://hana.example"}
"""

BYLINES = """
query ($slug: String!) {
  article(slug: $slug) { author credit authors { slug name } structuredData }
}
"""


def article(slug: str, byline: str) -> str:
    return GOOD_ARTICLE.replace("slug: quake-hits-myanmar", f"slug: {slug}").replace(
        "author: Newsroom Staff", byline
    )


async def bylines(client: GraphQLClient, *slugs: str) -> dict[str, tuple[str, str | None]]:
    found = {}
    for slug in slugs:
        answer = (await client.data(BYLINES, {"slug": slug}))["article"]
        found[slug] = (",".join(a["slug"] for a in answer["authors"]), answer["credit"])
    return found


@pytest.mark.slow
async def test_old_and_new_bylines_load_export_and_load_again_unchanged(
    tmp_path: Path, cli_env: dict[str, str], client: GraphQLClient
) -> None:
    root = write_set(
        tmp_path / "content",
        {
            "a.md": article("a", "author: hana  SEO"),
            "b.md": article("b", "author: Reuters"),
            "c.md": article("c", "author: Zed Null"),
            "d.md": article("d", "authors: [zed-null, hana-seo]\ncredit: Wire Desk"),
            "e.md": article("e", "author: Wire Desk"),
        },
    )
    (root / "authors.yaml").write_text(AUTHORS_YAML)
    env = cli_env | {"NEWSROOM_BYLINE_CREDITS": "Reuters, Wire Desk"}

    loaded = newsroom("fixtures", "load", str(root), env=env)
    found = await bylines(client, "a", "b", "c", "d", "e")
    exported = newsroom("fixtures", "export", str(tmp_path / "out"), env=env)
    again = newsroom("fixtures", "load", str(tmp_path / "out"), env=env)

    assert loaded.returncode == 0, loaded.stderr
    assert load_counts(loaded.stdout, "authors") == (2, 0, 0)
    assert found == {
        "a": ("hana-seo", None),
        "b": ("", "Reuters"),
        "c": ("zed-null", None),
        "d": ("zed-null,hana-seo", "Wire Desk"),
        "e": ("", "Wire Desk"),
    }
    assert exported.returncode == 0, exported.stderr
    files = {path.name: path.read_text() for path in (tmp_path / "out" / "articles").iterdir()}
    assert "authors:\n- hana-seo\n" in files["a.md"]
    assert "credit: Reuters\n" in files["b.md"]
    assert not any("\nauthor:" in text for text in files.values())
    people = (tmp_path / "out" / "authors.yaml").read_text()
    assert "slug: zed-null" in people
    assert "bio: Covers **both** Koreas." in people
    assert "website: https://hana.example" in people
    assert again.returncode == 0, again.stderr
    assert load_counts(again.stdout, "authors") == (0, 0, 2)
    assert load_counts(again.stdout, "articles") == (0, 0, 5)


@pytest.mark.slow
async def test_bad_author_files_are_reported_by_file_and_field(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    root = write_set(tmp_path / "content", {"a.md": article("a", "authors: [hana-seo]")})
    (root / "authors.yaml").write_text(
        AUTHORS_YAML
        + "- {slug: hana-seo, name: Hana Seo}\n"
        + "- {slug: li, name: Li, links: {x: 'javascript:alert(1)'}}\n"
        + f"- {{slug: long, name: Long, bio: {'x' * 2001}}}\n"
    )

    result = newsroom("fixtures", "validate", str(root), env=cli_env)

    assert result.returncode == 1
    assert "duplicate author slug 'hana-seo'" in result.stderr
    assert "[2].links.x" in result.stderr
    assert "[3].bio" in result.stderr


@pytest.mark.slow
async def test_migrate_upgrades_text_bylines_once_and_the_api_serves_both_until_then(
    cli_env: dict[str, str], client: GraphQLClient
) -> None:
    for slug, name in (("old-one", "Hana Seo"), ("old-two", "AP"), ("old-three", "hana seo")):
        made = await make_article(slug=slug)
        # As a store written before authors holds it: the byline as text only.
        await Article.get_pymongo_collection().update_one(
            {"_id": made.id},
            {"$set": {"author": name, "credit": ""}, "$unset": {"authors": ""}},
        )
    await make_article(slug="new", author="Newsroom Staff")

    before = (await client.data(BYLINES, {"slug": "old-one"}))["article"]
    first = newsroom("authors", "migrate", env=cli_env)
    second = newsroom("authors", "migrate", env=cli_env)
    after = await bylines(client, "old-one", "old-two", "old-three", "new")
    listed = newsroom("authors", "list", "--json", env=cli_env)

    assert before["author"] == "Hana Seo"
    assert before["authors"] == []
    assert json.loads(before["structuredData"])["author"] == [
        {"@type": "Person", "name": "Hana Seo"}
    ]
    assert first.returncode == 0, first.stderr
    assert "2 articles given authors, 1 article given a credit; 1 author created (hana-seo)." in (
        " ".join(first.stdout.split())
    )
    assert "0 articles given authors, 0 articles given a credit; 0 authors created." in (
        " ".join(second.stdout.split())
    )
    assert after == {
        "old-one": ("hana-seo", None),
        "old-two": ("", "AP"),
        "old-three": ("hana-seo", None),
        "new": ("", "Newsroom Staff"),
    }
    assert [row["slug"] for row in json.loads(listed.stdout)] == ["hana-seo"]
