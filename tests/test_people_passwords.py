"""Passwords: the rule, argon2id hashes, and hashing that never holds the event loop."""

import asyncio

import pytest

from api.settings import Settings
from cms.errors import PasswordRuleError
from cms.people import passwords
from tests.desk_client import PASSWORD, make_person
from tests.loop_lag import loop_lag
from tests.test_desk_http import desk_app

LIMIT = 0.1


@pytest.mark.parametrize("length", [8, 64, 128])
def test_a_password_of_8_to_128_characters_follows_the_rule(length: int) -> None:
    assert passwords.check_rule("é" * length) == "é" * length


@pytest.mark.parametrize("length", [0, 7, 129, 10_000])
async def test_a_shorter_or_longer_one_is_refused_before_any_hashing(
    length: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    class NoHashing:
        def hash(self, password: str) -> str:
            raise AssertionError("hashed")

        def verify(self, stored: str, password: str) -> bool:
            raise AssertionError("hashed")

    monkeypatch.setattr(passwords, "_hasher", NoHashing())

    with pytest.raises(PasswordRuleError):
        await passwords.hash_password("x" * length)
    assert await passwords.verify("$argon2id$anything", "x" * length) is False


@pytest.mark.slow
async def test_hashes_are_argon2id_salted_and_checked() -> None:
    first = await passwords.hash_password(PASSWORD)
    second = await passwords.hash_password(PASSWORD)

    assert first.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert first != second  # each with its own salt
    assert await passwords.verify(first, PASSWORD)
    assert not await passwords.verify(first, PASSWORD + "!")
    assert not await passwords.verify("not a hash", PASSWORD)
    assert not passwords.needs_rehash(first)
    assert not await passwords.verify(await passwords.dummy_hash(), PASSWORD)


async def test_hashing_on_the_loop_would_be_seen() -> None:
    """The measure below can fail: one hash run on the loop holds it for its whole length."""
    async with loop_lag() as lag:
        passwords._hasher.hash(PASSWORD)

    assert lag.worst >= 0.03, f"{lag.worst_ms:.0f} ms"


@pytest.mark.slow
async def test_logins_and_hashing_leave_the_loop_free(settings: Settings) -> None:
    async with desk_app(settings) as desk:
        for number in range(4):
            await make_person(f"person{number}@example.com")
        browsers = [desk(peer=(f"192.0.2.{number}", 1)) for number in range(4)]

        async with loop_lag() as lag:
            logins, _ = await asyncio.gather(
                asyncio.gather(
                    *(
                        browser.log_in(f"person{n}@example.com")
                        for n, browser in enumerate(browsers)
                    ),
                    browsers[0].log_in("nobody@example.com"),  # the dummy hash, same work
                ),
                asyncio.gather(
                    *(passwords.hash_password(f"password number {n}") for n in range(4))
                ),
            )

    assert [page.status for page in logins] == [303, 303, 303, 303, 400]
    print(
        f"loop lag while 5 logins and 4 hashes ran: worst {lag.worst_ms:.1f} ms of CPU, "
        f"{lag.worst_wall * 1000:.1f} ms wall, {lag.ticks} ticks"
    )
    assert lag.worst < LIMIT, f"hashing held the loop {lag.worst_ms:.0f} ms"
