"""Where a request comes from, believing `X-Forwarded-*` headers only from trusted proxies.

Anyone can send `X-Forwarded-For`, so it is read only when the TCP peer is one of the configured
proxies (`NEWSROOM_TRUSTED_PROXIES`), and then from the right: each trusted proxy appends the
address it saw, so the right-most address that is not a trusted proxy is the client. Whatever the
client wrote further left is ignored.
"""

from collections.abc import Sequence
from ipaddress import IPv4Network, IPv6Network

from starlette.requests import HTTPConnection

from cms.engagement.rate_limits import client_of, parse_address

Networks = Sequence[IPv4Network | IPv6Network]


def _trusted(address: str, proxies: Networks) -> bool:
    parsed = parse_address(address)
    return parsed is not None and any(parsed in network for network in proxies)


def _peer(request: HTTPConnection) -> str:
    return request.client.host if request.client else ""


def client_address(request: HTTPConnection, proxies: Networks) -> str:
    """The client's address: the peer's, or what trusted proxies in front of it say."""
    peer = _peer(request)
    if not _trusted(peer, proxies):
        return peer
    hops = [
        hop.strip()
        for header in request.headers.getlist("x-forwarded-for")
        for hop in header.split(",")
        if hop.strip()
    ]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop
    # Only proxies all the way: the left-most is as close to the client as anyone saw.
    return hops[0] if hops else peer


def client_key(request: HTTPConnection, proxies: Networks) -> str:
    """The client as every per-client limit counts it (`cms.engagement.rate_limits.client_of`)."""
    return client_of(client_address(request, proxies))


def is_https(request: HTTPConnection, proxies: Networks) -> bool:
    """Whether the client reached us over HTTPS (as a trusted proxy says, if one is in front)."""
    if request.url.scheme in {"https", "wss"}:
        return True
    forwarded = request.headers.get("x-forwarded-proto", "")
    # The first value is the scheme the client-facing proxy saw.
    first = forwarded.split(",")[0].strip().lower()
    return first == "https" and _trusted(_peer(request), proxies)
