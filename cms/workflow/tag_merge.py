"""Merging one tag into another: its articles move to the surviving tag, each through the write
path (a revision and an event per article, as an editor's save), then the merged tag goes and its
slug becomes one of the survivor's `aliases`, so links to it keep finding the survivor.

The order makes an interrupted merge harmless and a repeated one complete: articles move first
(the merged tag still exists meanwhile, so nothing names a missing tag), then one journaled
operation records the alias and deletes the tag, then any article saved with the merged tag in
the meantime (its save validated before the delete) is moved too. Running the merge again moves
whatever is left.
"""

from dataclasses import dataclass

from cms import redirects
from cms.access import Actor
from cms.articles import Article
from cms.clock import utcnow
from cms.config import get_settings
from cms.errors import CallerError, TagNotFoundError, VersionConflictError
from cms.spine import journal
from cms.spine.events import EventType
from cms.spine.journal import Change, ChangeKind, Operation, new_op_id
from cms.tags import Tag
from cms.workflow.articles import update_article
from cms.workflow.tags import TAGS, subject_event, tag_named

# How often an article saved by someone else meanwhile is read again and moved.
ATTEMPTS = 5


class SameTagError(CallerError):
    field = "into"

    def __init__(self) -> None:
        super().__init__("A tag cannot be merged into itself: choose another tag.")


@dataclass(frozen=True, slots=True)
class Merged:
    survivor: Tag
    moved: int  # articles that carried the merged tag


def _moved(tags: list[str], merged: str, survivor: str) -> list[str]:
    """The article's tags with `merged` replaced by `survivor`, in place, each once."""
    return list(dict.fromkeys(survivor if slug == merged else slug for slug in tags))


async def _move_articles(actor: Actor, merged: str, survivor: str) -> int:
    moved = 0
    collection = Article.get_pymongo_collection()
    async for found in collection.find({"tags": merged}, {"_id": 1}):
        for attempt in range(ATTEMPTS):
            article = await Article.get(found["_id"])
            if article is None or merged not in article.tags:
                break
            try:
                await update_article(
                    actor=actor,
                    article_id=str(article.id),
                    changes={"tags": _moved(article.tags, merged, survivor)},
                    base_version=article.version,
                )
            except VersionConflictError:
                if attempt == ATTEMPTS - 1:
                    raise
                continue
            moved += 1
            break
    return moved


async def merge_tags(*, actor: Actor, tag_id: str, into_id: str) -> Merged:
    """Merge the tag `tag_id` into the tag `into_id`, which survives."""
    merged, survivor = await tag_named(tag_id), await tag_named(into_id)
    if merged.id == survivor.id:
        raise SameTagError()
    assert merged.id is not None
    assert survivor.id is not None
    moved = await _move_articles(actor, merged.slug, survivor.slug)
    aliases = list(dict.fromkeys([*survivor.aliases, merged.slug, *merged.aliases]))
    now = utcnow()
    op_id = new_op_id()
    updated = subject_event(op_id, EventType.TAG_UPDATED, actor, survivor.id, survivor.slug, now)
    updated.data = {"changed": ["aliases"], "merged": merged.slug}
    deleted = subject_event(op_id, EventType.TAG_DELETED, actor, merged.id, merged.slug, now)
    deleted = deleted.model_copy(update={"event_id": f"{op_id}:1", "data": {"into": survivor.slug}})
    await journal.run(
        Operation(
            id=op_id,
            at=now,
            actor=actor.name,
            changes=[
                Change(
                    collection=TAGS,
                    target=survivor.id,
                    kind=ChangeKind.UPDATE,
                    set={"aliases": aliases},
                ),
                Change(collection=TAGS, target=merged.id, kind=ChangeKind.DELETE),
                redirects.merged_tag(merged.slug, survivor.id, get_settings(), now),
            ],
            events=[updated, deleted],
        )
    )
    moved += await _move_articles(actor, merged.slug, survivor.slug)
    found = await Tag.get(survivor.id)
    if found is None:
        raise TagNotFoundError(into_id)
    return Merged(found, moved)
