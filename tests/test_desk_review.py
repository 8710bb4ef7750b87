"""The review queue and an article's revisions over HTTP, as a browser without JavaScript uses
them: the queue oldest first with who submitted each, its count in the navigation; revisions
listed, two compared (fields side by side, the body word by word, a 200,000-character body
without holding the loop), one restored as a new version through the write path."""

import re
from collections.abc import AsyncIterator, Callable

import pytest

from api.settings import Settings
from cms.access import Role
from cms.articles import Article
from cms.status import ArticleStatus
from cms.workflow.articles import transition_article, update_article
from tests.desk_client import Desk, Page, csrf_of, make_person
from tests.loop_lag import loop_lag
from tests.test_desk_editor import draft_by, logged_in
from tests.test_desk_http import desk_app

# Each test logs people in (argon2) and saves articles: 2 to 10 s on the shared machine.
pytestmark = pytest.mark.slow

_QUEUE_ROW = re.compile(
    r'<td><a href="/desk/articles/[0-9a-f]{24}">([^<]*)</a></td>\s*<td>([^<]*)</td>'
)
_NAV_REVIEW = re.compile(r'<a href="/desk/review"[^>]*>Review \((\d+)\)</a>')


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Callable[..., Desk]]:
    async with desk_app(settings) as browser:
        yield browser


def queue(page: Page) -> list[tuple[str, str]]:
    return _QUEUE_ROW.findall(page.text)


def nav_count(page: Page) -> int | None:
    found = _NAV_REVIEW.search(page.text)
    return int(found.group(1)) if found else None


async def test_the_review_queue_lists_submissions_oldest_first_with_who_submitted_them(
    desk: Callable[..., Desk],
) -> None:
    editor = await make_person("ed@example.com", name="Edi Tor")
    writer = await make_person("wr@example.com", role=Role.CONTRIBUTOR, name="Wri Ter")
    first = await draft_by(writer, "first-in")
    second = await draft_by(editor, "second-in")
    await draft_by(editor, "never-submitted")
    await transition_article(actor=writer.actor, article_id=str(first.id), to=ArticleStatus.REVIEW)
    await transition_article(actor=editor.actor, article_id=str(second.id), to=ArticleStatus.REVIEW)
    # A later edit while in review does not move it in the queue, nor change its submitter.
    await update_article(
        actor=editor.actor,
        article_id=str(first.id),
        changes={"excerpt": "Tightened."},
        base_version=2,
    )
    editors = await logged_in(desk, editor)
    writers = await logged_in(desk, writer)

    listed = await editors.get("/desk/review")
    articles = await editors.get("/desk/articles")
    refused = await writers.get("/desk/review")
    writers_list = await writers.get("/desk/articles")

    assert listed.status == 200
    assert queue(listed) == [("Draft first-in", "Wri Ter"), ("Draft second-in", "Edi Tor")]
    assert "2 articles in review." in listed.text
    assert nav_count(listed) == 2
    assert nav_count(articles) == 2
    assert refused.status == 403
    assert nav_count(writers_list) is None


async def test_an_empty_queue_says_so(desk: Callable[..., Desk]) -> None:
    editor = await make_person("ed@example.com")
    browser = await logged_in(desk, editor)

    listed = await browser.get("/desk/review")

    assert "Nothing waits for review." in listed.text
    assert nav_count(listed) == 0


async def _three_versions(author_email: str) -> Article:
    """An article saved three times: a draft, a new body and excerpt, a new headline."""
    person = await make_person(author_email, name="Edi Tor")
    article = await draft_by(person, "history", body="The cat sat on the mat.")
    await update_article(
        actor=person.actor,
        article_id=str(article.id),
        changes={"body": "The dog sat on the mat today.", "excerpt": "Dogs."},
        base_version=1,
    )
    await update_article(
        actor=person.actor,
        article_id=str(article.id),
        changes={"headline": "History, revised"},
        base_version=2,
    )
    return article


async def test_revisions_are_listed_compared_and_one_restored_as_a_new_version(
    desk: Callable[..., Desk],
) -> None:
    article = await _three_versions("ed@example.com")
    editor = await make_person("other@example.com", name="Other Editor")
    browser = await logged_in(desk, editor)
    base = f"/desk/articles/{article.id}/revisions"

    listed = await browser.get(base)
    compared = await browser.get(f"{base}/compare?old=1&new=2")
    restored = await browser.post(
        f"{base}/1/restore", {"csrf": csrf_of(listed.text), "version": "3"}
    )
    after = await Article.get(article.id)
    again = await browser.get(base)
    stale = await browser.post(f"{base}/2/restore", {"csrf": csrf_of(listed.text), "version": "3"})

    assert listed.status == 200
    assert "3 saved versions; now at version 3." in listed.text
    assert [int(v) for v in re.findall(r'<th scope="row">(\d+)</th>', listed.text)] == [3, 2, 1]
    assert compared.status == 200
    assert "<del>cat</del><ins>dog</ins>" in compared.text
    assert "<del>mat.</del><ins>mat today.</ins>" in compared.text
    assert re.search(
        r'<th scope="row">Excerpt</th><td><pre class="value">\(empty\)</pre></td>'
        r'<td><pre class="value">Dogs.</pre>',
        compared.text,
    )
    assert restored.status == 303
    assert restored.location == f"/desk/articles/{article.id}?restored=1"
    assert after is not None
    assert after.version == 4
    assert (after.body, after.headline, after.excerpt) == (
        "The cat sat on the mat.",
        "Draft history",
        "",
    )
    assert "4 saved versions; now at version 4." in again.text
    assert "Other Editor" in again.text
    assert stale.status == 409


async def test_a_contributor_reads_the_history_of_their_drafts_only_and_restores_nothing_else(
    desk: Callable[..., Desk],
) -> None:
    article = await _three_versions("ed@example.com")
    writer = await make_person("wr@example.com", role=Role.CONTRIBUTOR)
    browser = await logged_in(desk, writer)
    page = await browser.get("/desk/articles")

    refused = await browser.get(f"/desk/articles/{article.id}/revisions")
    forged = await browser.post(
        f"/desk/articles/{article.id}/revisions/1/restore",
        {"csrf": csrf_of(page.text), "version": "3"},
    )
    unchanged = await Article.get(article.id)

    assert refused.status == 403
    assert forged.status == 403
    assert unchanged is not None
    assert unchanged.version == 3


async def test_two_200000_character_bodies_are_compared_without_holding_the_loop(
    desk: Callable[..., Desk],
) -> None:
    person = await make_person("ed@example.com")
    # Paragraphs of a hundred words, each word again every 997 words (hard for a matcher).
    words = [
        f"word{index % 997} " + ("\n\n" if index % 100 == 99 else "") for index in range(30_000)
    ]
    old = "".join(words)[:199_000]  # room for the longer words
    new = old.replace("word5 ", "changed ")
    assert 199_000 <= len(new) <= 200_000
    article = await draft_by(person, "long", body=old)
    await update_article(
        actor=person.actor, article_id=str(article.id), changes={"body": new}, base_version=1
    )
    browser = await logged_in(desk, person)
    await browser.get(f"/desk/articles/{article.id}/revisions/compare?old=1&new=2")  # warm up

    async with loop_lag() as lag:
        compared = await browser.get(f"/desk/articles/{article.id}/revisions/compare?old=1&new=2")

    assert compared.status == 200
    assert compared.text.count("<del>word5</del><ins>changed</ins>") == old.count("word5 ") > 20
    assert lag.worst_ms < 100, lag
