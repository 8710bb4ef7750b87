"""Editors write through the API: create, update with conflicts, delete; tags likewise."""

import asyncio
from typing import Any

import pytest

from tests.factories import global_id, make_article, make_tag
from tests.graphql_client import GraphQLClient
from tests.operations import update_article_operation

SAVED = """
  __typename
  ... on ArticleSaved { article { id slug headline status version tags { slug } image { url } } }
  ... on UserError { code message field }
  ... on InvalidInput { problems { field message code } }
"""
CREATE = f"mutation ($input: ArticleInput!) {{ createArticle(input: $input) {{ {SAVED} }} }}"
UPDATE = update_article_operation(
    f"{SAVED} ... on VersionConflict {{ currentVersion yourVersion }}"
)
DELETE = """
mutation ($id: ID!) {
  deleteArticle(id: $id) {
    __typename ... on ArticleDeleted { slug } ... on UserError { code message }
  }
}
"""
PREVIEW = """
query ($slug: String!) {
  article(slug: $slug, preview: true) { headline version status body(format: MARKDOWN) }
}
"""
CREATE_TAG = """
mutation ($input: TagInput!) {
  createTag(input: $input) {
    __typename ... on TagSaved { tag { id slug name } } ... on UserError { code message field }
  }
}
"""
UPDATE_TAG = """
mutation ($id: ID!, $input: TagPatch!) {
  updateTag(id: $id, input: $input) {
    __typename ... on TagSaved { tag { slug name description } } ... on UserError { code }
  }
}
"""
DELETE_TAG = """
mutation ($id: ID!) {
  deleteTag(id: $id) {
    __typename
    ... on TagDeleted { slug }
    ... on TagInUse { code message articleCount }
    ... on UserError { code }
  }
}
"""

DRAFT = {"headline": "A draft", "slug": "a-draft", "author": "Ed", "section": "world"}


async def create(editor: GraphQLClient, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await editor.data(CREATE, {"input": DRAFT | fields}))["createArticle"]
    return result


async def test_a_new_article_is_a_draft_nobody_else_sees(
    editor: GraphQLClient, client: GraphQLClient
) -> None:
    await make_tag(slug="asia")

    result = await create(editor, tags=["asia"], image={"url": "https://img.test/a.jpg"})
    public = await client.data('{ article(slug: "a-draft") { slug } }')

    assert result["__typename"] == "ArticleSaved"
    article = result["article"]
    assert article["status"] == "DRAFT"
    assert article["version"] == 1
    assert article["tags"] == [{"slug": "asia"}]
    assert article["image"] == {"url": "https://img.test/a.jpg"}
    assert public == {"article": None}


async def test_every_invalid_field_is_reported_with_the_fixture_rules(
    editor: GraphQLClient,
) -> None:
    result = await create(
        editor, slug="Not A Slug", headline="   ", image={"url": ""}, tags=["ok", "Bad Tag"]
    )

    assert result["__typename"] == "InvalidInput"
    assert result["code"] == "INVALID_INPUT"
    fields = {problem["field"]: problem["message"] for problem in result["problems"]}
    assert set(fields) == {"slug", "headline", "image.url", "tags.1"}
    assert "pattern" in fields["slug"]
    assert all(problem["code"] == "INVALID_INPUT" for problem in result["problems"])


async def test_unknown_tags_are_refused(editor: GraphQLClient) -> None:
    result = await create(editor, tags=["nope"])

    assert result["__typename"] == "InvalidInput"
    assert result["problems"] == [
        {"field": "tags.0", "message": "unknown tag 'nope'", "code": "INVALID_INPUT"}
    ]


async def test_a_slug_is_taken_once(editor: GraphQLClient) -> None:
    await create(editor)

    again = await create(editor, headline="Another")

    assert again == {
        "__typename": "SlugTaken",
        "code": "SLUG_TAKEN",
        "message": "The slug 'a-draft' is already taken.",
        "field": "slug",
    }


async def test_an_update_changes_only_the_fields_given(editor: GraphQLClient) -> None:
    created = (await create(editor, body="First body."))["article"]

    result = (
        await editor.data(
            UPDATE, {"id": created["id"], "version": 1, "input": {"headline": "Better headline"}}
        )
    )["updateArticle"]
    read = await editor.data(PREVIEW, {"slug": "a-draft"})

    assert result["__typename"] == "ArticleSaved"
    assert result["article"]["version"] == 2
    assert read["article"] == {
        "headline": "Better headline",
        "version": 2,
        "status": "DRAFT",
        "body": "First body.",
    }


