"""One rule for plain text: every field shown as text refuses markup and control characters, in
the API and in fixture files alike (`cms/text/plaintext.py`)."""

from pathlib import Path
from typing import Any

import pytest

from tests.cli import newsroom
from tests.factories import global_id, make_article, make_tag
from tests.graphql_client import GraphQLClient
from tests.test_editing import CREATE, CREATE_TAG, DRAFT, UPDATE_TAG, global_id_of_tag
from tests.test_feedback import submit
from tests.test_fixtures_cli import GOOD_ARTICLE, TAGS, write_set

SCRIPT = "</script><script>alert(1)</script>"
IMAGE = {"url": "https://img.test/a.jpg", "caption": "A caption.", "credit": "AP", "alt": "Alt"}

# (field as the API's problem names it, the input that carries it)
ARTICLE_FIELDS: list[tuple[str, dict[str, Any]]] = [
    ("headline", {"headline": SCRIPT}),
    ("author", {"author": SCRIPT}),
    ("credit", {"credit": SCRIPT}),
    ("excerpt", {"excerpt": SCRIPT}),
    ("image.caption", {"image": IMAGE | {"caption": SCRIPT}}),
    ("image.credit", {"image": IMAGE | {"credit": SCRIPT}}),
    ("image.alt", {"image": IMAGE | {"alt": SCRIPT}}),
]
TAG_FIELDS = ["name", "description"]


def problems(result: dict[str, Any]) -> dict[str, str]:
    assert result["__typename"] == "InvalidInput", result
    return {problem["field"]: problem["message"] for problem in result["problems"]}


@pytest.mark.parametrize(("field", "fields"), ARTICLE_FIELDS, ids=[f for f, _ in ARTICLE_FIELDS])
async def test_article_text_fields_refuse_markup(
    editor: GraphQLClient, field: str, fields: dict[str, Any]
) -> None:
    result = (await editor.data(CREATE, {"input": DRAFT | fields}))["createArticle"]

    assert "must be plain text, without HTML" in problems(result)[field]


@pytest.mark.parametrize("field", TAG_FIELDS)
async def test_tag_text_fields_refuse_markup(editor: GraphQLClient, field: str) -> None:
    created = {"slug": "quakes", "name": "Quakes"} | {field: SCRIPT}
    create = (await editor.data(CREATE_TAG, {"input": created}))["createTag"]
    tag = await make_tag(slug="volcanoes", name="Volcanoes")
    changes = {"id": global_id_of_tag(tag), "input": {field: SCRIPT}}
    update = (await editor.data(UPDATE_TAG, changes))["updateTag"]

    assert create["__typename"] == "InvalidInput"
    assert update["__typename"] == "InvalidInput"
    assert (await editor.data("{ tags { totalCount nodes { name description } } }"))["tags"] == {
        "totalCount": 1,
        "nodes": [{"name": "Volcanoes", "description": "A tag for tests."}],
    }


async def test_a_readers_note_refuses_markup(client: GraphQLClient) -> None:
    article = await make_article()

    result = await submit(client, global_id(article), f"Nice {SCRIPT}")

    assert problems(result) == {
        "message": "The note must be plain text, without HTML (found '</script><sc')."
    }


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("Quakes & aftershocks: 3 < 4, a <-> b", True),  # a `<` that opens nothing is text
        ("Line one\nLine two", False),  # one-line field
        ("Zero\x00byte", False),
        ("Next\x85line", False),  # a C1 control
        ("<!-- hidden -->", False),
    ],
)
async def test_one_line_fields_are_one_line_of_text(
    editor: GraphQLClient, value: str, accepted: bool
) -> None:
    article = (await editor.data(CREATE, {"input": DRAFT | {"headline": value}}))["createArticle"]
    tag = (await editor.data(CREATE_TAG, {"input": {"slug": "t", "name": value}}))["createTag"]

    assert (article["__typename"] == "ArticleSaved") is accepted
    assert (tag["__typename"] == "TagSaved") is accepted


async def test_paragraph_fields_keep_their_line_breaks(editor: GraphQLClient) -> None:
    description = "What the tag covers.\r\n\tAnd more."

    tag = (
        await editor.data(
            CREATE_TAG, {"input": {"slug": "t", "name": "T", "description": description}}
        )
    )["createTag"]
    saved = await editor.data('{ tag(slug: "t") { description } }')

    assert tag["__typename"] == "TagSaved"
    assert saved == {"tag": {"description": "What the tag covers.\n\tAnd more."}}


@pytest.mark.parametrize(
    ("tags", "article", "field"),
    [
        (TAGS.replace("name: Earthquakes", f"name: '{SCRIPT}'"), GOOD_ARTICLE, "[0].name"),
        (
            TAGS.replace("description: Shaking ground.", f"description: '{SCRIPT}'"),
            GOOD_ARTICLE,
            "[0].description",
        ),
        (TAGS, GOOD_ARTICLE.replace("credit: AP", f"credit: '{SCRIPT}'"), "image.credit"),
        (TAGS, GOOD_ARTICLE.replace("excerpt: A 7.7", f"excerpt: A {SCRIPT} 7.7"), "excerpt"),
    ],
    ids=["tag-name", "tag-description", "credit", "excerpt"],
)
def test_fixture_files_follow_the_same_rule(
    tmp_path: Path, cli_env: dict[str, str], tags: str, article: str, field: str
) -> None:
    root = write_set(tmp_path / "content", {"quake-hits-myanmar.md": article}, tags=tags)

    result = newsroom("fixtures", "validate", str(root), env=cli_env)

    assert result.returncode == 1
    (line,) = [line for line in result.stderr.splitlines() if "must be plain text" in line]
    assert f"  {field}  " in line
