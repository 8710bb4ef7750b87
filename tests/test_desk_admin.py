"""Your tokens and the admin pages over HTTP: tokens minted never above one's role (none for a
contributor) and shown once, then used against /graphql; people invited with a one-time link,
their role changed (tokens above it revoked) and disabled; webhooks added through the API's
address guard, disabled, given a new secret, and a delivery sent again; and every admin page and
action refused to non-admins with nothing changed."""

import re
from collections.abc import AsyncIterator, Callable
from urllib.parse import urlparse

import pytest

from api.settings import Settings
from cms import tokens
from cms.access import Role
from cms.people.accounts import Person, actor_id, find_by_email, list_people
from cms.status import ArticleStatus
from cms.webhooks import endpoints
from cms.webhooks.models import Delivery, Endpoint
from tests.desk_client import PASSWORD, Desk, csrf_of, make_person
from tests.factories import make_article
from tests.receiver import Receiver, eventually
from tests.test_desk_http import desk_app

_SECRET = re.compile(r'id="(?:minted|secret|link)" class="secret" readonly value="([^"]+)"')
ME = "{ articles(first: 1, preview: true, filter: {status: DRAFT}) { totalCount } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Webhook receivers on 127.0.0.1, sent at once."""
    return settings.model_copy(
        update={
            "webhooks_allow_private": True,
            "webhooks_retry_delays": [0.05],
            "webhooks_poll_interval": 0.05,
        }
    )


@pytest.fixture
async def desk(settings: Settings) -> AsyncIterator[Callable[..., Desk]]:
    async with desk_app(settings) as browser:
        yield browser


async def signed_in(desk: Callable[..., Desk], role: Role) -> Desk:
    email = f"{role.value}@example.com"
    await make_person(email, role=role, name=f"{role.value.title()} Person")
    browser = desk()
    await browser.log_in(email)
    return browser


async def mint(browser: Desk, name: str, role: str) -> tuple[int, str]:
    form = await browser.get("/desk/tokens")
    sent = await browser.post(
        "/desk/tokens", {"csrf": csrf_of(form.text), "name": name, "role": role}
    )
    return sent.status, sent.text


async def graphql(browser: Desk, token: str) -> int:
    """The number of drafts the token may count (a previewer's right), or -1 if refused."""
    answer = await browser.http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    body = answer.json()
    return -1 if body.get("errors") else int(body["data"]["articles"]["totalCount"])


async def test_a_person_mints_a_token_shown_once_uses_it_and_revokes_it(
    desk: Callable[..., Desk],
) -> None:
    editor = await signed_in(desk, Role.EDITOR)
    await make_article(status=ArticleStatus.DRAFT)

    status, text = await mint(editor, "preview-site", "previewer")
    assert status == 200
    secret = _SECRET.findall(text)
    assert len(secret) == 1
    assert await graphql(editor, secret[0]) == 1
    listed = await editor.get("/desk/tokens")
    assert "preview-site" in listed.text
    assert secret[0] not in listed.text  # shown once

    too_high, refusal = await mint(editor, "root", "admin")
    assert too_high == 400
    assert "Choose one of the roles offered: previewer, editor" in refusal

    revoked = await editor.post("/desk/tokens/preview-site/revoke", {"csrf": csrf_of(listed.text)})
    assert revoked.status == 303
    assert await graphql(editor, secret[0]) == -1
    assert [token.name for token in await tokens.list_tokens()] == []


async def test_a_contributor_cannot_mint_and_nobody_revokes_anothers_token(
    desk: Callable[..., Desk],
) -> None:
    contributor = await signed_in(desk, Role.CONTRIBUTOR)
    editor = await signed_in(desk, Role.EDITOR)
    await mint(editor, "editors-own", "editor")

    page = await contributor.get("/desk/tokens")
    assert "holds no API tokens" in page.text
    assert 'action="/desk/tokens"' not in page.text
    status, _ = await mint(contributor, "mine", "previewer")
    other = await contributor.post("/desk/tokens/editors-own/revoke", {"csrf": csrf_of(page.text)})

    assert status == 403
    assert other.status == 404
    assert [token.name for token in await tokens.list_tokens()] == ["editors-own"]


