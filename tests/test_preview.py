"""Who sees what: every status, on every path, for anonymous readers, previewers and editors."""

from datetime import UTC, datetime, timedelta

import pytest

from cms.status import ArticleStatus
from tests.conftest import Tokens
from tests.factories import global_id, make_article, make_tag
from tests.graphql_client import GraphQLClient
from tests.operations import vote_operation

NOW = datetime.now(UTC)
# Close together, so that related items (which look a year around) find every one.
PAST = NOW - timedelta(days=5)
FUTURE = NOW + timedelta(days=5)
# Each status an article can be in (scheduled and published with a time still to come).
CASES = {
    "draft": (ArticleStatus.DRAFT, PAST),
    "review": (ArticleStatus.REVIEW, PAST),
    "scheduled": (ArticleStatus.SCHEDULED, FUTURE),
    "future": (ArticleStatus.PUBLISHED, FUTURE),
    "archived": (ArticleStatus.ARCHIVED, PAST),
    "live": (ArticleStatus.PUBLISHED, PAST),
}

# A preview reads a node by its ID through `previewNode` (Relay's `node` takes the ID alone).
READS = """
query ($slug: String!, $id: ID!, $preview: Boolean!) {
  article(slug: $slug, preview: $preview) { slug }
  public: node(id: $id) @skip(if: $preview) { ... on Article { slug } }
  previewed: previewNode(id: $id) @include(if: $preview) { ... on Article { slug } }
  articles(first: 100, preview: $preview) { totalCount nodes { slug } }
  search: articles(filter: {search: "needle"}, preview: $preview) { nodes { slug } }
  tag(slug: "topic", preview: $preview) {
    articleCount
    articles(first: 100) { nodes { slug } }
  }
  anchor: article(slug: "anchor", preview: $preview) { related(first: 20) { slug } }
}
"""
VOTE = vote_operation("__typename ... on VoteError { code }")


@pytest.fixture
async def content(client: GraphQLClient) -> dict[str, str]:
    """An article in each case, all tagged `topic` and mentioning the needle; ids by case."""
    await make_tag(slug="topic")
    await make_article(slug="anchor", tags=["topic"], published_at=PAST + timedelta(days=1))
    ids = {}
    for case, (status, when) in CASES.items():
        article = await make_article(
            slug=case, status=status, published_at=when, tags=["topic"], body="A needle here."
        )
        ids[case] = global_id(article)
    return ids


def seen(data: dict[str, object], case: str) -> dict[str, bool]:
    """On which paths the article of `case` appeared."""
    articles = data["articles"]["nodes"]  # type: ignore[index]
    tag = data["tag"]
    return {
        "article": data["article"] is not None,
        "node": (data["previewed"] if "previewed" in data else data["public"]) is not None,
        "articles": {"slug": case} in articles,
        "search": {"slug": case} in data["search"]["nodes"],  # type: ignore[index]
        "tag": {"slug": case} in tag["articles"]["nodes"],  # type: ignore[index]
        "related": {"slug": case} in data["anchor"]["related"],  # type: ignore[index]
    }


def everywhere(value: bool) -> dict[str, bool]:
    return dict.fromkeys(("article", "node", "articles", "search", "tag", "related"), value)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("who", ["anonymous", "previewer", "editor"])
@pytest.mark.slow
async def test_what_each_caller_sees_without_preview(
    client: GraphQLClient, tokens: Tokens, content: dict[str, str], case: str, who: str
) -> None:
    caller = client if who == "anonymous" else client.as_token(getattr(tokens, who))

    data = await caller.data(READS, {"slug": case, "id": content[case], "preview": False})
    vote = (await caller.data(VOTE, {"articleId": content[case], "stars": 4}))["vote"]

    # Without `preview`, a token holder sees exactly what the public sees.
    public = case == "live"
    assert seen(data, case) == everywhere(public)
    assert data["tag"]["articleCount"] == 2  # the anchor and the live one
    assert data["articles"]["totalCount"] == 2
    assert vote["__typename"] == ("VoteSuccess" if public else "ArticleNotFound")


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("who", ["previewer", "editor"])
@pytest.mark.slow
async def test_a_preview_sees_every_status_everywhere(
    client: GraphQLClient, tokens: Tokens, content: dict[str, str], case: str, who: str
) -> None:
    caller = client.as_token(getattr(tokens, who))

    data = await caller.data(READS, {"slug": case, "id": content[case], "preview": True})
    vote = (await caller.data(VOTE, {"articleId": content[case], "stars": 4}))["vote"]

    assert seen(data, case) == everywhere(True)
    assert data["tag"]["articleCount"] == len(CASES) + 1
    assert data["articles"]["totalCount"] == len(CASES) + 1
    # Votes are the public's: a preview changes nothing there.
    assert vote["__typename"] == ("VoteSuccess" if case == "live" else "ArticleNotFound")


@pytest.mark.slow
async def test_a_preview_without_a_valid_token_is_refused(
    client: GraphQLClient, content: dict[str, str]
) -> None:
    for caller in (client, client.as_token("nr_" + "x" * 43)):
        body = await caller.execute(
            READS, {"slug": "draft", "id": content["draft"], "preview": True}
        )

        codes = {error["extensions"]["code"] for error in body["errors"]}
        assert codes == {"UNAUTHENTICATED"}


@pytest.mark.slow
async def test_a_preview_filters_by_status(
    client: GraphQLClient, tokens: Tokens, content: dict[str, str]
) -> None:
    query = """
    query ($status: ArticleStatus!, $preview: Boolean!) {
      articles(filter: {status: $status}, preview: $preview) { nodes { slug } }
    }
    """
    previewer = client.as_token(tokens.previewer)

    drafts = await previewer.data(query, {"status": "DRAFT", "preview": True})
    public_drafts = await client.data(query, {"status": "DRAFT", "preview": False})
    scheduled = await previewer.data(query, {"status": "SCHEDULED", "preview": True})

    assert drafts["articles"]["nodes"] == [{"slug": "draft"}]
    assert public_drafts["articles"]["nodes"] == []
    assert scheduled["articles"]["nodes"] == [{"slug": "scheduled"}]


@pytest.mark.slow
async def test_a_preview_cursor_does_not_page_the_public_list(
    client: GraphQLClient, tokens: Tokens, content: dict[str, str]
) -> None:
    query = """
    query ($after: String, $preview: Boolean!) {
      articles(first: 1, after: $after, preview: $preview) { pageInfo { endCursor } }
    }
    """
    previewer = client.as_token(tokens.previewer)
    page = await previewer.data(query, {"preview": True})
    cursor = page["articles"]["pageInfo"]["endCursor"]

    assert await client.error_code(query, {"after": cursor, "preview": False}) == "BAD_USER_INPUT"