async def test_a_stale_version_is_a_conflict_naming_the_current_one(editor: GraphQLClient) -> None:
    created = (await create(editor))["article"]
    await editor.data(UPDATE, {"id": created["id"], "version": 1, "input": {"body": "Mine."}})

    stale = (
        await editor.data(UPDATE, {"id": created["id"], "version": 1, "input": {"body": "Theirs."}})
    )["updateArticle"]
    read = await editor.data(PREVIEW, {"slug": "a-draft"})

    assert stale["__typename"] == "VersionConflict"
    assert stale["code"] == "VERSION_CONFLICT"
    assert (stale["currentVersion"], stale["yourVersion"]) == (2, 1)
    assert "version 2" in stale["message"]
    assert read["article"]["body"] == "Mine."


async def test_two_editors_racing_never_lose_a_save_silently(editor: GraphQLClient) -> None:
    created = (await create(editor))["article"]

    results = await asyncio.gather(
        *(
            editor.data(
                UPDATE, {"id": created["id"], "version": 1, "input": {"body": f"Edit {n}."}}
            )
            for n in range(8)
        )
    )
    outcomes = [result["updateArticle"] for result in results]
    read = await editor.data(PREVIEW, {"slug": "a-draft"})

    saved = [outcome for outcome in outcomes if outcome["__typename"] == "ArticleSaved"]
    assert len(saved) == 1
    assert all(
        outcome["__typename"] == "VersionConflict" for outcome in outcomes if outcome not in saved
    )
    assert read["article"]["version"] == 2
    # The one save that won is the one in the store.
    winner = outcomes.index(saved[0])
    assert read["article"]["body"] == f"Edit {winner}."


async def test_updating_or_deleting_a_missing_article_is_not_found(editor: GraphQLClient) -> None:
    tag = await make_tag()
    for article_id in ("nonsense", global_id_of_tag(tag)):
        update = await editor.data(UPDATE, {"id": article_id, "version": 1, "input": {}})
        delete = await editor.data(DELETE, {"id": article_id})

        assert update["updateArticle"]["code"] == "ARTICLE_NOT_FOUND"
        assert delete["deleteArticle"]["code"] == "ARTICLE_NOT_FOUND"


def global_id_of_tag(tag: Any) -> str:
    from strawberry import relay

    return str(relay.GlobalID("Tag", str(tag.id)))


async def test_a_deleted_article_is_gone_for_everyone(
    editor: GraphQLClient, client: GraphQLClient
) -> None:
    article = await make_article(slug="doomed")

    result = await editor.data(DELETE, {"id": global_id(article)})

    assert result["deleteArticle"] == {"__typename": "ArticleDeleted", "slug": "doomed"}
    assert (await client.data('{ article(slug: "doomed") { slug } }'))["article"] is None
    assert (await editor.data(PREVIEW, {"slug": "doomed"}))["article"] is None


async def test_tags_are_created_renamed_and_deleted_when_unused(editor: GraphQLClient) -> None:
    created = (await editor.data(CREATE_TAG, {"input": {"slug": "quakes", "name": "Quakes"}}))[
        "createTag"
    ]
    tag_id = created["tag"]["id"]
    await make_article(tags=["quakes"], slug="shaken")

    renamed = await editor.data(
        UPDATE_TAG, {"id": tag_id, "input": {"name": "Earthquakes", "description": "Shaking."}}
    )
    in_use = await editor.data(DELETE_TAG, {"id": tag_id})

    assert created["__typename"] == "TagSaved"
    assert renamed["updateTag"]["tag"] == {
        "slug": "quakes",
        "name": "Earthquakes",
        "description": "Shaking.",
    }
    assert in_use["deleteTag"] == {
        "__typename": "TagInUse",
        "code": "TAG_IN_USE",
        "message": "The tag 'quakes' cannot be deleted: 1 article uses it. Remove it from them "
        "first.",
        "articleCount": 1,
    }


async def test_an_unused_tag_is_deleted_and_a_taken_slug_refused(editor: GraphQLClient) -> None:
    tag = await make_tag(slug="spare")

    taken = await editor.data(CREATE_TAG, {"input": {"slug": "spare", "name": "Spare again"}})
    deleted = await editor.data(DELETE_TAG, {"id": global_id_of_tag(tag)})
    again = await editor.data(DELETE_TAG, {"id": global_id_of_tag(tag)})

    assert taken["createTag"]["code"] == "SLUG_TAKEN"
    assert deleted["deleteTag"] == {"__typename": "TagDeleted", "slug": "spare"}
    assert again["deleteTag"] == {"__typename": "TagNotFound", "code": "TAG_NOT_FOUND"}


@pytest.mark.parametrize("field", ["name", "description"])
async def test_a_tag_patch_validates_like_files(editor: GraphQLClient, field: str) -> None:
    tag = await make_tag()

    result = await editor.data(UPDATE_TAG, {"id": global_id_of_tag(tag), "input": {field: None}})

    assert result["updateTag"] == {"__typename": "InvalidInput", "code": "INVALID_INPUT"}
