"""Readers' private notes: stored for editors, announced, limited, never public."""

from typing import Any

import pytest

from api.settings import Settings
from cms.spine.events import EventReader, EventType
from cms.status import ArticleStatus
from tests.conftest import serving
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import VOTE

SUBMIT = """
mutation ($articleId: ID!, $message: String!) {
  submitFeedback(articleId: $articleId, message: $message) {
    __typename
    ... on FeedbackSent { article { slug } }
    ... on InvalidInput { code problems { field message } }
    ... on RateLimited { code retryAfter }
    ... on ArticleNotFound { code }
  }
}
"""
FEEDBACK = """
query ($first: Int!, $after: String, $articleId: ID) {
  feedback(first: $first, after: $after, articleId: $articleId) {
    totalCount hasNextPage endCursor
    nodes { message stars submittedAt article { slug } }
  }
}
"""


async def submit(reader: GraphQLClient, article_id: str, message: str) -> dict[str, Any]:
    data = await reader.data(SUBMIT, {"articleId": article_id, "message": message})
    result: dict[str, Any] = data["submitFeedback"]
    return result


async def test_a_note_reaches_the_editors_with_the_readers_stars(
    client: GraphQLClient, editor: GraphQLClient
) -> None:
    article = await make_article(slug="needs-work")
    other = await make_article(slug="other")
    voter, reader = client.new_reader(), client.new_reader()
    await voter.data(VOTE, {"articleId": global_id(article), "stars": 2})
    events = await EventReader.at_end()

    sent = await submit(voter, global_id(article), "  The chart has no units.\r\n")
    await submit(reader, global_id(other), "Typo in the second paragraph.")
    await submit(reader, global_id(article), "Which year is this?")
    everything = (await editor.data(FEEDBACK, {"first": 10}))["feedback"]
    about_one = (await editor.data(FEEDBACK, {"first": 1, "articleId": global_id(article)}))[
        "feedback"
    ]
    rest = (
        await editor.data(
            FEEDBACK,
            {"first": 1, "articleId": global_id(article), "after": about_one["endCursor"]},
        )
    )["feedback"]

    assert sent == {"__typename": "FeedbackSent", "article": {"slug": "needs-work"}}
    assert [note["message"] for note in everything["nodes"]] == [
        "Which year is this?",
        "Typo in the second paragraph.",
        "The chart has no units.",
    ]
    assert everything["nodes"][2]["stars"] == 2  # it came from the reader who voted 2
    assert everything["nodes"][0]["stars"] is None
    assert everything["nodes"][2]["article"] == {"slug": "needs-work"}
    assert (about_one["totalCount"], about_one["hasNextPage"]) == (2, True)
    assert [note["message"] for note in rest["nodes"]] == ["The chart has no units."]
    assert not rest["hasNextPage"]
    announced = [
        event for event in await events.read() if event.type is EventType.FEEDBACK_SUBMITTED
    ]
    assert [event.slug for event in announced] == ["needs-work", "other", "needs-work"]
    assert "message" not in announced[0].data


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ("   ", "Write a few words: the note is empty."),
        ("x" * 2001, "At most 2000 characters; got 2001."),
        (
            "bell\x07",
            "The note must be plain text, without control characters (found U+0007).",
        ),
    ],
)
async def test_unfit_notes_are_refused(client: GraphQLClient, message: str, problem: str) -> None:
    article = await make_article()

    result = await submit(client, global_id(article), message)

    assert result == {
        "__typename": "InvalidInput",
        "code": "INVALID_INPUT",
        "problems": [{"field": "message", "message": problem}],
    }


async def test_a_note_of_2000_characters_is_kept_whole(
    client: GraphQLClient, editor: GraphQLClient
) -> None:
    article = await make_article()
    message = "Line one.\n\tIndented line.\n" + "y" * 1974

    result = await submit(client, global_id(article), message)
    stored = (await editor.data(FEEDBACK, {"first": 1}))["feedback"]["nodes"][0]["message"]

    assert result["__typename"] == "FeedbackSent"
    assert stored == message


async def test_notes_only_about_published_articles(client: GraphQLClient) -> None:
    draft = await make_article(status=ArticleStatus.DRAFT)

    result = await submit(client, global_id(draft), "Hello")

    assert result == {"__typename": "ArticleNotFound", "code": "ARTICLE_NOT_FOUND"}


async def test_only_editors_read_notes(
    client: GraphQLClient, previewer: GraphQLClient, editor: GraphQLClient
) -> None:
    anonymous = await client.error_code(FEEDBACK, {"first": 5})
    previewing = await previewer.error_code(FEEDBACK, {"first": 5})
    bad_id = await editor.error_code(FEEDBACK, {"first": 5, "articleId": "nope"})

    assert (anonymous, previewing, bad_id) == ("UNAUTHENTICATED", "FORBIDDEN", "BAD_USER_INPUT")


async def test_notes_are_rate_limited_per_reader_and_address(settings: Settings) -> None:
    limits = {"feedback_limit_per_voter": 1, "feedback_limit_per_address": 4}
    async with serving(Settings.model_validate(settings.model_dump() | limits)) as client:
        article_id = global_id(await make_article())
        reader = client.new_reader()

        # The first note issues the cookie; the second is the one the voter limit allows.
        by_reader = [(await submit(reader, article_id, "Hi"))["__typename"] for _ in range(3)]
        by_others = [
            (await submit(client.new_reader(), article_id, "Hi"))["__typename"] for _ in range(2)
        ]

    assert by_reader == ["FeedbackSent", "FeedbackSent", "RateLimited"]
    # Refused requests count too: the reader's three and one more fill the address's four.
    assert by_others == ["FeedbackSent", "RateLimited"]
