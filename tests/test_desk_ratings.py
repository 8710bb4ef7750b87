"""Ratings and feedback at the desk over HTTP: an article's stars and votes per day drawn from
the counters a vote moves (the same store commands for 10,000 votes as for 10), the site's
lowest- and highest-rated recent articles, and the feedback inbox (newest first, by article, low
ratings only, marked handled by whom and when)."""

import contextlib
import html
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from asgi_lifespan import LifespanManager
from beanie import PydanticObjectId

from api.settings import Settings
from bench.desk_ratings import seed_votes
from cms.access import Role
from cms.articles import Article
from cms.clock import utcnow
from cms.engagement import feedback, votes
from cms.engagement.vote_days import VoteDay, day_id
from newsroom.app import create_app
from tests.desk_client import Desk, csrf_of, make_person
from tests.factories import make_article
from tests.graphql_client import CommandCounter

_VALUES = re.compile(r'<text x="[^"]+" y="[^"]+" class="value">(\d+)</text>')
_DAY = re.compile(r"<title>(\d{4}-\d\d-\d\d): (\d+)</title>")
_NOTE = re.compile(r'<blockquote class="note">(.*?)</blockquote>', re.DOTALL)
_HANDLED = re.compile(r'<p class="handled">Handled by ([^,]+),')


@contextlib.asynccontextmanager
async def counted_app(
    settings: Settings, commands: CommandCounter
) -> AsyncIterator[Callable[[], Desk]]:
    """The app with its lifespan, its store commands counted; each call a new browser."""
    app = create_app(settings, event_listeners=[commands])
    async with (
        LifespanManager(app, startup_timeout=120, shutdown_timeout=120) as manager,
        contextlib.AsyncExitStack() as stack,
    ):

        def browser() -> Desk:
            transport = httpx.ASGITransport(app=manager.app, client=("127.0.0.1", 123))
            http = httpx.AsyncClient(transport=transport, base_url="http://newsroom.test")
            stack.push_async_callback(http.aclose)
            return Desk(http)

        yield browser


@pytest.fixture
async def desk(settings: Settings, commands: CommandCounter) -> AsyncIterator[Callable[[], Desk]]:
    async with counted_app(settings, commands) as browser:
        yield browser


async def signed_in(desk: Callable[[], Desk], role: Role = Role.EDITOR) -> Desk:
    email = f"{role.value}@example.com"
    await make_person(email, role=role, name=f"{role.value.title()} Person")
    browser = desk()
    await browser.log_in(email)
    return browser


def recent(**overrides: object) -> dict[str, object]:
    return {"published_at": utcnow() - timedelta(days=2), **overrides}


async def vote(article: Article, voter: str, stars: int) -> None:
    await votes.cast(voter=voter, new_voter=False, article_id=str(article.id), stars=stars)


async def test_each_vote_moves_its_day_and_the_chart_shows_stars_and_days(
    desk: Callable[[], Desk],
) -> None:
    browser = await signed_in(desk)
    article = await make_article(**recent(headline="Harbour reopens"))
    await vote(article, "reader-a", 5)
    await vote(article, "reader-b", 2)
    await vote(article, "reader-a", 4)  # a change of mind: a vote cast, no new voter

    chart = await browser.get(f"/desk/ratings/{article.id}")

    assert chart.status == 200
    assert chart.title == "Ratings: Harbour reopens"
    assert chart.summary == "3.0 stars on average from 2 votes."
    # Bars from 5 stars down to 1.
    assert _VALUES.findall(chart.text) == ["0", "1", "0", "1", "0"]
    days = dict(_DAY.findall(chart.text))
    assert len(days) == 30
    assert days[utcnow().date().isoformat()] == "3"
    assert sum(int(count) for count in days.values()) == 3
    day = await VoteDay.get(day_id(PydanticObjectId(article.id), utcnow().date()))
    assert day is not None
    assert (day.votes, day.first) == (3, 2)


@pytest.mark.slow
async def test_the_chart_of_10000_votes_costs_the_store_what_the_chart_of_10_does(
    desk: Callable[[], Desk], commands: CommandCounter
) -> None:
    browser = await signed_in(desk)
    few = await make_article(**recent(headline="Few votes"))
    many = await make_article(**recent(headline="Many votes"))
    await seed_votes(few, 10)
    await seed_votes(many, 10_000)

    costs = {}
    for article in (few, many):
        commands.reset()
        chart = await browser.get(f"/desk/ratings/{article.id}")
        assert chart.status == 200
        costs[article.headline] = list(commands.names)

    assert chart.summary == "3.0 stars on average from 10000 votes."
    assert _VALUES.findall(chart.text) == ["2000"] * 5
    assert costs["Few votes"] == costs["Many votes"]
    # The session, the counters, the days (one batch of lookups by key), the notes.
    assert len(costs["Many votes"]) <= 6, costs


