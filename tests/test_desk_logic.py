"""The desk's pure rules, over many generated cases: when a session holds, which form tokens are
accepted, where a login may send a browser, and who may do what."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cms.access import (
    GRANTS,
    PERSON_ROLES,
    TOKEN_ROLES,
    Actor,
    NotAllowedError,
    NotAuthenticatedError,
    Permission,
    Role,
    authorize,
    may_read,
    token_roles_for,
)
from cms.media import permissions
from cms.people.sessions import Lifetime, State, state, well_formed
from desk.forms import safe_next
from desk.pages import media
from desk.refusals import DeskRefusal
from web import csrf

START = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class Times:
    """A session's times, as the store keeps them."""

    created_at: datetime
    seen_at: datetime
    expires_at: datetime


seconds = st.integers(min_value=0, max_value=30 * 24 * 3600).map(lambda s: timedelta(seconds=s))
lifetimes = st.builds(
    Lifetime,
    idle=st.integers(min_value=60, max_value=86_400).map(lambda s: timedelta(seconds=s)),
    max_age=st.integers(min_value=60, max_value=30 * 86_400).map(lambda s: timedelta(seconds=s)),
)


@given(lifetime=lifetimes, seen_after=seconds, now_after=seconds)
def test_a_session_holds_only_while_neither_idle_nor_too_old(
    lifetime: Lifetime, seen_after: timedelta, now_after: timedelta
) -> None:
    seen = START + min(seen_after, now_after)
    now = START + now_after
    session = Times(created_at=START, seen_at=seen, expires_at=START + lifetime.max_age)

    found = state(session, now=now, lifetime=lifetime)

    if now - START >= lifetime.max_age:
        assert found is State.EXPIRED
    elif now - seen >= lifetime.idle:
        assert found is State.IDLE
    else:
        assert found is State.LIVE


def test_a_session_ends_at_its_maximum_age_even_if_that_was_shortened_since() -> None:
    session = Times(
        created_at=START, seen_at=START + timedelta(hours=30), expires_at=START + timedelta(days=7)
    )
    shorter = Lifetime(idle=timedelta(hours=12), max_age=timedelta(days=1))

    assert state(session, now=START + timedelta(hours=31), lifetime=shorter) is State.EXPIRED


@given(token=st.text(max_size=60))
def test_only_what_a_session_token_looks_like_reaches_the_store(token: str) -> None:
    assert well_formed(token) == (
        len(token) == 43 and all(c.isascii() and (c.isalnum() or c in "-_") for c in token)
    )


@given(binding=st.text(min_size=1, max_size=80), other=st.text(min_size=1, max_size=80))
def test_a_form_token_is_accepted_for_its_own_binding_only(binding: str, other: str) -> None:
    secret = "s" * 32
    token = csrf.token_for(secret, binding)

    assert csrf.is_valid(secret, binding, token)
    assert csrf.is_valid(secret, other, token) == (other == binding)
    assert not csrf.is_valid("t" * 32, binding, token)  # another server's key


@given(binding=st.text(min_size=1, max_size=80), sent=st.text(max_size=80))
def test_no_guessed_token_passes_and_none_breaks_the_check(binding: str, sent: str) -> None:
    secret = "s" * 32
    # Any text a forger sends, lone surrogates and all, is answered, never raised on.
    assert csrf.is_valid(secret, binding, sent) == (sent == csrf.token_for(secret, binding))
    assert not csrf.is_valid(secret, None, sent)
    assert not csrf.is_valid(secret, binding, None)


@given(value=st.text(max_size=80) | st.from_regex(r"\A/desk[/?].{0,40}\Z"))
def test_after_login_a_browser_stays_on_the_desk(value: str) -> None:
    kept = safe_next(value)

    if kept is not None:
        # Where a browser on the desk goes when it follows it: this host, a page of the desk.
        resolved = urlsplit(urljoin("https://cms.example/desk/login", kept))
        assert resolved.scheme == "https"
        assert resolved.netloc == "cms.example"
        assert resolved.path == "/desk" or resolved.path.startswith("/desk/")
        assert "\\" not in kept
        assert not any(ord(character) < 33 or ord(character) > 126 for character in kept)


