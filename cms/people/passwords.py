"""Passwords: the rule they follow, and argon2id hashes made and checked off the event loop.

argon2-cffi's hasher with its defaults (RFC 9106's second recommendation: argon2id, 3 passes,
64 MiB, 4 lanes) takes about 0.1 s of CPU and 64 MiB per hash. Both run in a thread (the C code
releases the interpreter lock), so other requests go on meanwhile (`tests/test_people_passwords.py`
measures the loop); at most `CONCURRENT` at once per process, so a burst of logins costs a
bounded amount of memory and waits its turn rather than swapping. Logins are also throttled
(`cms.people.login`).
"""

import asyncio
import secrets
import weakref

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from cms.errors import PasswordRuleError

MIN_LENGTH = 8
MAX_LENGTH = 128
# Hashes at once per process: each takes 64 MiB and a core for a tenth of a second.
CONCURRENT = 2

_hasher = PasswordHasher()
# One per event loop: a semaphore belongs to the loop it is first used on.
_semaphores: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)


def _slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    if loop not in _semaphores:
        _semaphores[loop] = asyncio.Semaphore(CONCURRENT)
    return _semaphores[loop]


def check_rule(password: str) -> str:
    """`password` if it follows the rule; PasswordRuleError saying why not. Checked before any
    hashing, so an overlong one costs nothing."""
    if len(password) < MIN_LENGTH:
        raise PasswordRuleError(f"A password has at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise PasswordRuleError(f"A password has at most {MAX_LENGTH} characters.")
    return password


async def hash_password(password: str) -> str:
    """The argon2id hash of a password that follows the rule."""
    check_rule(password)
    async with _slots():
        return await asyncio.to_thread(_hasher.hash, password)


async def verify(stored: str, password: str) -> bool:
    """Whether `password` is the one `stored` was made from. A password the rule refuses is
    wrong, without hashing."""
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        return False
    async with _slots():
        return await asyncio.to_thread(_verify, stored, password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with other parameters than today's (it is made again at the next
    login)."""
    return _hasher.check_needs_rehash(stored)


_dummy: list[str] = []


async def dummy_hash() -> str:
    """A hash nobody's password matches, made like theirs: checking an unknown email's password
    against it takes the same work as checking a real one."""
    if not _dummy:
        _dummy.append(await hash_password(secrets.token_urlsafe(24)))
    return _dummy[0]
