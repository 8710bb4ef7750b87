"""Where webhooks may go: http(s) URLs whose every address is on the public internet.

An admin's URL is fetched by the API's own machine, so without a guard a webhook could probe
the store, other services on the private network, or a cloud's metadata service
(169.254.169.254, fd00:ec2::254) and leak what they answer into delivery records. The URL is
checked when the endpoint is added and again before every attempt, because DNS can change in
between: the sender resolves the name, checks every address, and connects to a checked address
itself (never letting the HTTP client resolve the name again). Redirects are never followed.

`NEWSROOM_WEBHOOKS_ALLOW_PRIVATE=true` lifts the address check (for one machine, and tests).
"""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# NAT64's well-known prefix carries an IPv4 address that a gateway connects to.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# IPv6 ranges that Python's `is_global` (3.13) still calls global but that are not the public
# internet: IPv4-compatible addresses (`::127.0.0.1`, deprecated by RFC 4291, which some stacks
# still route to the IPv4 address), site-local (`fec0::/10`, deprecated by RFC 3879 yet private
# in effect), the documentation prefix of RFC 9637 and SRv6 segment ids (RFC 9602).
_NOT_PUBLIC_V6 = tuple(
    ipaddress.IPv6Network(network) for network in ("::/96", "fec0::/10", "3fff::/20", "5f00::/16")
)


class AddressRefused(Exception):
    """The URL is not one webhooks may be sent to (its message says why)."""


class Unresolved(Exception):
    """The host name could not be looked up (now: it may be later)."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(f"the host name {host} could not be looked up ({reason})")


def check_form(url: str) -> tuple[str, int]:
    """The host and port of an http(s) URL; AddressRefused for anything else."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise AddressRefused(f"is not a valid URL ({error})") from None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AddressRefused("must be an http:// or https:// URL with a host")
    if any(character.isspace() for character in url):
        raise AddressRefused("must not contain spaces")
    try:
        # What the resolver will be asked: a label over 63 characters, say, cannot be.
        parts.hostname.encode("idna")
    except UnicodeError as error:
        raise AddressRefused(f"has a host name that cannot be looked up ({error})") from None
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def is_public(address: IPAddress) -> bool:
    """Whether `address` is on the public internet (not loopback, private, link-local, ...)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        elif any(address in network for network in _NOT_PUBLIC_V6):
            return False
    return address.is_global and not (address.is_multicast or address.is_reserved)


async def resolve(host: str, port: int, *, timeout: float) -> list[IPAddress]:
    """Every address `host` has now, in the resolver's order; Unresolved if none."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, TimeoutError) as error:
        raise Unresolved(host, str(error) or "no answer in time") from None
    addresses: list[IPAddress] = []
    for *_, sockaddr in found:
        # An IPv6 link-local address may come with a scope (`fe80::1%eth0`).
        address = ipaddress.ip_address(str(sockaddr[0]).partition("%")[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise Unresolved(host, "it has no address")
    return addresses


async def addresses_for(url: str, *, allow_private: bool, timeout: float) -> list[IPAddress]:
    """The addresses to connect to for `url`, every one of them allowed.

    AddressRefused for a URL that is not http(s) or that resolves to any address that is not
    public (unless `allow_private`); Unresolved when the name does not resolve.
    """
    host, port = check_form(url)
    addresses = await resolve(host, port, timeout=timeout)
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise AddressRefused(
                    f"resolves to {address}, which is not a public internet address "
                    "(loopback, private, link-local and metadata addresses are refused unless "
                    "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE=true)"
                )
    return addresses
