"""Rate limits that hold across every API process: one counter document per key and window.

Windows are fixed (aligned on multiples of their length), each counted by one `$inc` upsert on
`_id = "<scope>:<key hash>:<window number>"`, so two workers share one count instead of each
allowing the limit. Across a window boundary a client can get up to twice the limit in a short
while; in exchange a request costs one write per limit and no read.

Keys are stored as keyed hashes (HMAC-SHA256 with the secret key): the store never holds a raw
client address. Windows that have ended are pruned by the background upkeep.

A client is counted by `client_of` its address: an IPv6 address by its /64 network, because one
home, phone or server is given a whole /64 and picks any address in it at will (counted one by
one, a /64 would be 2**64 clients and never reach a limit).
"""

import asyncio
import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from ipaddress import IPv4Address, IPv6Address, IPv6Network, ip_address
from typing import ClassVar

from beanie import Document
from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from cms.clock import utcnow
from cms.errors import RateLimitedError


class RateWindow(Document):
    """Requests counted against one key in one window."""

    id: str  # type: ignore[assignment]  # "<scope>:<key hash>:<window number>"
    hits: int
    # When the window ends, and the document may go.
    ends: datetime

    class Settings:
        name = "rate_limits"
        indexes: ClassVar[list[IndexModel]] = [IndexModel([("ends", ASCENDING)])]


# What one IPv6 client holds: a subnet's worth (RFC 4291's interface identifiers, RFC 6177).
IPV6_CLIENT_PREFIX = 64


def parse_address(address: str) -> IPv4Address | IPv6Address | None:
    """An address as proxies write it (`[2001:db8::1]` too); an IPv4-mapped IPv6 address
    (`::ffff:192.0.2.1`, what a dual-stack socket reports) as the IPv4 address it is."""
    try:
        parsed = ip_address(address.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None
    if isinstance(parsed, IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


def client_of(address: str) -> str:
    """Who a per-client limit counts for `address`: an IPv4 address itself, an IPv6 address its
    /64 network. Anything that is not an address counts as written."""
    parsed = parse_address(address)
    if parsed is None:
        return address
    if isinstance(parsed, IPv6Address):
        return str(IPv6Network((parsed, IPV6_CLIENT_PREFIX), strict=False))
    return str(parsed)


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `allowed` requests per `window` seconds for each key of `scope` (0: no limit)."""

    scope: str
    allowed: int
    window: int


def key_hash(secret: str, scope: str, key: str) -> str:
    digest = hmac.new(secret.encode(), f"{scope}\0{key}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


async def take(
    checks: Sequence[tuple[Limit, str]], *, secret: str, now: datetime | None = None
) -> None:
    """Count one request against each `(limit, key)`; RateLimitedError if any is exceeded.

    A refused request counts too: a client that keeps trying stays refused until the window
    ends, and no longer.
    """
    moment = now or utcnow()
    waits = await asyncio.gather(
        *(_count(limit, key, secret, moment) for limit, key in checks if limit.allowed)
    )
    refused = [wait for wait in waits if wait is not None]
    if refused:
        raise RateLimitedError(retry_after=max(refused))


async def _count(limit: Limit, key: str, secret: str, now: datetime) -> int | None:
    """Count one request; None if allowed, else the seconds until its window ends."""
    number = int(now.timestamp()) // limit.window
    ends = (number + 1) * limit.window
    window_id = f"{limit.scope}:{key_hash(secret, limit.scope, key)}:{number}"
    collection = RateWindow.get_pymongo_collection()
    update = {"$inc": {"hits": 1}, "$setOnInsert": {"ends": datetime.fromtimestamp(ends, UTC)}}
    try:
        counted = await collection.find_one_and_update(
            {"_id": window_id}, update, upsert=True, return_document=ReturnDocument.AFTER
        )
    except DuplicateKeyError:
        # Two first requests raced to create the window; it exists now.
        counted = await collection.find_one_and_update(
            {"_id": window_id}, update, return_document=ReturnDocument.AFTER
        )
    assert counted is not None
    if counted["hits"] <= limit.allowed:
        return None
    return max(1, math.ceil(ends - now.timestamp()))


async def prune(*, now: datetime | None = None) -> int:
    """Delete the windows that have ended; how many."""
    ended = {"ends": {"$lte": now or utcnow()}}
    return (await RateWindow.get_pymongo_collection().delete_many(ended)).deleted_count