async def test_the_lowest_and_highest_rated_of_the_last_30_days(
    desk: Callable[[], Desk],
) -> None:
    browser = await signed_in(desk)
    loved = await make_article(**recent(headline="Loved"))
    panned = await make_article(**recent(headline="Panned"))
    middling = await make_article(**recent(headline="Middling"))
    old = await make_article(headline="Long ago", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    lonely = await make_article(**recent(headline="One vote only"))
    for n, (article, stars) in enumerate(
        [(loved, 5), (panned, 1), (middling, 3), (old, 1), (lonely, 1)]
    ):
        for voter in range(3 if article is not lonely else 1):
            await vote(article, f"r{n}-{voter}", stars)

    ratings = await browser.get("/desk/ratings")

    assert ratings.status == 200
    lowest, highest = ratings.text.split('id="list-2"')
    assert re.findall(r">(Panned|Middling|Loved|Long ago|One vote only)</a>", lowest) == [
        "Panned",
        "Middling",
        "Loved",
    ]
    assert re.findall(r">(Panned|Middling|Loved)</a>", highest) == ["Loved", "Middling", "Panned"]


async def test_the_inbox_newest_first_by_article_low_only_and_marked_handled(
    desk: Callable[[], Desk],
) -> None:
    browser = await signed_in(desk)
    first = await make_article(**recent(headline="First story"))
    second = await make_article(**recent(headline="Second story"))
    await vote(first, "grumpy", 1)
    await vote(second, "happy", 5)
    await feedback.submit(voter="grumpy", article_id=str(first.id), message="Too short.")
    await feedback.submit(
        voter="happy", article_id=str(second.id), message="Lovely piece & a fine photo."
    )
    await feedback.submit(voter=None, article_id=str(first.id), message="A typo in para 2.")

    inbox = await browser.get("/desk/feedback")
    low = await browser.get("/desk/feedback?low=1")
    about_first = await browser.get(f"/desk/feedback?article={first.id}")

    assert [html.unescape(n) for n in _NOTE.findall(inbox.text)] == [
        "A typo in para 2.",
        "Lovely piece & a fine photo.",
        "Too short.",
    ]
    assert "piece &amp; a" in inbox.text  # a reader's text is escaped, never markup
    assert _NOTE.findall(low.text) == ["Too short."]
    assert _NOTE.findall(about_first.text) == ["A typo in para 2.", "Too short."]

    note_id = re.search(r'action="/desk/feedback/([0-9a-f]{24})/handled"', low.text)
    assert note_id
    marked = await browser.post(
        f"/desk/feedback/{note_id.group(1)}/handled",
        {"csrf": csrf_of(low.text), "next": "/desk/feedback?low=1"},
    )
    assert (marked.status, marked.location) == (303, "/desk/feedback?low=1")
    after = await browser.get("/desk/feedback?low=1")
    assert _HANDLED.findall(after.text) == ["Editor Person"]
    stored = await feedback.Feedback.get(PydanticObjectId(note_id.group(1)))
    assert stored is not None
    assert stored.handled_by == "Editor Person"
    assert stored.handled_at is not None

    # Marked again by someone else: the first mark stands.
    other = await signed_in(desk, Role.ADMIN)
    page = await other.get("/desk/feedback")
    again = await other.post(
        f"/desk/feedback/{note_id.group(1)}/handled", {"csrf": csrf_of(page.text)}
    )
    assert again.status == 303
    kept = await feedback.Feedback.get(PydanticObjectId(note_id.group(1)))
    assert kept is not None
    assert (kept.handled_by, kept.handled_at) == (stored.handled_by, stored.handled_at)


async def test_contributors_see_no_ratings_or_feedback_and_mark_nothing(
    desk: Callable[[], Desk],
) -> None:
    article = await make_article(**recent())
    await feedback.submit(voter=None, article_id=str(article.id), message="Hello.")
    editor = await signed_in(desk)
    inbox = await editor.get("/desk/feedback")
    note_id = re.search(r'action="/desk/feedback/([0-9a-f]{24})/handled"', inbox.text)
    assert note_id
    contributor = await signed_in(desk, Role.CONTRIBUTOR)
    own_page = await contributor.get("/desk/tokens")

    for path in ("/desk/ratings", f"/desk/ratings/{article.id}", "/desk/feedback"):
        assert (await contributor.get(path)).status == 403, path
    marked = await contributor.post(
        f"/desk/feedback/{note_id.group(1)}/handled", {"csrf": csrf_of(own_page.text)}
    )

    assert marked.status == 403
    stored = await feedback.Feedback.get(PydanticObjectId(note_id.group(1)))
    assert stored is not None
    assert stored.handled_at is None
