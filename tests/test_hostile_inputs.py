"""What a hostile but fair tester sends: every bad input is a clear error, never a bug."""

import base64
import json
from pathlib import Path

import pytest

from tests.cli import newsroom
from tests.factories import make_article
from tests.graphql_client import GraphQLClient
from tests.operations import vote_operation

ARTICLE = "query ($slug: String!) { article(slug: $slug) { slug } }"
TAG = "query ($slug: String!) { tag(slug: $slug) { slug } }"
SEARCH = "query ($filter: ArticleFilter) { articles(filter: $filter) { totalCount } }"
PAGE = "query ($after: String) { articles(first: 1, after: $after) { totalCount } }"
VOTE = vote_operation("... on VoteError { code message }")
HOSTILE = """
{ articles(first: 100) { nodes { body tags { articles(first: 100) { nodes { body
  related(first: 20) { body } } } } related(first: 20) { body } } } }
"""


async def test_an_expensive_query_is_refused_before_it_runs(
    client: GraphQLClient, commands: object
) -> None:
    body = await client.execute(HOSTILE)

    (error,) = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COSTLY"
    assert error["extensions"]["limit"] == 5000
    assert error["extensions"]["cost"] > 40_000_000
    assert "limit is 5,000" in error["message"]
    assert body.get("data") is None


async def test_the_cost_counts_variables_and_fragments(client: GraphQLClient) -> None:
    query = """
    query ($n: Int!) { tags(first: $n) { nodes { ...T } } }
    fragment T on Tag { articles(first: $n) { nodes { slug } } }
    """
    small = await client.execute(query, {"n": 10})
    large = await client.execute(query, {"n": 100})

    assert "errors" not in small
    assert large["errors"][0]["extensions"]["cost"] == 1 + 100 * (1 + 100 + 1)


@pytest.mark.parametrize(
    "slug",
    # (Anything much larger is refused by the body limit first: tests/test_http_limits.py.)
    ["Not A Slug", "\ud800", "x" * 50_000, "a--b", ""],
)
async def test_a_slug_that_cannot_exist_is_bad_input(client: GraphQLClient, slug: str) -> None:
    for query in (ARTICLE, TAG):
        body = await client.execute(query, {"slug": slug})

        (error,) = body["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert len(error["message"]) < 200


async def test_a_missing_but_valid_slug_is_still_null(client: GraphQLClient) -> None:
    assert await client.data(ARTICLE, {"slug": "no-such-article"}) == {"article": None}


@pytest.mark.parametrize(
    "filter",
    [
        {"search": "x" * 50_000},
        {"search": "\udfff"},
        {"tag": "Bad Tag"},
        {"section": "x" * 300},
    ],
)
async def test_filter_values_are_checked(client: GraphQLClient, filter: dict[str, str]) -> None:
    body = await client.execute(SEARCH, {"filter": filter})

    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(error["message"]) < 200


def _cursor(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        _cursor("[" * 1500 + "]" * 1500),  # deeper than the JSON parser recurses
        _cursor(json.dumps(["newest:x", {"a": 1}, "y"])),
        "x" * 10_000,
        "☃",
    ],
)
async def test_a_forged_cursor_is_bad_input(client: GraphQLClient, cursor: str) -> None:
    body = await client.execute(PAGE, {"after": cursor})

    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(error["message"]) < 300


async def test_a_huge_article_id_is_not_echoed_back(client: GraphQLClient) -> None:
    await make_article()
    huge = "A" * 50_000

    result = (await client.data(VOTE, {"articleId": huge, "stars": 3}))["vote"]

    assert result["code"] == "ARTICLE_NOT_FOUND"
    assert len(result["message"]) < 200


@pytest.mark.parametrize(
    "moment",
    ["9999-12-31T23:59:59.999999-23:59", "0001-01-01T00:00:00+14:00", "not a date", "2025-13-45"],
)
async def test_an_impossible_time_is_an_error_not_a_bug(client: GraphQLClient, moment: str) -> None:
    body = await client.execute(SEARCH, {"filter": {"publishedBefore": moment}})
    literal = await client.execute(
        f'{{ articles(filter: {{publishedAfter: "{moment}"}}) {{ totalCount }} }}'
    )

    for answer in (body, literal):
        (error,) = answer["errors"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert "data" not in answer or answer["data"] is None
        assert "Unexpected error" not in error["message"]
        assert "None" not in error["message"]


GOOD = """\
---
headline: Quake hits Myanmar
date: 2025-03-28T06:20:00Z
author: Newsroom Staff
section: asia
image:
  url: https://img.test/quake.jpg
  caption: Rubble in Mandalay.
  credit: AP
---
Body.
"""


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (("date: 2025-03-28T06:20:00Z", "date: 2025-13-45"), "-", "month must be in 1..12"),
        (("date: 2025-03-28T06:20:00Z", "date: 0001-01-01T00:00:00+14:00"), "date", "out of range"),
        (("section: asia", 'section: asia\nstatus: "[/bold]"'), "status", "[/bold]"),
        (("https://img.test/quake.jpg", "javascript:alert(1)"), "image.url", "http:// or https://"),
        (("headline: Quake hits Myanmar", "headline: Quake <b>hits</b>"), "headline", "plain text"),
        (
            ("caption: Rubble in Mandalay.", "caption: <img src=x onerror=alert(1)>"),
            "image.caption",
            "plain text",
        ),
        (("author: Newsroom Staff", "author: '[red]Staff'"), "-", "OK"),
    ],
)
def test_validate_reports_never_crashes_and_shows_text_literally(
    tmp_path: Path, cli_env: dict[str, str], change: tuple[str, str], field: str, message: str
) -> None:
    root = tmp_path / "content"
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "quake.md").write_text(GOOD.replace(*change))

    result = newsroom("fixtures", "validate", str(root), env=cli_env)

    assert "Traceback" not in result.stderr
    if message == "OK":
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1
    assert message in result.stderr
    assert f" {field} " in result.stderr
