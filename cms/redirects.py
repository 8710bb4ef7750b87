"""Old addresses that still answer: where an article was before it moved, or lived on the site
Newsroom replaced (a WordPress permalink, `/?p=12`), and a merged tag's page.

A redirect is keyed by the old address's path and query and names its target (an article by id,
or by the WordPress post it came from); the target's address is worked out when asked, so a
redirect follows an article through later moves and never chains. A frontend's middleware asks
`redirect(path:)` for a path it does not serve and answers with the location and status.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from beanie import Document, PydanticObjectId
from pydantic import Field

from cms.articles import Article
from cms.config import Settings
from cms.spine.journal import Change, ChangeKind

COLLECTION = "redirects"
# Longest address kept or looked up: longer ones are nobody's permalink.
MAX_KEY = 2000


class Redirect(Document):
    """`_id` is the old address's key (`redirect_key`)."""

    id: str = Field(alias="_id")  # type: ignore[assignment]
    article_id: PydanticObjectId | None = None
    wordpress_id: int | None = None
    # A merged tag's page leads to the page of the tag it was merged into.
    tag_id: PydanticObjectId | None = None
    origin: str
    at: datetime

    class Settings:
        # Looked up by `_id` (the key) only.
        name = COLLECTION


def redirect_key(address: str) -> str:
    """An address as redirects are keyed: the path (percent-decoded, with a trailing slash unless
    it names a file) and the query, without scheme, host or fragment; "" for what can't be one."""
    parts = urlsplit(address.strip())
    if parts.scheme not in {"", "http", "https"} or not (parts.path or parts.query):
        return ""
    path = unquote(parts.path) or "/"
    if not path.startswith("/"):
        return ""
    if not path.endswith("/") and "." not in path.rsplit("/", 1)[-1]:
        path += "/"
    key = f"{path}?{parts.query}" if parts.query else path
    return key if len(key) <= MAX_KEY else ""


def article_path(fields: Mapping[str, Any], settings: Settings) -> str:
    """Where an article with these fields lives on the site, after `site_url`."""
    published: datetime = fields["published_at"]
    return settings.article_path.format(
        section=fields["section"],
        slug=fields["slug"],
        id=fields.get("_id") or fields.get("id"),
        year=f"{published.year:04d}",
        month=f"{published.month:02d}",
        day=f"{published.day:02d}",
    )


def moved(
    article_id: PydanticObjectId,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    settings: Settings,
    now: datetime,
) -> list[Change]:
    """A redirect from where a published article was, when a save moves it (its slug, section or
    date in the address changed); nothing for an article that was never public."""
    if before.get("first_published_at") is None:
        return []
    old = redirect_key(article_path({**before, "_id": article_id}, settings))
    new = redirect_key(article_path({**after, "_id": article_id}, settings))
    if not old or old == new:
        return []
    document = {"_id": old, "article_id": article_id, "origin": "moved", "at": now}
    return [Change(collection=COLLECTION, target=old, kind=ChangeKind.PUT, document=document)]


def merged_tag(slug: str, survivor: PydanticObjectId, settings: Settings, now: datetime) -> Change:
    """A redirect from a merged tag's page to the page of the tag that survives it."""
    key = redirect_key(settings.tag_path.format(slug=slug))
    document = {"_id": key, "tag_id": survivor, "origin": "tag merged", "at": now}
    return Change(collection=COLLECTION, target=key, kind=ChangeKind.PUT, document=document)


def from_wordpress(key: str, wordpress_id: int, now: datetime, *, replacing: bool) -> Change:
    """A redirect from a WordPress address to the article its post became; `replacing` one that
    leads elsewhere. A new one is an insert, which a load writes in bulk (an upsert is one
    write of its own)."""
    document = {"_id": key, "wordpress_id": wordpress_id, "origin": "wordpress", "at": now}
    kind = ChangeKind.PUT if replacing else ChangeKind.RECORD
    return Change(collection=COLLECTION, target=key, kind=kind, document=document)


async def find(path: str) -> Redirect | None:
    key = redirect_key(path)
    if not key:
        return None
    found = await Redirect.get_pymongo_collection().find_one({"_id": key})
    return Redirect.model_validate(found) if found else None


async def target_of(redirect: Redirect) -> PydanticObjectId | None:
    """The id of the article a redirect leads to, if it still exists (None for a tag's)."""
    if redirect.tag_id is not None:
        return None
    if redirect.article_id is not None:
        return redirect.article_id
    found = await Article.get_pymongo_collection().find_one(
        {"wordpress_id": redirect.wordpress_id}, {"_id": 1}
    )
    return found["_id"] if found else None
