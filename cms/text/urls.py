"""Strict reading of the addresses a body embeds: what a frame or a provider may be given.

A browser and a lenient parser can disagree about which host an address names
(`https://allowed.example@evil.example/` is evil.example's; `https://allowed.example.evil.example/`
too), so an embedded address is accepted only in one plain shape: `https://` (or `http://`), a
host of ASCII letters, digits, hyphens and dots with no userinfo and no port, and a path, query
and fragment of printable ASCII. The host is compared whole, label by label, against the
allow-list, and punycode labels (`xn--`, an internationalised look-alike) are refused outright.
"""

import os
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from cms.config import get_settings

# One host label: letters, digits and inner hyphens (RFC 1123), at most 63 characters.
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_ADDRESS = re.compile(
    rf"^(?P<scheme>https?)://(?P<host>(?i:{_LABEL}(?:\.{_LABEL})+))(?P<rest>[/?#][\x21-\x7e]*)?$"
)
MAX_ADDRESS = 2000
# Where the allow-list of frame hosts is set (`Settings.embed_hosts` declares and documents it).
HOSTS_VARIABLE = "NEWSROOM_EMBED_HOSTS"


class UnsafeAddress(ValueError):
    """An address a body may not embed, and why (said to the editor)."""


@dataclass(frozen=True, slots=True)
class Address:
    """An address in its one accepted shape: the scheme, the host (lower case) and the rest."""

    url: str
    host: str
    path: str
    query: str


def parse_address(text: str) -> Address:
    """`text` as an Address; UnsafeAddress saying why it is refused."""
    if len(text) > MAX_ADDRESS:
        raise UnsafeAddress(f"the address is longer than {MAX_ADDRESS} characters")
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme not in {"http", "https"}:
        shown = f"`{scheme}:`" if scheme and scheme.isascii() and scheme.isalnum() else "no"
        raise UnsafeAddress(f"only http and https addresses can be embedded ({shown} scheme)")
    found = _ADDRESS.match(scheme + text[len(scheme) :])
    authority = text.split("//", 1)[-1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if "@" in authority:
        raise UnsafeAddress("the address names a user (`user@host`): it is not allowed")
    if ":" in authority:
        raise UnsafeAddress("the address names a port: it is not allowed")
    if found is None:
        raise UnsafeAddress(
            "the address is not a plain web address (a host of letters, digits, hyphens and "
            "dots, then printable ASCII)"
        )
    host = found["host"].lower()
    if any(label.startswith("xn--") for label in host.split(".")):
        raise UnsafeAddress(f"the host {host} is internationalised (punycode): it is not allowed")
    rest = found["rest"] or "/"
    path, _, query = rest.split("#", 1)[0].partition("?")
    return Address(url=scheme + text[len(scheme) :], host=host, path=path or "/", query=query)


def host_allowed(host: str, allowed: frozenset[str]) -> bool:
    """Whether `host` is on the allow-list: itself, or a subdomain of an entry `.example.org`."""
    if host in allowed:
        return True
    labels = host.split(".")
    return any("." + ".".join(labels[index:]) in allowed for index in range(1, len(labels)))


@lru_cache(maxsize=8)
def _parsed_hosts(value: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in value.split(",") if part.strip())


@cache
def _from_settings() -> frozenset[str]:
    return frozenset(get_settings().embed_hosts)


def frame_hosts() -> frozenset[str]:
    """The hosts an `::iframe` may show (`Settings.embed_hosts`).

    The environment is read at each call, Settings (which also reads a `.env` file) once per
    process when the environment does not say: bodies are checked and rendered in the offload
    worker too, where building Settings for each body would cost more than parsing it."""
    value = os.environ.get(HOSTS_VARIABLE)
    return _from_settings() if value is None else _parsed_hosts(value)
