"""Revisions: every save keeps a version; editors read them and restore one."""

import pytest

from cms.articles import Article
from cms.fixtures.synthetic import generate_archive
from cms.revisions import Revision, get_revision, unpack_content
from cms.spine import journal
from cms.spine.journal import Change, ChangeKind, ChangeRefused, new_operation
from cms.workflow.imports import import_content
from tests.cli import newsroom
from tests.conftest import REPO
from tests.factories import FACTORY, global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import UPDATE_ARTICLE

REVISIONS = """
query ($slug: String!, $first: Int!, $after: String) {
  article(slug: $slug, preview: true) {
    version
    revisions(first: $first, after: $after) {
      totalCount hasNextPage endCursor
      nodes { id version savedBy changedFields status content { headline body } }
    }
  }
}
"""
RESTORE = """
mutation ($id: ID!, $version: Int!) {
  restoreRevision(id: $id, version: $version) {
    __typename
    ... on ArticleSaved { article { headline version status } }
    ... on UserError { code message }
  }
}
"""
PUBLIC_REVISIONS = '{ article(slug: "edited") { revisions { totalCount } } }'


async def test_every_save_keeps_a_revision_with_who_and_what(editor: GraphQLClient) -> None:
    article = await make_article(slug="edited", headline="First", body="One.")
    article_id = global_id(article)
    await editor.data(
        UPDATE_ARTICLE, {"id": article_id, "version": 1, "input": {"headline": "Second"}}
    )
    await editor.data(UPDATE_ARTICLE, {"id": article_id, "version": 2, "input": {"body": "Two."}})

    data = (await editor.data(REVISIONS, {"slug": "edited", "first": 10}))["article"]

    revisions = data["revisions"]
    assert data["version"] == 3
    assert revisions["totalCount"] == 3
    assert [r["version"] for r in revisions["nodes"]] == [3, 2, 1]
    assert [r["changedFields"] for r in revisions["nodes"][:2]] == [["body"], ["headline"]]
    assert revisions["nodes"][0]["savedBy"] == "editor-token"
    assert revisions["nodes"][2]["savedBy"].startswith("tests:")
    assert revisions["nodes"][1]["content"] == {"headline": "Second", "body": "One."}


async def test_revisions_page_newest_first(editor: GraphQLClient) -> None:
    article = await make_article(slug="edited")
    for version in range(1, 5):
        await editor.data(
            UPDATE_ARTICLE,
            {"id": global_id(article), "version": version, "input": {"body": f"v{version}"}},
        )

    first = (await editor.data(REVISIONS, {"slug": "edited", "first": 2}))["article"]["revisions"]
    second = (
        await editor.data(REVISIONS, {"slug": "edited", "first": 2, "after": first["endCursor"]})
    )["article"]["revisions"]
    last = (
        await editor.data(REVISIONS, {"slug": "edited", "first": 2, "after": second["endCursor"]})
    )["article"]["revisions"]

    assert [r["version"] for r in first["nodes"]] == [5, 4]
    assert first["hasNextPage"]
    assert [r["version"] for r in second["nodes"]] == [3, 2]
    assert [r["version"] for r in last["nodes"]] == [1]
    assert not last["hasNextPage"]


async def test_restoring_a_revision_is_a_new_save_with_a_conflict_check(
    editor: GraphQLClient,
) -> None:
    article = await make_article(slug="edited", headline="Original")
    await editor.data(
        UPDATE_ARTICLE,
        {"id": global_id(article), "version": 1, "input": {"headline": "Vandalised"}},
    )
    revisions = (await editor.data(REVISIONS, {"slug": "edited", "first": 10}))["article"]
    original = revisions["revisions"]["nodes"][-1]

    stale = (await editor.data(RESTORE, {"id": original["id"], "version": 1}))["restoreRevision"]
    restored = (await editor.data(RESTORE, {"id": original["id"], "version": 2}))["restoreRevision"]
    missing = (await editor.data(RESTORE, {"id": "nothing:1", "version": 3}))["restoreRevision"]
    after = (await editor.data(REVISIONS, {"slug": "edited", "first": 1}))["article"]

    assert stale["code"] == "VERSION_CONFLICT"
    assert restored == {
        "__typename": "ArticleSaved",
        "article": {"headline": "Original", "version": 3, "status": "PUBLISHED"},
    }
    assert missing["code"] == "REVISION_NOT_FOUND"
    assert after["revisions"]["nodes"][0]["changedFields"] == ["headline"]


async def test_the_public_cannot_read_revisions(client: GraphQLClient) -> None:
    await make_article(slug="edited")

    assert await client.error_code(PUBLIC_REVISIONS) == "UNAUTHENTICATED"


@pytest.mark.slow
def test_loading_unchanged_fixtures_keeps_no_new_revision(
    demo: GraphQLClient, cli_env: dict[str, str]
) -> None:
    again = newsroom("fixtures", "load", str(REPO / "fixtures"), env=cli_env)

    assert again.returncode == 0, again.stderr
    assert "Nothing to change" in again.stdout


