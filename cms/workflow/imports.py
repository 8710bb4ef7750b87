"""Loading many articles and tags at once (fixture files): the write path's batch entry point.

Each article becomes the same journaled operation a single save would (revision, events,
schedule), run in bulk. An article changed elsewhere (the API, the CLI) since the last load is a
conflict: the load writes nothing unless forced, so files never silently overwrite an editor.
"""

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId

from cms.access import Actor
from cms.articles import Article
from cms.authors import Author
from cms.clock import utcnow
from cms.content import ARTICLE_FIELDS, ArticleContent, AuthorContent, TagContent
from cms.spine import journal, loads
from cms.spine.journal import Operation
from cms.status import ArticleStatus
from cms.store.batches import chunks, find_in
from cms.tags import Tag
from cms.workflow.authors import plan_author_create, plan_author_update
from cms.workflow.plans import plan_create, plan_save
from cms.workflow.tags import plan_tag_create, plan_tag_update

OUTCOMES = ("created", "updated", "unchanged")


@dataclass(frozen=True, slots=True)
class ImportedArticle:
    """An article as a file states it: content, workflow status, and its update time."""

    content: ArticleContent
    status: ArticleStatus
    updated_at: datetime

    def values(self) -> dict[str, Any]:
        return {**self.content.values(), "status": self.status, "updated_at": self.updated_at}

    def digest(self) -> str:
        """What the file says, as a short digest: a load that wrote it stores it with the article
        (`loaded_digest`), so that the next load knows an unchanged file without reading the
        article back."""
        text = json.dumps(_comparable(self.values()), sort_keys=True, default=str)
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass(slots=True)
class LoadReport:
    """What a load created, updated or left as it was, and what it refused to overwrite."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    # Slugs of articles changed elsewhere since the last load, and how: "version 4, loaded 2".
    conflicts: dict[str, str] = field(default_factory=dict)
    # Each article's outcome by slug, for reports that list them (imports).
    articles: dict[str, str] = field(default_factory=dict)
    # Each article's id by slug, of every article the load was given whatever its outcome
    # (meaningful once it wrote: not in a dry run, nor with conflicts): what a caller writes
    # next about them needs no search by slug.
    ids: dict[str, PydanticObjectId] = field(default_factory=dict)

    def count(self, kind: str, outcome: str, amount: int = 1) -> None:
        outcomes = self.counts.setdefault(kind, dict.fromkeys(OUTCOMES, 0))
        outcomes[outcome] += amount

    @property
    def changed(self) -> bool:
        return any(o["created"] or o["updated"] for o in self.counts.values())


def _comparable(values: dict[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in (*ARTICLE_FIELDS, "status", "updated_at")}


# What a load reads first of every article it may touch.
LOAD_MARKS = {"slug": 1, "version": 1, "loaded_version": 1, "loaded_digest": 1}


async def import_content(
    *,
    actor: Actor,
    tags: Sequence[TagContent],
    articles: Sequence[ImportedArticle],
    force: bool = False,
    dry_run: bool = False,
    advance: Callable[[int], None] = lambda _: None,
    prelude: Sequence[Operation] = (),
    authors: Sequence[AuthorContent] = (),
    implied_authors: Sequence[AuthorContent] = (),
) -> LoadReport:
    """Upsert tags, authors, then articles, by slug. With conflicts (and no `force`), write
    nothing. `implied_authors` (named by old-style `author:` lines) are only created, never
    changed.

    `prelude`: operations of other documents that articles refer to (images of the media
    library), run first in the same load, so that readers see them with the articles or not at
    all.
    """
    if dry_run:
        return (
            await _plan(actor, tags, articles, force=force, authors=(authors, implied_authors))
        )[0]
    # One load at a time, planned on what the last one left: readers see every tag and article
    # of it at once, or none (`cms.spine.loads`).
    async with loads.exclusive():
        report, operations, adopt = await _plan(
            actor, tags, articles, force=force, authors=(authors, implied_authors)
        )
        if report.conflicts:
            return report
        await loads.run_load([*prelude, *operations], actor=actor.name, advance=advance)
        for part in chunks(adopt):
            await Article.get_pymongo_collection().bulk_write(part)
    advance(len(tags) + len(authors) + len(implied_authors) + len(articles) - len(operations))
    return report


async def _plan(
    actor: Actor,
    tags: Sequence[TagContent],
    articles: Sequence[ImportedArticle],
    *,
    force: bool,
    authors: tuple[Sequence[AuthorContent], Sequence[AuthorContent]] = ((), ()),
) -> tuple[LoadReport, list[Operation], list[Any]]:
    """What a load would do: its report, its operations, and the bookkeeping of the unchanged."""
    report = LoadReport()
    now = utcnow()
    tag_ops = await _plan_tags(actor, tags, report, now)
    author_ops = await _plan_authors(actor, *authors, report, now)
    article_ops, adopt = await _plan_articles(actor, articles, report, now, force=force)
    return report, [*tag_ops, *author_ops, *article_ops], adopt


async def import_article(*, actor: Actor, article: ImportedArticle) -> Article:
    """One article as a file would state it (any status), created through the write path."""
    operation, after = plan_create(actor=actor, values=article.values(), now=utcnow())
    await journal.run(operation)
    return Article.model_validate(after)


async def _plan_tags(
    actor: Actor, tags: Sequence[TagContent], report: LoadReport, now: datetime
) -> list[Operation]:
    found = await find_in(Tag.get_pymongo_collection(), "slug", [tag.slug for tag in tags])
    existing = {document["slug"]: Tag.model_validate(document) for document in found}
    operations = []
    for content in tags:
        current = existing.get(content.slug)
        if current is None:
            operation, _ = plan_tag_create(actor=actor, content=content, now=now)
            report.count("tags", "created")
        else:
            planned = plan_tag_update(actor=actor, current=current, content=content, now=now)
            if planned is None:
                report.count("tags", "unchanged")
                continue
            operation, _ = planned
            report.count("tags", "updated")
        operations.append(operation)
    return operations


async def _plan_authors(
    actor: Actor,
    authors: Sequence[AuthorContent],
    implied: Sequence[AuthorContent],
    report: LoadReport,
    now: datetime,
) -> list[Operation]:
    wanted = [author.slug for author in (*authors, *implied)]
    found = await find_in(Author.get_pymongo_collection(), "slug", wanted)
    existing = {document["slug"]: Author.model_validate(document) for document in found}
    operations = []
    for content in authors:
        current = existing.get(content.slug)
        if current is None:
            operation, _ = plan_author_create(actor=actor, content=content, now=now)
            report.count("authors", "created")
        else:
            planned = plan_author_update(actor=actor, current=current, content=content, now=now)
            if planned is None:
                report.count("authors", "unchanged")
                continue
            operation, _ = planned
            report.count("authors", "updated")
        operations.append(operation)
    for content in implied:
        if content.slug in existing:
            continue
        operations.append(plan_author_create(actor=actor, content=content, now=now)[0])
        report.count("authors", "created")
    return operations


async def _plan_articles(
    actor: Actor,
    articles: Sequence[ImportedArticle],
    report: LoadReport,
    now: datetime,
    *,
    force: bool,
) -> tuple[list[Operation], list[Any]]:
    """The operations to run, and the bookkeeping updates for articles found unchanged."""
    from pymongo import UpdateOne

    collection = Article.get_pymongo_collection()
    slugs = [item.content.slug for item in articles]
    marks = {
        document["slug"]: document
        for document in await find_in(collection, "slug", slugs, projection=LOAD_MARKS)
    }
    digests = {item.content.slug: item.digest() for item in articles}
    # Unchanged since the load that wrote it, which had this very file: nothing to read.
    kept = {
        slug
        for slug, mark in marks.items()
        if mark.get("loaded_version") == mark["version"]
        and mark.get("loaded_digest") == digests[slug]
    }
    others = [slug for slug in marks if slug not in kept]
    found = await find_in(collection, "slug", others)
    existing = {document["slug"]: Article.model_validate(document) for document in found}
    operations: list[Operation] = []
    adopt: list[Any] = []
    for item in articles:
        slug = item.content.slug
        if slug in kept:
            report.count("articles", "unchanged")
            report.articles[slug] = "unchanged"
            report.ids[slug] = marks[slug]["_id"]
            continue
        values = item.values()
        current = existing.get(slug)
        if current is None:
            operation, after = plan_create(
                actor=actor, values=values, now=now, loaded=digests[slug]
            )
            report.ids[slug] = after["_id"]
            operations.append(operation)
            report.count("articles", "created")
            report.articles[slug] = "created"
            continue
        assert current.id is not None
        report.ids[slug] = current.id
        if _comparable(current.model_dump()) == _comparable(values):
            report.count("articles", "unchanged")
            report.articles[slug] = "unchanged"
            if current.loaded_version != current.version:
                # The files caught up with the store (after an export): later changes to the
                # file are the editors' again.
                adopt.append(
                    UpdateOne(
                        {"_id": current.id, "version": current.version},
                        {"$set": {"loaded_version": current.version}},
                    )
                )
            continue
        if current.loaded_version != current.version and not force:
            loaded = current.loaded_version or "never"
            report.conflicts[current.slug] = (
                f"changed since the last load (version {current.version}, loaded {loaded})"
            )
            continue
        planned = plan_save(
            actor=actor, current=current, values=values, now=now, loaded=digests[slug]
        )
        assert planned is not None
        operations.append(planned[0])
        report.count("articles", "updated")
        report.articles[slug] = "updated"
    return operations, adopt
