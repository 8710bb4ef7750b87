"""The desk over HTTP, as a browser without JavaScript uses it: logging in and out, one-time links,
the articles list, and every refusal, each with its status and a page that says why, changing
nothing. (The same story in a real browser, with the keyboard, is tests/test_desk_browser.py.)"""

import contextlib
import re
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager
from beanie import PydanticObjectId
from pydantic import SecretStr

from api.settings import Settings
from cms.access import Role
from cms.clock import utcnow
from cms.people import links
from cms.people.accounts import Person
from cms.people.changes import disable
from cms.people.sessions import DeskSession
from cms.people.tokens import mint
from cms.reading import editorial
from cms.revisions import Revision
from cms.spine.events import StoredEvent
from cms.status import ArticleStatus
from cms.webhooks.models import WebhookEvent
from cms.webhooks.payload import body
from cms.workflow.articles import create_article, transition_article
from desk.assets import DESK, HTMX
from newsroom.app import create_app
from tests.desk_client import PASSWORD, Desk, csrf_of, make_person
from tests.factories import BASE_DATE, FACTORY, make_article, make_tag

PREVIEW = "{ articles(preview: true, first: 1) { totalCount } }"
SECRET = "a-production-secret-of-at-least-32-characters"


@contextlib.asynccontextmanager
async def desk_app(settings: Settings) -> AsyncIterator[Callable[..., Desk]]:
    """The app with its lifespan; each call of what it yields is a new browser."""
    app = create_app(settings)
    async with (
        LifespanManager(app, startup_timeout=120, shutdown_timeout=120) as manager,
        contextlib.AsyncExitStack() as stack,
    ):

        def browser(*, peer: tuple[str, int] = ("127.0.0.1", 123), https: bool = False) -> Desk:
            transport = httpx.ASGITransport(app=manager.app, client=peer)
            scheme = "https" if https else "http"
            http = httpx.AsyncClient(transport=transport, base_url=f"{scheme}://newsroom.test")
            stack.push_async_callback(http.aclose)
            return Desk(http)

        yield browser


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Callable[..., Desk]]:
    async with desk_app(settings) as browser:
        yield browser


def production(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"environment": "production", "secret_key": SecretStr(SECRET)}
    )


async def sessions_of(person: Person) -> int:
    return await DeskSession.find(DeskSession.person == person.id).count()


async def draft_by(person: Person, slug: str, **values: Any) -> str:
    content = {
        "headline": f"Draft {slug}",
        "slug": slug,
        "author": "Ada Lovelace",
        "section": "world",
    }
    article = await create_article(actor=person.actor, content=content | values)
    return str(article.id)


