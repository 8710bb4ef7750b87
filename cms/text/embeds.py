"""Embeds: a provider's link (providers.yaml) or a frame from an allowed host, known offline.

Nothing is fetched: a provider's id and its frame's address come from the link itself, so an
embed costs a regular expression, on save and on render alike.
"""

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml

from cms.text.urls import Address, UnsafeAddress, frame_hosts, host_allowed, parse_address

PROVIDERS_FILE = Path(__file__).with_name("providers.yaml")
# What an `::iframe` directive's frame is called: its provider is the page it shows.
FRAME = "iframe"
DEFAULT_RATIO = 16 / 9


class EmbedKind(StrEnum):
    VIDEO = "video"
    AUDIO = "audio"
    POST = "post"
    CHART = "chart"
    MAP = "map"
    FRAME = "frame"


@dataclass(frozen=True, slots=True)
class Provider:
    key: str
    name: str
    kind: EmbedKind
    hosts: frozenset[str]
    paths: tuple[re.Pattern[str], ...]
    frame: str = ""
    ratio: float | None = None
    height: int | None = None
    quote: str = ""


@dataclass(frozen=True, slots=True)
class Embed:
    """What a link embeds: whose, which item, and how it is shown."""

    provider: str
    provider_name: str
    kind: EmbedKind
    url: str
    id: str | None
    frame: str | None
    ratio: float | None
    height: int | None
    quote: str


def _ratio(value: Any) -> float | None:
    if value is None:
        return None
    width, height = str(value).split(":")
    return int(width) / int(height)


def _provider(entry: dict[str, Any]) -> Provider:
    return Provider(
        key=entry["key"],
        name=entry["name"],
        kind=EmbedKind(entry["kind"]),
        hosts=frozenset(entry["hosts"]),
        paths=tuple(re.compile(path) for path in entry["paths"]),
        frame=entry.get("frame", ""),
        ratio=_ratio(entry.get("ratio")),
        height=entry.get("height"),
        quote=entry.get("quote", ""),
    )


@cache
def providers() -> tuple[Provider, ...]:
    """The providers of providers.yaml, read once per process."""
    data = yaml.safe_load(PROVIDERS_FILE.read_text(encoding="utf-8"))
    return tuple(_provider(entry) for entry in data["providers"])


@cache
def _by_host() -> dict[str, tuple[Provider, ...]]:
    found: dict[str, list[Provider]] = {}
    for provider in providers():
        for host in provider.hosts:
            found.setdefault(host, []).append(provider)
    return {host: tuple(listed) for host, listed in found.items()}


def _matched(provider: Provider, address: Address) -> Embed | None:
    target = address.path + (f"?{address.query}" if address.query else "")
    for pattern in provider.paths:
        found = pattern.fullmatch(target) or pattern.fullmatch(address.path)
        if found is None:
            continue
        fields = {name: value for name, value in found.groupdict().items() if value is not None}
        frame = (
            provider.frame.format(url=quote(address.url, safe=""), **fields)
            if provider.frame
            else None
        )
        return Embed(
            provider=provider.key,
            provider_name=provider.name,
            kind=provider.kind,
            url=address.url,
            id=fields.get("id"),
            frame=frame,
            ratio=provider.ratio,
            height=provider.height,
            quote=provider.quote,
        )
    return None


def provider_embed(text: str) -> Embed | None:
    """The embed a known provider's link makes; None for any other text or address."""
    if not text.startswith(("https://", "http://")) or any(c.isspace() for c in text):
        return None
    try:
        address = parse_address(text)
    except UnsafeAddress:
        return None
    for provider in _by_host().get(address.host, ()):
        found = _matched(provider, address)
        if found is not None:
            return found
    return None


def frame_embed(text: str, ratio: float | None = None) -> Embed:
    """An `::iframe` of `text`; UnsafeAddress if it is not a safe address on the allow-list."""
    address = parse_address(text)
    allowed = frame_hosts()
    if not host_allowed(address.host, allowed):
        listed = ", ".join(sorted(allowed)) or "it is empty"
        raise UnsafeAddress(
            f"the host {address.host} is not on the allow-list of frames "
            f"(NEWSROOM_EMBED_HOSTS: {listed})"
        )
    return Embed(
        provider=FRAME,
        provider_name=address.host,
        kind=EmbedKind.FRAME,
        url=address.url,
        id=None,
        frame=address.url,
        ratio=ratio or DEFAULT_RATIO,
        height=None,
        quote="",
    )