async def state() -> tuple[list[tuple[str, str, bool]], list[str], list[tuple[str, bool, str]]]:
    """Everything the admin pages can change."""
    people = [(p.email, p.role.value, p.disabled) for p in await list_people()]
    held = [token.name for token in await tokens.list_tokens()]
    hooks = [(e.url, e.enabled, e.secret) for e in await endpoints.list_endpoints()]
    return people, held, hooks


@pytest.mark.slow
async def test_non_admins_get_403_on_admin_pages_and_actions_and_nothing_changes(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    admin = await signed_in(desk, Role.ADMIN)
    target = await make_person("target@example.com", role=Role.EDITOR, name="Target")
    await mint(admin, "admins-token", "admin")
    async with Receiver() as receiver:
        added = await admin.post(
            "/desk/admin/webhooks",
            {"csrf": csrf_of((await admin.get("/desk/admin")).text), "url": receiver.url},
        )
        assert added.status == 200
    endpoint = (await endpoints.list_endpoints())[0]
    browsers = {role: await signed_in(desk, role) for role in (Role.EDITOR, Role.CONTRIBUTOR)}
    before = await state()
    pages = [
        "/desk/admin",
        "/desk/admin/webhooks",
        f"/desk/admin/webhooks/{endpoint.id}",
    ]
    actions = {
        "/desk/admin/people": {"email": "new@example.com", "name": "New", "role": "admin"},
        f"/desk/admin/people/{target.id}/role": {"role": "admin"},
        f"/desk/admin/people/{target.id}/disable": {},
        f"/desk/admin/people/{target.id}/link": {},
        "/desk/admin/tokens/admins-token/revoke": {},
        "/desk/admin/webhooks": {"url": "https://example.com/hook"},
        f"/desk/admin/webhooks/{endpoint.id}/disable": {},
        f"/desk/admin/webhooks/{endpoint.id}/rotate": {},
        f"/desk/admin/webhooks/{endpoint.id}/deliveries/{endpoint.id}:000000000000001/again": {},
    }
    for role, browser in browsers.items():
        csrf = csrf_of((await browser.get("/desk/tokens")).text)
        for path in pages:
            assert (await browser.get(path)).status == 403, (role, path)
        for path, fields in actions.items():
            refused = await browser.post(path, {"csrf": csrf, **fields})
            assert refused.status == 403, (role, path)
        assert "/desk/admin" not in (await browser.get("/desk/tokens")).text

    assert await state() == before


async def test_an_admin_invites_someone_who_sets_a_password_and_logs_in(
    desk: Callable[..., Desk],
) -> None:
    admin = await signed_in(desk, Role.ADMIN)
    page = await admin.get("/desk/admin")

    invited = await admin.post(
        "/desk/admin/people",
        {
            "csrf": csrf_of(page.text),
            "email": "grace@example.com",
            "name": "Grace",
            "role": "editor",
        },
    )
    taken = await admin.post(
        "/desk/admin/people",
        {"csrf": csrf_of(page.text), "email": "GRACE@example.com", "name": "G", "role": "editor"},
    )

    assert invited.status == 200
    link = _SECRET.findall(invited.text)
    assert len(link) == 1
    assert taken.status == 400
    assert "Someone has the address" in taken.alert
    grace = desk()
    path = urlparse(link[0]).path
    form = await grace.get(path)
    assert form.status == 200
    sent = await grace.post(
        path, {"csrf": csrf_of(form.text), "password": PASSWORD, "repeat": PASSWORD}
    )
    assert sent.status == 303
    logged_in = await grace.log_in("grace@example.com")
    assert logged_in.location == "/desk/articles"


async def person(email: str) -> Person:
    found = await find_by_email(email)
    assert found is not None
    return found


async def test_a_role_lowered_revokes_tokens_above_it_and_disabling_ends_access(
    desk: Callable[..., Desk],
) -> None:
    admin = await signed_in(desk, Role.ADMIN)
    editor = await signed_in(desk, Role.EDITOR)
    await mint(editor, "ed-preview", "previewer")
    await mint(editor, "ed-edit", "editor")
    target = await person("editor@example.com")
    page = await admin.get("/desk/admin")

    lowered = await admin.post(
        f"/desk/admin/people/{target.id}/role", {"csrf": csrf_of(page.text), "role": "contributor"}
    )
    shown = await admin.get(lowered.location)

    assert lowered.status == 303
    assert "Editor Person is now contributor. Revoked their tokens: ed-edit, ed-preview." in (
        shown.summary
    )
    assert await tokens.tokens_of(actor_id(target.id)) == []
    assert (await person("editor@example.com")).role is Role.CONTRIBUTOR

    disabled = await admin.post(
        f"/desk/admin/people/{target.id}/disable", {"csrf": csrf_of(page.text)}
    )
    assert disabled.status == 303
    assert (await person("editor@example.com")).disabled
    assert (await editor.get("/desk/articles")).status == 303  # their session ended

    last_admin = await person("admin@example.com")
    refused = await admin.post(
        f"/desk/admin/people/{last_admin.id}/role", {"csrf": csrf_of(page.text), "role": "editor"}
    )
    assert refused.status == 409
    assert "last active admin" in refused.alert


@pytest.mark.slow
async def test_an_admin_adds_a_webhook_disables_rotates_and_sends_a_delivery_again(
    desk: Callable[..., Desk], settings: Settings
) -> None:
    admin = await signed_in(desk, Role.ADMIN)
    page = await admin.get("/desk/admin/webhooks")
    csrf = csrf_of(page.text)
    private = await admin.post(
        "/desk/admin/webhooks", {"csrf": csrf, "url": "http://127.0.0.1:9/hook"}
    )
    assert private.status == 200  # allowed here (webhooks_allow_private); refused below

    guarded = await admin.post("/desk/admin/webhooks", {"csrf": csrf, "url": "ftp://example.com/"})
    assert guarded.status == 400
    assert "ftp://example.com/" in guarded.alert

    async with Receiver() as receiver:
        added = await admin.post(
            "/desk/admin/webhooks",
            {"csrf": csrf, "url": receiver.url, "events": "article.published"},
        )
        secret = _SECRET.findall(added.text)
        assert len(secret) == 1
        endpoint: Endpoint = await endpoints.find_endpoint(receiver.url)
        await make_article(slug="hello")
        first = await receiver.wait_for(1)
        assert first[0].json["article"]["slug"] == "hello"

        async def sent() -> list[Delivery]:
            return [
                d
                for d in await Delivery.find(Delivery.endpoint == endpoint.id).to_list()
                if d.state == "sent"
            ]

        delivery = (await eventually(sent))[0]
        shown = await admin.get(f"/desk/admin/webhooks/{endpoint.id}")
        assert delivery.id in shown.text
        assert "Send again" in shown.text

        again = await admin.post(
            f"/desk/admin/webhooks/{endpoint.id}/deliveries/{delivery.id}/again", {"csrf": csrf}
        )
        assert again.status == 303
        second = await receiver.wait_for(2)
        assert second[1].body == second[0].body
        after = await eventually(sent)
        assert after[0].attempts == 2

        rotated = await admin.post(f"/desk/admin/webhooks/{endpoint.id}/rotate", {"csrf": csrf})
        new_secret = _SECRET.findall(rotated.text)
        assert len(new_secret) == 1
        assert new_secret[0] != secret[0]
        assert (await endpoints.find_endpoint(endpoint.id)).secret == new_secret[0]

        disabled = await admin.post(f"/desk/admin/webhooks/{endpoint.id}/disable", {"csrf": csrf})
        assert disabled.status == 303
        stored = await endpoints.find_endpoint(endpoint.id)
        assert not stored.enabled
        assert stored.disabled_reason == "disabled by Admin Person"
        refused = await admin.post(
            f"/desk/admin/webhooks/{endpoint.id}/deliveries/{delivery.id}/again", {"csrf": csrf}
        )
        assert refused.status == 409


async def test_the_webhook_form_applies_the_apis_address_guard(settings: Settings) -> None:
    guarded = settings.model_copy(update={"webhooks_allow_private": False})
    async with desk_app(guarded) as strict:
        admin = await signed_in(strict, Role.ADMIN)
        page = await admin.get("/desk/admin/webhooks")
        refused = await admin.post(
            "/desk/admin/webhooks", {"csrf": csrf_of(page.text), "url": "http://127.0.0.1:9/hook"}
        )
        assert await endpoints.list_endpoints() == []
    assert refused.status == 400
    assert "not a public internet address" in refused.alert
