"""Shareable preview links: a signed, expiring token that reads one article in any status.

The desk makes one for an article and fills the site's draft-mode address with it
(`NEWSROOM_PREVIEW_URL`); the site's frontend sends it to the API as `Authorization: Bearer
<token>` and reads that article with `preview: true`, and nothing else beyond what the public
reads (the API's `api.articles.preview_links`).

A token is `nrp_<link id>.<expiry>.<signature>`: HMAC-SHA256 under the secret key of the link's
id and expiry, so a tampered or made-up token is refused without asking the store, and an
expired one by its own words. The link's document names the article; revoking the link deletes
the document, so a revoked token is refused at its next use. The desk can show a link again
(the token is the document signed anew): nothing secret is stored.
"""

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from beanie import Document, PydanticObjectId
from pymongo import ASCENDING, IndexModel

from cms.access import Actor
from cms.clock import as_utc, utcnow

PREFIX = "nrp_"
TOKEN_PATTERN = re.compile(rf"^{PREFIX}([A-Za-z0-9_-]{{22}})\.(\d{{1,12}})\.([A-Za-z0-9_-]{{43}})$")


class PreviewLink(Document):
    id: str  # type: ignore[assignment]  # random, 16 bytes
    article_id: PydanticObjectId
    created_at: datetime
    created_by: str
    expires_at: datetime

    class Settings:
        name = "preview_links"
        # An article's links, listed on its page; expired ones, pruned.
        indexes: ClassVar[list[IndexModel]] = [
            IndexModel([("article_id", ASCENDING)]),
            IndexModel([("expires_at", ASCENDING)]),
        ]


def _signature(secret: str, link_id: str, expires: int) -> str:
    digest = hmac.new(
        secret.encode(), f"preview-link:{link_id}:{expires}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_of(link: PreviewLink, secret: str) -> str:
    expires = int(link.expires_at.timestamp())
    return f"{PREFIX}{link.id}.{expires}.{_signature(secret, link.id, expires)}"


def is_preview_token(token: str) -> bool:
    """Whether `token` is meant as a preview link (valid or not), rather than an API token."""
    return token.startswith(PREFIX)


async def create_link(
    *, actor: Actor, article_id: PydanticObjectId, lifetime: timedelta
) -> PreviewLink:
    now = utcnow()
    link = PreviewLink(
        id=secrets.token_urlsafe(16),
        article_id=article_id,
        created_at=now,
        created_by=actor.name,
        # Whole seconds: the token carries the expiry as a number of seconds.
        expires_at=(now + lifetime).replace(microsecond=0),
    )
    await link.insert()
    return link


async def links_of(article_id: PydanticObjectId, now: datetime) -> list[PreviewLink]:
    """The article's links that still work, the newest first."""
    found = await PreviewLink.find(PreviewLink.article_id == article_id).to_list()
    live = [link for link in found if as_utc(link.expires_at) > now]
    return sorted(live, key=lambda link: link.created_at, reverse=True)


async def revoke_link(*, article_id: PydanticObjectId, link_id: str) -> bool:
    """Revoke one of the article's links; whether there was one to revoke."""
    deleted = await PreviewLink.get_pymongo_collection().delete_one(
        {"_id": link_id, "article_id": article_id}
    )
    return deleted.deleted_count == 1


async def prune(*, now: datetime | None = None) -> int:
    """Forget the links that expired (the upkeep's hourly pruning): they read nothing already."""
    result = await PreviewLink.get_pymongo_collection().delete_many(
        {"expires_at": {"$lte": now or utcnow()}}
    )
    return result.deleted_count


@dataclass(frozen=True, slots=True)
class Grant:
    """What a valid preview token lets its holder read: this one article."""

    article_id: PydanticObjectId
    expires_at: datetime


async def verify(token: str, *, secret: str, now: datetime | None = None) -> Grant | None:
    """The article a preview token reads; None if it is malformed, tampered, expired or
    revoked (the store is asked only for a well-signed token within its time)."""
    found = TOKEN_PATTERN.match(token)
    if found is None:
        return None
    link_id, expires_text, signature = found.groups()
    expires = int(expires_text)
    if not hmac.compare_digest(signature, _signature(secret, link_id, expires)):
        return None
    now = now or utcnow()
    if expires <= now.timestamp():
        return None
    link = await PreviewLink.get(link_id)
    if link is None or int(link.expires_at.timestamp()) != expires:
        return None
    return Grant(link.article_id, as_utc(link.expires_at))