@pytest.mark.parametrize(
    "value",
    ["/desk", "/desk/articles", "/desk/articles?status=review&q=quake%20myanmar", "/desk/?x=1"],
)
def test_pages_of_the_desk_are_kept(value: str) -> None:
    assert safe_next(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "https://evil.example/desk",
        "/desk//evil.example",
        "/desk/../graphql",
        "/desk/%2E%2E/graphql",
        "/desk/articles\n",
        "/deskevil",
        "/graphql",
        "/desk/login?next=/desk",
        "/desk/" + "a" * 2000,
    ],
)
def test_anything_else_is_not(value: str | None) -> None:
    assert safe_next(value) is None


def test_the_roles_grant_what_the_issue_says() -> None:
    contributor = GRANTS[Role.CONTRIBUTOR]

    assert contributor == {Permission.PREVIEW_OWN, Permission.WRITE_OWN}
    assert Permission.PREVIEW not in contributor
    assert Permission.EDIT not in contributor
    assert GRANTS[Role.EDITOR] > contributor
    assert GRANTS[Role.ADMIN] == frozenset(Permission)
    assert Role.PREVIEWER not in PERSON_ROLES
    assert Role.CONTRIBUTOR not in TOKEN_ROLES
    assert token_roles_for(Role.CONTRIBUTOR) == ()
    assert token_roles_for(Role.EDITOR) == (Role.PREVIEWER, Role.EDITOR)
    assert token_roles_for(Role.ADMIN) == TOKEN_ROLES


@given(role=st.sampled_from(list(Role)), permission=st.sampled_from(list(Permission)))
def test_one_rule_decides_every_protected_action(role: Role, permission: Permission) -> None:
    actor = Actor("someone", role, "person:1")

    if permission in GRANTS[role]:
        assert authorize(actor, permission) is actor
    else:
        with pytest.raises(NotAllowedError):
            authorize(actor, permission)
    with pytest.raises(NotAuthenticatedError):
        authorize(None, permission)


@given(
    role=st.sampled_from(list(Role)),
    creator=st.sampled_from(["", "person:1", "person:2", "cli:root"]),
)
def test_who_may_read_an_article_that_is_not_public(role: Role, creator: str) -> None:
    me = Actor("Me", role, "person:1")

    allowed = may_read(me, created_by=creator)

    if role in {Role.EDITOR, Role.ADMIN, Role.PREVIEWER}:
        assert allowed
    else:
        assert allowed == (creator == "person:1")


def test_an_actor_is_its_name_unless_given_an_id() -> None:
    assert Actor("cli:root").id == "cli:root"
    assert Actor("Ada Lovelace", Role.EDITOR, "person:abc").id == "person:abc"


# The Media page.


@given(st.integers(1, 100_000), st.integers(1, 100_000))
def test_a_thumbnail_fits_its_box_keeps_its_shape_and_is_never_enlarged(
    width: int, height: int
) -> None:
    shown_width, shown_height = media.thumbnail_size(width, height)

    assert 1 <= shown_width <= min(width, media.THUMBNAIL)
    assert 1 <= shown_height <= min(height, media.THUMBNAIL)
    if max(width, height) >= media.THUMBNAIL:
        assert max(shown_width, shown_height) == media.THUMBNAIL
        # Rounded to whole pixels: the shape holds within one pixel of the shorter side.
        assert abs(shown_width * height - shown_height * width) <= max(width, height)


@given(
    st.datetimes(timezones=st.just(UTC)),
    st.text("0123456789abcdef", min_size=64, max_size=64),
)
def test_a_library_position_survives_the_address(at: datetime, image_id: str) -> None:
    assert media.position(media.cursor(at, image_id)) == (at, image_id)


@pytest.mark.parametrize(
    "cursor", ["nonsense", "2026-01-01T00:00:00_abc", f"2026-01-01T00:00:00_{'a' * 64}", "_"]
)
def test_a_position_the_desk_did_not_make_is_refused(cursor: str) -> None:
    with pytest.raises(DeskRefusal) as refused:
        media.position(cursor)

    assert refused.value.status == 400


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.CONTRIBUTOR, {"view", "add"}),
        (Role.EDITOR, {"view", "add", "describe", "delete"}),
        (Role.ADMIN, {"view", "add", "describe", "delete"}),
        (Role.PREVIEWER, set()),
    ],
)
def test_who_may_do_what_with_the_media_library(role: Role, allowed: set[str]) -> None:
    actor = Actor(name="someone", role=role)
    rules = {
        "view": permissions.VIEW,
        "add": permissions.ADD,
        "describe": permissions.DESCRIBE,
        "delete": permissions.DELETE,
    }

    assert {name for name, permission in rules.items() if actor.can(permission)} == allowed