async def test_a_person_logs_in_sees_the_articles_and_logs_out(
    desk: Callable[..., Desk],
) -> None:
    await make_person("ada@example.com")
    await make_article(slug="one", headline="The first")
    browser = desk()

    sent_away = await browser.get("/desk/articles?status=published")
    logged_in = await browser.log_in("ada@example.com", next="/desk/articles?status=published")
    cookie = logged_in.response.headers["set-cookie"]
    listed = await browser.get(logged_in.location)
    logged_out = await browser.log_out()
    after = await browser.get("/desk/articles")

    assert sent_away.status == 303
    assert sent_away.location == "/desk/login?next=%2Fdesk%2Farticles%3Fstatus%3Dpublished"
    assert logged_in.status == 303
    assert logged_in.location == "/desk/articles?status=published"
    assert cookie.startswith("newsroom-desk=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie  # development: plain HTTP on a laptop
    assert listed.status == 200
    assert listed.rows[0][1] == "The first"
    assert "1 published" in listed.tabs
    assert ">Log out</button>" in listed.text
    assert listed.response.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in listed.response.headers["content-security-policy"]
    assert logged_out.status == 303
    assert logged_out.location == "/desk/login?out=1"
    assert after.status == 303


async def test_outside_development_the_cookie_is_secure_and_for_this_host_only(
    settings: Settings,
) -> None:
    async with desk_app(production(settings)) as desk:
        await make_person("ada@example.com")
        browser = desk(https=True)
        logged_in = await browser.log_in("ada@example.com")
        listed = await browser.get("/desk/articles")

    cookie = logged_in.response.headers["set-cookie"]
    assert cookie.startswith("__Host-newsroom-desk=")
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert listed.status == 200


@pytest.mark.slow
async def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(
    desk: Callable[..., Desk],
) -> None:
    ada = await make_person("ada@example.com")
    invited = await make_person("new@example.com", password=None)
    gone = await make_person("gone@example.com")
    await disable(actor=FACTORY, person=gone)
    browser = desk()

    answers = [
        await browser.log_in("ada@example.com", "not the password"),
        await browser.log_in("nobody@example.com"),
        await browser.log_in("new@example.com"),
        await browser.log_in("gone@example.com"),
        await browser.log_in("not an address"),
    ]

    assert {page.status for page in answers} == {400}
    assert {page.alert for page in answers} == {"The email or password is not right."}
    assert 'value="ada@example.com"' in answers[0].text  # the address stays, the password not
    assert "not the password" not in answers[0].text
    assert [await sessions_of(person) for person in (ada, invited, gone)] == [0, 0, 0]


@pytest.mark.slow
async def test_logins_are_throttled_per_account_and_per_address(settings: Settings) -> None:
    limited = settings.model_copy(
        update={"login_limit_per_account": 3, "login_limit_per_address": 5}
    )
    async with desk_app(limited) as desk:
        ada = await make_person("ada@example.com")
        await make_person("bob@example.com")
        here, elsewhere = desk(peer=("192.0.2.1", 1)), desk(peer=("198.51.100.7", 1))

        wrong = [await here.log_in("ada@example.com", "wrong password") for _ in range(3)]
        throttled = await here.log_in("ada@example.com")  # the right password, too late
        from_elsewhere = await elsewhere.log_in("ADA@example.com")
        other_account = await here.log_in("bob@example.com")  # the address's 5th
        # Another browser on the same network: the address's 6th.
        address_spent = await desk(peer=("192.0.2.1", 2)).log_in("bob@example.com")
        adas_sessions = await sessions_of(ada)

    assert [page.status for page in wrong] == [400, 400, 400]
    assert throttled.status == 429
    assert 0 < int(throttled.response.headers["retry-after"]) <= 600
    assert "Too many attempts" in throttled.title
    assert from_elsewhere.status == 429  # the account's limit, whatever the address
    assert other_account.status == 303
    assert address_spent.status == 429
    assert adas_sessions == 0


@pytest.mark.slow
async def test_a_form_without_its_token_is_refused_and_changes_nothing(
    desk: Callable[..., Desk],
) -> None:
    ada = await make_person("ada@example.com")
    await make_person("bob@example.com")
    browser, other = desk(), desk()
    await browser.log_in("ada@example.com")
    await other.log_in("bob@example.com")
    others_token = csrf_of((await other.get("/desk/articles")).text)

    missing = await browser.post("/desk/logout", {"note": ""})
    forged = await browser.post("/desk/logout", {"csrf": others_token})
    odd = await browser.post("/desk/logout", {"csrf": "ünïcödé"})
    still_in = await browser.get("/desk/articles")

    assert [missing.status, forged.status, odd.status] == [403, 403, 403]
    assert "security token is missing or out of date" in missing.alert
    assert "nothing was done" in forged.alert
    assert still_in.status == 200
    assert await sessions_of(ada) == 1


async def test_a_login_form_from_another_site_is_refused(desk: Callable[..., Desk]) -> None:
    """Login CSRF: a page elsewhere posts the attacker's own address and password to log the
    browser in as them. It cannot have the token bound to this browser's pre-login cookie."""
    attacker = await make_person("mallory@example.com")
    theirs = desk()
    token = csrf_of((await theirs.get("/desk/login")).text)
    victim = desk()

    forged = await victim.post(
        "/desk/login",
        {"csrf": token, "email": "mallory@example.com", "password": PASSWORD},
    )
    without = await victim.post(
        "/desk/login", {"email": "mallory@example.com", "password": PASSWORD}
    )

    assert forged.status == 403
    assert without.status == 403
    assert await sessions_of(attacker) == 0


@pytest.mark.parametrize(
    "next_path",
    [
        "//evil.example/desk",
        "https://evil.example/desk",
        "/desk//evil.example",
        "/desk/../graphql",
        "/desk/%2e%2e/graphql",
        "/\\evil.example",
        "/deskevil",
        "javascript:alert(1)",
    ],
)
async def test_after_login_next_goes_only_to_a_page_of_the_desk(
    desk: Callable[..., Desk], next_path: str
) -> None:
    await make_person("ada@example.com")
    browser = desk()

    form = await browser.get(f"/desk/login?next={httpx.QueryParams({'x': next_path})['x']}")
    logged_in = await browser.post(
        "/desk/login",
        {
            "csrf": csrf_of(form.text),
            "email": "ada@example.com",
            "password": PASSWORD,
            "next": next_path,
        },
    )

    assert 'name="next"' not in form.text
    assert logged_in.status == 303
    assert logged_in.location == "/desk/articles"


async def test_a_one_time_link_sets_a_password_once_within_its_day(
    desk: Callable[..., Desk],
) -> None:
    new = await make_person("new@example.com", password=None, name="Grace Hopper")
    token = await links.issue(new, purpose="welcome")
    browser = desk()

    opened = await browser.get(f"/desk/password/{token}")
    opened_again = await browser.get(f"/desk/password/{token}")  # a mail scanner, say
    mismatched = await browser.post(
        f"/desk/password/{token}",
        {"csrf": csrf_of(opened.text), "password": "long enough 1", "repeat": "long enough 2"},
    )
    short = await browser.post(
        f"/desk/password/{token}",
        {"csrf": csrf_of(opened.text), "password": "short", "repeat": "short"},
    )
    unchanged = await Person.get(new.id)
    done = await browser.post(
        f"/desk/password/{token}",
        {"csrf": csrf_of(opened.text), "password": "a new password", "repeat": "a new password"},
    )
    used = await browser.get(f"/desk/password/{token}")
    reused = await browser.post(
        f"/desk/password/{token}",
        {"csrf": csrf_of(opened.text), "password": "another one!", "repeat": "another one!"},
    )
    logged_in = await browser.log_in("new@example.com", "a new password")

    assert opened.status == opened_again.status == 200
    assert opened.title == "Welcome, Grace Hopper"
    assert '<label for="password">New password</label>' in opened.text
    assert '<label for="repeat">Repeat password</label>' in opened.text
    assert mismatched.status == 400
    assert "The two passwords differ" in mismatched.alert
    assert short.status == 400
    assert "at least 8 characters" in short.alert
    assert unchanged is not None
    assert unchanged.password_hash is None
    assert done.status == 303
    assert done.location == "/desk/login?password=1"
    assert used.status == reused.status == 410
    assert "was used already" in used.alert
    assert logged_in.status == 303


async def test_an_expired_an_unknown_and_a_replaced_link_are_refused(
    desk: Callable[..., Desk],
) -> None:
    new = await make_person("new@example.com", password=None)
    old = await links.issue(new, purpose="welcome")
    expired = await links.issue(new, purpose="reset")  # retires `old`
    await links.PasswordLink.get_pymongo_collection().update_many(
        {}, {"$set": {"expires_at": utcnow() - timedelta(seconds=1)}}
    )
    browser = desk()
    form = await browser.get("/desk/login")

    answers = {
        "expired": await browser.get(f"/desk/password/{expired}"),
        "expired, sent": await browser.post(
            f"/desk/password/{expired}",
            {"csrf": csrf_of(form.text), "password": "a new password", "repeat": "a new password"},
        ),
        "replaced": await browser.get(f"/desk/password/{old}"),
        "unknown": await browser.get("/desk/password/" + "x" * 43),
        "malformed": await browser.get("/desk/password/%3Cscript%3E"),
    }

    assert {name: page.status for name, page in answers.items()} == {
        "expired": 410,
        "expired, sent": 410,
        "replaced": 404,
        "unknown": 404,
        "malformed": 404,
    }
    assert "has expired" in answers["expired"].alert
    assert "<script>" not in answers["malformed"].text
    assert (await Person.get(new.id)).password_hash is None  # type: ignore[union-attr]


async def test_a_disabled_persons_session_and_token_stop_working_at_once(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    ada = await make_person("ada@example.com")
    _, token = await mint(actor=FACTORY, person=ada, name="adas-laptop", role=Role.EDITOR)
    browser = desk()
    await browser.log_in("ada@example.com")
    api = browser.http

    before = (
        await api.post(
            "/graphql", json={"query": PREVIEW}, headers={"authorization": f"Bearer {token}"}
        )
    ).json()
    await disable(actor=FACTORY, person=ada)
    page = await browser.get("/desk/articles")
    after = (
        await api.post(
            "/graphql", json={"query": PREVIEW}, headers={"authorization": f"Bearer {token}"}
        )
    ).json()
    again = await browser.log_in("ada@example.com")

    assert "data" in before
    assert page.status == 303
    assert page.location == "/desk/login?next=%2Fdesk%2Farticles&ended=1"
    assert after["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert again.status == 400
    assert await sessions_of(ada) == 0


async def test_the_desk_cookie_never_authenticates_the_api(desk: Callable[..., Desk]) -> None:
    await make_person("ada@example.com", role=Role.ADMIN)
    browser = desk()
    await browser.log_in("ada@example.com")

    answer = (await browser.http.post("/graphql", json={"query": PREVIEW})).json()

    assert browser.http.cookies.get("newsroom-desk")
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.slow
async def test_a_contributor_opens_only_their_own_articles_and_public_ones(
    desk: Callable[..., Desk],
) -> None:
    writer = await make_person("writer@example.com", role=Role.CONTRIBUTOR, name="Wri Ter")
    editor = await make_person("editor@example.com", role=Role.EDITOR, name="Edi Tor")
    own = await draft_by(writer, "own-draft")
    others = await draft_by(editor, "editors-draft", headline="Embargoed scoop")
    public = str((await make_article(slug="public", headline="Out there")).id)
    contributor, editing = desk(), desk()
    await contributor.log_in("writer@example.com")
    await editing.log_in("editor@example.com")

    refused = await contributor.get(f"/desk/articles/{others}")
    # Hand-made addresses asking the list for the editor's drafts by name, by words and by status.
    by_author = await contributor.get("/desk/articles?author=Ada+Lovelace&status=draft")
    by_words = await contributor.get("/desk/articles?q=Embargoed+scoop")
    by_mine = await contributor.get("/desk/articles?status=draft&mine=0")
    listed = await contributor.get("/desk/articles")
    by_status = await contributor.get("/desk/articles?status=draft")
    mine = await contributor.get(f"/desk/articles/{own}")
    seen = await contributor.get(f"/desk/articles/{public}")
    editors_view = await editing.get(f"/desk/articles/{others}")

    assert refused.status == 403
    assert "Your role (contributor)" in refused.alert
    assert "Embargoed scoop" not in refused.text
    for hand_made in (by_author, by_words, by_mine):
        assert hand_made.status == 200
        assert "Embargoed scoop" not in [headline for _, headline in hand_made.rows]
    assert [headline for _, headline in by_author.rows] == ["Draft own-draft"]
    assert by_words.rows == []
    assert {headline for _, headline in listed.rows} == {"Draft own-draft", "Out there"}
    assert listed.tabs[:3] == ["2 in all", "1 draft", "0 in review"]
    assert "1 mine" in listed.tabs
    assert [headline for _, headline in by_status.rows] == ["Draft own-draft"]
    assert mine.status == seen.status == editors_view.status == 200
    assert mine.title == "Draft own-draft"


@pytest.mark.slow
async def test_an_oversized_form_is_refused_after_the_session_is_checked(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    ada = await make_person("ada@example.com")
    browser, stranger = desk(), desk()
    await browser.log_in("ada@example.com")
    token = csrf_of((await browser.get("/desk/articles")).text)
    huge = {"csrf": token, "filler": "x" * settings.editor_max_body_bytes}

    too_large = await browser.post("/desk/logout", huge)
    without_session = await stranger.post("/desk/logout", huge)
    login_too_large = await stranger.post("/desk/login", {"filler": "x" * settings.max_body_bytes})
    still_in = await browser.get("/desk/articles")

    assert too_large.status == 413
    assert f"larger than {settings.editor_max_body_bytes:,} bytes" in too_large.alert
    assert without_session.status == 303
    assert without_session.location == "/desk/login"
    assert login_too_large.status == 413
    assert still_in.status == 200
    assert await sessions_of(ada) == 1


async def test_an_idle_or_expired_session_sends_back_to_the_login_page(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    ada = await make_person("ada@example.com")
    idle, old = desk(), desk()
    await idle.log_in("ada@example.com")
    await old.log_in("ada@example.com")
    sessions = DeskSession.get_pymongo_collection()
    found = await sessions.find().sort("created_at", 1).to_list()
    await sessions.update_one(
        {"_id": found[0]["_id"]},
        {"$set": {"seen_at": utcnow() - timedelta(seconds=settings.session_idle_timeout + 1)}},
    )
    await sessions.update_one(
        {"_id": found[1]["_id"]},
        {"$set": {"created_at": utcnow() - timedelta(seconds=settings.session_max_age + 1)}},
    )

    answers = [await idle.get("/desk/articles"), await old.get("/desk/articles")]
    login = await idle.get(answers[0].location)

    for page in answers:
        assert page.status == 303
        assert page.location == "/desk/login?next=%2Fdesk%2Farticles&ended=1"
        assert 'newsroom-desk=""' in page.response.headers["set-cookie"]
    assert "Your session has ended" in login.text
    assert await sessions_of(ada) == 0


async def test_in_production_a_failure_shows_no_internals(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("connection string mongodb://admin:hunter2@db")

    async with desk_app(production(settings)) as desk:
        await make_person("ada@example.com")
        browser = desk(https=True)
        await browser.log_in("ada@example.com")
        bad_cursor = await browser.get("/desk/articles?after=not-a-cursor")
        bad_status = await browser.get("/desk/articles?status=<b>x</b>")
        monkeypatch.setattr(editorial, "list_page", broken)
        failed = await browser.get("/desk/articles")

    assert bad_cursor.status == 400
    assert "Start again from the first page" in bad_cursor.alert
    assert bad_status.status == 400
    assert "<b>x</b>" not in bad_status.text
    assert failed.status == 500
    assert "hunter2" not in failed.text
    assert "Traceback" not in failed.text
    assert re.search(r"logged as [0-9a-f]{16}", failed.alert)
    assert failed.response.headers["x-request-id"] in failed.alert


@pytest.mark.slow
async def test_in_production_every_refusal_is_a_page_with_its_status_and_no_internals(
    settings: Settings,
) -> None:
    # Every attempt counts: Ada's login, then the wrong password, then the refused third.
    limited = production(settings).model_copy(update={"login_limit_per_account": 2})
    async with desk_app(limited) as desk:
        await make_person("ada@example.com")
        new = await make_person("new@example.com", password=None)
        token = await links.issue(new, purpose="welcome")
        await links.PasswordLink.get_pymongo_collection().update_many(
            {}, {"$set": {"expires_at": utcnow() - timedelta(seconds=1)}}
        )
        browser, stranger = desk(https=True), desk(https=True)
        await browser.log_in("ada@example.com")
        csrf = csrf_of((await browser.get("/desk/articles")).text)
        answers = {
            "no session": await stranger.get("/desk/articles"),
            "no csrf": await browser.post("/desk/logout", {"note": ""}),
            "unknown page": await browser.get("/desk/articles/000000000000000000000000"),
            "expired link": await browser.get(f"/desk/password/{token}"),
            "too large": await browser.post(
                "/desk/logout", {"csrf": csrf, "x": "x" * limited.editor_max_body_bytes}
            ),
            "wrong password": await stranger.log_in("ada@example.com", "wrong password"),
            "throttled": await stranger.log_in("ada@example.com"),
        }

    assert {name: page.status for name, page in answers.items()} == {
        "no session": 303,
        "no csrf": 403,
        "unknown page": 404,
        "expired link": 410,
        "too large": 413,
        "wrong password": 400,
        "throttled": 429,
    }
    assert answers["throttled"].response.headers["retry-after"].isdigit()
    for name, page in answers.items():
        if page.status == 303:
            continue
        assert page.alert, name
        assert page.response.headers["cache-control"] == "no-store", name
        for internal in ("Traceback", "Error:", "mongodb://", "argon2", 'File "'):
            assert internal not in page.text, (name, internal)


@pytest.mark.slow
async def test_the_list_filters_searches_sorts_and_counts(desk: Callable[..., Desk]) -> None:
    ada = await make_person("ada@example.com", name="Ada Lovelace")
    await make_tag(slug="quakes", name="Quakes")
    # Published first, changed last: the two orders differ.
    await make_article(
        slug="quake",
        headline="Quake hits Myanmar",
        tags=["quakes"],
        section="asia",
        updated_at=BASE_DATE + timedelta(days=30),
    )
    await make_article(slug="budget", headline="City budget passes", author="Grace Hopper")
    await make_article(slug="old", headline="An archived piece", status=ArticleStatus.ARCHIVED)
    draft = await draft_by(ada, "mine", headline="My draft about a quake", body="A quake.")
    await transition_article(actor=ada.actor, article_id=draft, to=ArticleStatus.REVIEW)
    browser = desk()
    await browser.log_in("ada@example.com")

    every = await browser.get("/desk/articles")
    in_review = await browser.get("/desk/articles?status=review")
    tagged = await browser.get("/desk/articles?tag=quakes")
    in_asia = await browser.get("/desk/articles?section=asia")
    by_author = await browser.get("/desk/articles?author=grace%20hopper")
    mine = await browser.get("/desk/articles?mine=1")
    searched = await browser.get("/desk/articles?q=quake")
    by_publication = await browser.get("/desk/articles?sort=published")
    unknown = await browser.get("/desk/articles?sort=loudest")

    assert every.tabs == [
        "4 in all",
        "0 drafts",
        "1 in review",
        "0 scheduled",
        "2 published",
        "1 archived",
        "1 mine",
    ]
    assert every.rows[0][1] == "My draft about a quake"  # the newest change first
    assert [headline for _, headline in in_review.rows] == ["My draft about a quake"]
    assert [headline for _, headline in tagged.rows] == ["Quake hits Myanmar"]
    assert [headline for _, headline in in_asia.rows] == ["Quake hits Myanmar"]
    assert [headline for _, headline in by_author.rows] == ["City budget passes"]
    assert [headline for _, headline in mine.rows] == ["My draft about a quake"]
    assert {headline for _, headline in searched.rows} == {
        "Quake hits Myanmar",
        "My draft about a quake",
    }
    assert searched.summary == "2 articles match."
    assert 'value="relevance" selected' in searched.text
    assert [headline for _, headline in every.rows] == [
        "My draft about a quake",
        "Quake hits Myanmar",
        "An archived piece",
        "City budget passes",
    ]
    assert [headline for _, headline in by_publication.rows] == [
        "My draft about a quake",
        "An archived piece",
        "City budget passes",
        "Quake hits Myanmar",
    ]
    assert unknown.status == 400


@pytest.mark.slow
async def test_a_long_list_pages_by_25_with_newer_and_older_links(
    desk: Callable[..., Desk],
) -> None:
    await make_person("ada@example.com")
    for number in range(30):
        await make_article(slug=f"a-{number}", headline=f"Article {number:02d}")
    browser = desk()
    await browser.log_in("ada@example.com")

    first = await browser.get("/desk/articles?sort=published")
    older_link = re.search(r'href="([^"]+)" rel="next">Older', first.text)
    assert older_link
    second = await browser.get(older_link.group(1).replace("&amp;", "&"))
    newer_link = re.search(r'href="([^"]+)" rel="prev">Newer', second.text)
    assert newer_link
    back = await browser.get(newer_link.group(1).replace("&amp;", "&"))

    assert len(first.rows) == 25
    assert first.rows[0][1] == "Article 29"
    assert [headline for _, headline in second.rows] == [
        f"Article {n:02d}" for n in range(4, -1, -1)
    ]
    assert back.rows == first.rows
    assert first.summary == "30 articles match."


async def test_the_desk_serves_its_own_files_and_can_be_turned_off(settings: Settings) -> None:
    async with desk_app(settings) as desk:
        browser = desk()
        login = await browser.get("/desk/login")
        script = await browser.http.get(HTMX.url("dist/htmx.min.js"))
        style = await browser.http.get(DESK.own["desk.css"])
    async with desk_app(settings.model_copy(update={"desk": False})) as desk:
        off = desk()
        gone = await off.get("/desk/login")
        gone_script = await off.http.get(HTMX.url("dist/htmx.min.js"))

    assert login.status == 200
    assert HTMX.url("dist/htmx.min.js") in login.text
    assert '"allowEval":false' in login.text.replace("&#34;", '"')
    assert '"includeIndicatorStyles":false' in login.text.replace("&#34;", '"')
    assert "https://" not in login.text
    assert script.status_code == style.status_code == 200
    assert script.content == DESK.files["htmx.org@2.0.11/dist/htmx.min.js"].read_bytes()
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert gone.status == gone_script.status_code == 404


async def test_a_persons_write_records_their_id_and_name_never_their_email(
    desk: Callable[..., Desk],
) -> None:
    ada = await make_person("ada@example.com", name="Ada Lovelace")
    article_id = await draft_by(ada, "recorded")
    await transition_article(actor=ada.actor, article_id=article_id, to=ArticleStatus.PUBLISHED)

    saved = await Revision.find(Revision.article_id == PydanticObjectId(article_id)).to_list()
    events = await StoredEvent.find(StoredEvent.subject == article_id).to_list()
    published = next(event for event in events if event.type == "article.published")
    payload = body(delivery="d1", kind=WebhookEvent.ARTICLE_PUBLISHED, event=published)

    expected = {"id": f"person:{ada.id}", "name": "Ada Lovelace"}
    assert {(revision.actor_id, revision.actor) for revision in saved} == {
        (expected["id"], expected["name"])
    }
    assert {(event.actor_id, event.actor) for event in events} == {
        (expected["id"], expected["name"])
    }
    assert f'"actor":{{"id":"{expected["id"]}","name":"Ada Lovelace"}}' in payload
    assert "ada@example.com" not in repr([*saved, *events]) + payload