@pytest.mark.slow
async def test_a_fixture_load_that_changes_an_article_keeps_a_revision(
    editor: GraphQLClient, cli_env: dict[str, str], tmp_path: object
) -> None:
    from pathlib import Path

    root = Path(str(tmp_path)) / "content"
    (root / "articles").mkdir(parents=True)
    (root / "tags.yaml").write_text("[]\n")
    text = "---\nheadline: {}\ndate: 2025-03-01\nauthor: Ed\nsection: world\n---\nBody.\n"
    (root / "articles" / "edited.md").write_text(text.format("From a file"))
    newsroom("fixtures", "load", str(root), env=cli_env)
    (root / "articles" / "edited.md").write_text(text.format("From a file, changed"))
    changed = newsroom("fixtures", "load", str(root), env=cli_env)

    data = (await editor.data(REVISIONS, {"slug": "edited", "first": 10}))["article"]

    assert changed.returncode == 0, changed.stderr
    assert next(r["changedFields"] for r in data["revisions"]["nodes"]) == ["headline"]
    assert data["revisions"]["nodes"][0]["savedBy"].startswith("fixtures:")


async def test_a_revision_keeps_its_content_as_one_packed_value_and_older_ones_still_read(
    editor: GraphQLClient,
) -> None:
    article = await make_article(slug="edited", headline="First", body="One.")
    await editor.data(
        UPDATE_ARTICLE, {"id": global_id(article), "version": 1, "input": {"headline": "Second"}}
    )
    stored = Revision.get_pymongo_collection()
    first = await stored.find_one({"article_id": article.id, "version": 1})
    assert first is not None
    # One value for the store to write, not the article's every field again.
    assert isinstance(first["content"], bytes)
    assert unpack_content(first["content"])["headline"] == "First"
    # A revision kept before content was packed (a document) reads as it did.
    await stored.update_one(
        {"_id": first["_id"]}, {"$set": {"content": unpack_content(first["content"])}}
    )

    data = (await editor.data(REVISIONS, {"slug": "edited", "first": 10}))["article"]

    contents = [node["content"] for node in data["revisions"]["nodes"]]
    assert contents == [
        {"headline": "Second", "body": "One."},
        {"headline": "First", "body": "One."},
    ]


LOADED_REVISIONS = """
query ($slug: String!) {
  article(slug: $slug, preview: true) {
    version
    revisions(first: 10) {
      totalCount
      nodes { id version savedBy changedFields status content { headline body } }
    }
  }
}
"""


async def test_a_loaded_article_is_its_own_first_revision_until_a_save_records_it(
    editor: GraphQLClient,
) -> None:
    archive = generate_archive(1, seed=3)
    item = archive.articles[0]
    report = await import_content(actor=FACTORY, tags=archive.tags, articles=[item])
    article_id = report.ids[item.content.slug]
    stored = Revision.get_pymongo_collection()

    loaded = (await editor.data(LOADED_REVISIONS, {"slug": item.content.slug}))["article"]

    # The load wrote no revision: the article itself is its first.
    assert await stored.count_documents({"article_id": article_id}) == 0
    assert loaded["revisions"]["totalCount"] == 1
    (first,) = loaded["revisions"]["nodes"]
    assert first["version"] == 1
    assert first["savedBy"] == FACTORY.name
    assert first["content"]["headline"] == item.content.headline
    assert "headline" in first["changedFields"]
    assert (await get_revision(first["id"])) is not None

    article = await Article.get(article_id)
    assert article is not None
    await editor.data(
        UPDATE_ARTICLE, {"id": global_id(article), "version": 1, "input": {"headline": "New"}}
    )
    saved = (await editor.data(LOADED_REVISIONS, {"slug": item.content.slug}))["article"]

    # The save recorded the version it replaced, as it was shown before.
    assert await stored.count_documents({"article_id": article_id}) == 2
    assert saved["revisions"]["totalCount"] == 2
    assert saved["revisions"]["nodes"][1] == first
    assert saved["revisions"]["nodes"][0]["content"]["headline"] == "New"


async def test_a_save_refused_by_its_version_still_leaves_its_prelude_recorded(
    client: GraphQLClient,
) -> None:
    article = await make_article(slug="edited")
    record = Change(
        collection="revisions_prelude_check",
        target="kept",
        kind=ChangeKind.RECORD,
        document={"_id": "kept"},
    )
    refused = Change(
        collection="articles", target=article.id, kind=ChangeKind.UPDATE, expect={"version": 99}
    )
    operation = new_operation(actor="tests", changes=[refused], events=[])
    operation.prelude = [record]

    with pytest.raises(ChangeRefused):
        await journal.run(operation)

    database = Revision.get_pymongo_collection().database
    assert await database["revisions_prelude_check"].count_documents({"_id": "kept"}) == 1
