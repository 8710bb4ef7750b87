"""Rendition URLs, signed: `/media/<image>/<key id>.<signature>/<rendition>`.

The signature is an HMAC-SHA256 of the image and the rendition's name, under a key named in the
URL. The first configured key signs and every configured key verifies (`media_keys`), so keys
rotate without breaking the URLs that pages and CDNs hold: add the new key first, and drop the
old one once those caches have forgotten it. A URL with any part changed does not verify.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from cms.config import Settings
from cms.media.sizes import EXTENSIONS, FOCAL_STEPS, Fit, Rendition, aspect_of_token

PREFIX = "/media/"
# The derived key's id when `media_keys` is unset.
DERIVED = "s"
# 128 bits of HMAC: far beyond guessing, and a short URL.
SIGNATURE_BYTES = 16
_NAME = re.compile(
    r"(?P<width>[1-9][0-9]{0,4})-(?P<aspect>original|[1-9][0-9]{0,2}x[1-9][0-9]{0,2})"
    r"-(?P<fit>cover|contain)-(?P<fx>[0-9]{1,4})-(?P<fy>[0-9]{1,4})"
    r"\.(?P<ext>jpg|webp|avif|auto)"
)
_PATH = re.compile(
    r"(?P<image>[0-9a-f]{64})/(?P<key>[A-Za-z0-9_-]{1,16})\.(?P<sig>[A-Za-z0-9_-]{22})/(?P<name>[^/]+)"
)
_FORMATS = {extension: format for format, extension in EXTENSIONS.items()}


@dataclass(frozen=True, slots=True)
class Keys:
    """The signing key's id and every key that verifies, by id."""

    signing: str
    secrets: dict[str, bytes]

    @classmethod
    def of(cls, settings: Settings) -> "Keys":
        if settings.media_keys is None:
            secret = settings.secret_key.get_secret_value().encode()
            derived = hmac.digest(secret, b"newsroom media urls", "sha256")
            return cls(DERIVED, {DERIVED: derived})
        pairs = [
            pair.strip().partition(":")
            for pair in settings.media_keys.get_secret_value().split(",")
        ]
        return cls(pairs[0][0], {key_id: secret.encode() for key_id, _, secret in pairs})


def _signature(secret: bytes, image: str, name: str) -> str:
    digest = hmac.digest(secret, f"{image}/{name}".encode(), hashlib.sha256)[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def path(rendition: Rendition, keys: Keys) -> str:
    """The signed path of a rendition (after the API's public address)."""
    name = rendition.name
    signature = _signature(keys.secrets[keys.signing], rendition.image, name)
    return f"{PREFIX}{rendition.image}/{keys.signing}.{signature}/{name}"


class BadURL(Exception):
    """Not a rendition URL this server signed (or not one any longer: its key was dropped);
    `shaped` when it has a rendition URL's shape (so was tampered with, or its key dropped)."""

    def __init__(self, message: str, *, shaped: bool = True) -> None:
        super().__init__(message)
        self.shaped = shaped


def verified(tail: str, keys: Keys) -> Rendition:
    """The rendition a path (after `/media/`) names, if its signature verifies; BadURL if not."""
    found = _PATH.fullmatch(tail)
    if found is None:
        raise BadURL("not a rendition URL", shaped=False)
    secret = keys.secrets.get(found["key"])
    if secret is None:
        raise BadURL("signed with a key this server no longer holds")
    name = found["name"]
    expected = _signature(secret, found["image"], name)
    if not hmac.compare_digest(expected, found["sig"]):
        raise BadURL("the signature does not match")
    parts = _NAME.fullmatch(name)
    if parts is None:  # signed by us, so only after a change of spelling: refused all the same
        raise BadURL("not a rendition name")
    focal = (int(parts["fx"]), int(parts["fy"]))
    if max(focal) > FOCAL_STEPS:
        raise BadURL("not a rendition name")
    return Rendition(
        image=found["image"],
        width=int(parts["width"]),
        aspect=aspect_of_token(parts["aspect"]),
        fit=Fit(parts["fit"]),
        focal=focal,
        format=_FORMATS[parts["ext"]],
    )
