"""Logging in, and who a session cookie stands for.

A login is throttled before any password is checked: per client address and per email address
(whether anyone has it or not), with the store-backed limits every API process shares
(`cms.engagement.rate_limits`). An unknown address, a disabled account and one without a password
yet are checked against a dummy hash, so each answer takes the same work and says the same words
as a wrong password. Using a one-time link counts against the address's limit too: each use
hashes a password.
"""

from dataclasses import dataclass
from datetime import timedelta

from cms.config import Settings
from cms.engagement.rate_limits import Limit, take
from cms.errors import LoginRefusedError
from cms.people import passwords, sessions
from cms.people.accounts import Person, email_key, find_by_email
from cms.people.sessions import DeskSession, Lifetime


@dataclass(frozen=True, slots=True)
class Throttle:
    per_address: Limit
    per_account: Limit
    secret: str

    @classmethod
    def of(cls, settings: Settings) -> "Throttle":
        window = settings.rate_limit_window
        return cls(
            per_address=Limit("desk-login-address", settings.login_limit_per_address, window),
            per_account=Limit("desk-login-account", settings.login_limit_per_account, window),
            secret=settings.secret_key.get_secret_value(),
        )

    async def address(self, client: str) -> None:
        """Count one attempt from `client`; RateLimitedError past the limit."""
        await take([(self.per_address, client)], secret=self.secret)

    async def login(self, client: str, email: str) -> None:
        """Count one login from `client` for `email`; RateLimitedError past either limit."""
        account = email_key(email) or email.strip().casefold()
        await take([(self.per_address, client), (self.per_account, account)], secret=self.secret)


def lifetime(settings: Settings) -> Lifetime:
    return Lifetime(
        idle=timedelta(seconds=settings.session_idle_timeout),
        max_age=timedelta(seconds=settings.session_max_age),
    )


async def log_in(
    email: str, password: str, *, client: str, throttle: Throttle, lifetime: Lifetime
) -> tuple[Person, DeskSession, str]:
    """The person, their new session and its token; LoginRefusedError for a wrong email or
    password (the same for both), RateLimitedError when throttled (nothing is checked then)."""
    await throttle.login(client, email)
    person = await find_by_email(email)
    usable = person is not None and not person.disabled and person.password_hash is not None
    stored = person.password_hash if usable and person and person.password_hash else None
    matched = await passwords.verify(stored or await passwords.dummy_hash(), password)
    if not (matched and stored and person):
        raise LoginRefusedError()
    if passwords.needs_rehash(stored):
        # The same password, hashed as today's parameters say: not a change of password, so
        # no session ends and nothing is announced.
        renewed = await passwords.hash_password(password)
        await Person.get_pymongo_collection().update_one(
            {"_id": person.id, "password_hash": stored}, {"$set": {"password_hash": renewed}}
        )
    assert person.id is not None
    session, token = await sessions.open_session(person.id, lifetime=lifetime)
    return person, session, token


async def who(token: str, *, lifetime: Lifetime) -> tuple[DeskSession, Person] | None:
    """The live session a cookie names and its person, if they may still be in: not disabled,
    and the session begun after their password was last set."""
    session = await sessions.resume(token, lifetime=lifetime)
    if session is None:
        return None
    person = await Person.get(session.person)
    if person is None or person.disabled or person.password_hash is None:
        await sessions.end(session.id)
        return None
    if person.password_set_at is not None and session.created_at < person.password_set_at:
        await sessions.end(session.id)
        return None
    return session, person
