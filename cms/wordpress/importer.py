"""`newsroom import wordpress`: a WordPress export into the store, through the load path.

The export is read streamed (`cms.wordpress.wxr`), each post converted (`cms.wordpress.posts`),
and the articles and their tags go in as one load (`cms.workflow.imports`): readers see all of
them or none, with the same revisions, events and upkeep as any save. Conversion (some
milliseconds of pure-Python CPU a post) runs a batch of posts at a time in worker processes of
the import's own, one a core (`cms.offload.batch_workers`), while the next posts are read.
Articles are found again by their WordPress post id, so importing the same export (or a newer
one) again updates them and never duplicates them; one edited in Newsroom since its import is
left alone unless forced.
"""

import asyncio
import dataclasses
import json
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from beanie import PydanticObjectId

from cms import redirects
from cms.access import Actor
from cms.articles import Article
from cms.clock import utcnow
from cms.config import Settings, get_settings
from cms.engagement.ratings import Tally
from cms.engagement.recount import set_baselines
from cms.media import staging
from cms.offload import batch_workers, off_loop
from cms.redirects import Redirect
from cms.spine.journal import Operation, new_op_id
from cms.store.batches import chunks, find_in
from cms.wordpress.attachments import Images, attachment_of, bring_images
from cms.wordpress.posts import Converted, Skipped, Vocabulary, convert_all, tags_for
from cms.wordpress.wxr import Author, Item, Record, Site, read_export
from cms.workflow.imports import LoadReport, import_content

# Items read off the event loop at a time.
_READ_BATCH = 500
# Posts converted by one call to the worker: small enough that converting starts soon after
# reading does and ends soon after it, large enough that handing them over is little.
_CONVERT_BATCH = 100
# Batches handed over and not yet taken back: reading stays this far ahead of converting, and
# converted posts wait no longer than that to be taken, in the export's order.
_CONVERTING = 4
# Processes converting at most (a batch each at a time).
_MOST_CONVERTERS = 4
# Old addresses recorded by one journaled operation of the load.
_REDIRECTS_PER_OPERATION = 200
# What an import reads of the articles it may touch.
_MARKS = {"slug": 1, "wordpress_id": 1, "version": 1, "loaded_version": 1}


@dataclass(slots=True)
class PostLine:
    """What became of one post: its outcome (new, updated, unchanged, skipped) and why."""

    post_id: int | None
    title: str
    outcome: str
    slug: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ImportReport:
    site: str = ""
    dry_run: bool = False
    posts: list[PostLine] = field(default_factory=list)
    # Items that are not posts (pages, attachments, menu items...), by post type.
    not_posts: Counter[str] = field(default_factory=Counter)
    authors: int = 0
    # Articles whose rating the export's Rate My Post totals set (or would set, in a dry run).
    ratings: int = 0
    # Old addresses recorded (or that would be) for the imported posts.
    redirects: int = 0
    # Attachments brought into the media library, and why others were not (by attachment id).
    images: dict[str, int] = field(default_factory=dict)
    image_problems: dict[int, str] = field(default_factory=dict)

    def outcomes(self) -> Counter[str]:
        return Counter(line.outcome for line in self.posts)

    def as_json(self) -> str:
        return json.dumps(
            {
                "site": self.site,
                "dry_run": self.dry_run,
                "outcomes": self.outcomes(),
                "not_posts": self.not_posts,
                "authors": self.authors,
                "ratings": self.ratings,
                "redirects": self.redirects,
                "images": self.images,
                "image_problems": self.image_problems,
                "posts": [asdict(line) for line in self.posts],
            },
            indent=2,
        )


def _batches(path: Path) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for record in read_export(path):
        batch.append(record)
        if len(batch) >= _READ_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


async def _read(path: Path) -> Any:
    """The export's records, a batch at a time, parsed in a thread: the loop stays free."""
    batches = _batches(path)
    while True:
        batch = await asyncio.to_thread(next, batches, None)
        if batch is None:
            return
        yield batch


@dataclass(slots=True)
class _Plan:
    converted: list[Converted] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


async def import_wordpress(
    path: Path,
    *,
    actor: Actor,
    zone: ZoneInfo,
    dry_run: bool = False,
    force: bool = False,
    advance: Callable[[str, int], None] = lambda _phase, _done: None,
    now: datetime | None = None,
    uploads: Path | None = None,
) -> ImportReport:
    """Import the export at `path`, its images from `uploads` (a copy of the site's
    `wp-content/uploads`); `advance` hears of progress by phase. Raises `NotAnExport` (and
    writes nothing) for a file that is not one."""
    now = now or utcnow()
    report = ImportReport(dry_run=dry_run)
    images = Images()
    if uploads is not None:
        # The images first (attachments may follow the posts that show them in the file).
        attachments = [
            found
            async for batch in _read(path)
            for record in batch
            if isinstance(record, Item) and (found := attachment_of(record)) is not None
        ]
        images = await bring_images(attachments, uploads, actor=actor, dry_run=dry_run)
        report.images = {"added": images.added, "already there": images.existing}
        report.image_problems = images.problems
    try:
        return await _import(path, report, images, actor, zone, dry_run, force, advance, now)
    finally:
        # Bytes whose image the load did not add (a dry run, a failure) go.
        await staging.settle_quietly(images.noted)


async def _import(
    path: Path,
    report: ImportReport,
    images: Images,
    actor: Actor,
    zone: ZoneInfo,
    dry_run: bool,
    force: bool,
    advance: Callable[[str, int], None],
    now: datetime,
) -> ImportReport:
    vocabulary = Vocabulary()
    plan = _Plan()
    settings = get_settings()
    async with batch_workers(_converters()) as workers:
        converting = _Converting(workers, zone, now, settings, images)
        try:
            await _read_and_convert(path, report, converting, vocabulary, plan, advance)
        finally:
            await converting.abandon()
    report.authors = len(vocabulary.authors)

    articles = await _settle_slugs(plan.converted, report, force=force)
    moves = await _redirects(plan.converted, actor=actor, now=now)
    report.redirects = sum(len(operation.changes) for operation in moves)
    load = await import_content(
        actor=actor,
        tags=tags_for([c.article for c in articles], vocabulary, plan.names),
        articles=[c.article for c in articles],
        authors=vocabulary.author_documents(c.article for c in articles),
        force=True,
        dry_run=dry_run,
        advance=lambda done: advance("Writing", done),
        prelude=[*images.operations, *moves],
    )
    _outcomes(report, load)
    if not dry_run:
        report.ratings = await _rating_baselines(articles, load.ids, actor=actor)
    else:
        report.ratings = sum(1 for item in articles if item.rating is not None)
    return report


def _converters() -> int:
    """Processes converting posts: one a core (the importer's own process mostly waits for them:
    reading the export takes a fraction of what converting it does)."""
    return max(1, min(_MOST_CONVERTERS, os.cpu_count() or 1))


async def _read_and_convert(
    path: Path,
    report: ImportReport,
    converting: "_Converting",
    vocabulary: Vocabulary,
    plan: _Plan,
    advance: Callable[[str, int], None],
) -> None:
    """Read the export, hand its posts to `converting` in batches and take back what they
    became, in the export's order, into `plan`."""
    posts: list[Item] = []
    async for batch in _read(path):
        for record in batch:
            if isinstance(record, Site):
                report.site = record.title
            elif isinstance(record, Item):
                if record.post_type != "post":
                    report.not_posts[record.post_type or "(none)"] += 1
                    continue
                posts.append(record)
                if len(posts) >= _CONVERT_BATCH:
                    converting.hand_over(posts, vocabulary)
            else:
                if posts and isinstance(record, Author):
                    converting.hand_over(posts, vocabulary)  # they name no such author
                vocabulary.learn(record)
        while len(converting.batches) > _CONVERTING:
            _take(*await converting.oldest(), plan, report)
        advance("Reading the export", len(batch))
    if posts:
        converting.hand_over(posts, vocabulary)
    while converting.batches:
        _take(*await converting.oldest(), plan, report)


async def _redirects(converted: list[Converted], *, actor: Actor, now: datetime) -> list[Operation]:
    """Each post's old addresses to its article (found by post id, wherever it moves), as
    operations of the load: readers find the articles and their old addresses together. Those
    already recorded for the same post are left as they are."""
    wanted = {key: item.post_id for item in converted for key in item.old_paths}
    found = await find_in(
        Redirect.get_pymongo_collection(), "_id", list(wanted), projection={"wordpress_id": 1}
    )
    known = {document["_id"]: document.get("wordpress_id") for document in found}
    changes = [
        redirects.from_wordpress(key, post_id, now, replacing=key in known)
        for key, post_id in wanted.items()
        if known.get(key) != post_id
    ]
    return [
        Operation(id=new_op_id(), at=now, actor=actor.name, changes=list(part))
        for part in chunks(changes, _REDIRECTS_PER_OPERATION)
    ]


async def _rating_baselines(
    articles: list[Converted], ids: dict[str, PydanticObjectId], *, actor: Actor
) -> int:
    """Rate My Post's totals as each article's votes from before: the star widget shows the same
    average and count as the old site, and `ratings rebuild` keeps them (they are its baseline).
    `ids`: the articles' ids by slug, as the load gave them. How many articles' ratings
    changed."""
    baselines = {
        ids[item.article.content.slug]: Tally(
            unsorted=item.rating.count, unsorted_stars=item.rating.total
        )
        for item in articles
        if item.rating
    }
    return await set_baselines(baselines, actor=actor)


type _Results = list[Converted | Skipped]
type _Arguments = tuple[list[Item], Vocabulary, ZoneInfo, datetime, Settings, Images]


class _Converting:
    """Batches of posts being converted, taken back in the order they were handed over."""

    def __init__(
        self,
        workers: ProcessPoolExecutor,
        zone: ZoneInfo,
        now: datetime,
        settings: Settings,
        images: Images,
    ) -> None:
        self._workers = workers
        self.batches: deque[tuple[list[Item], asyncio.Future[_Results]]] = deque()
        self._fixed = (zone, now, settings)
        # What conversion needs of the images: the lookups, not the load's operations.
        self._images = Images(
            by_attachment=images.by_attachment,
            by_address=images.by_address,
            attached=images.attached,
        )

    def hand_over(self, posts: list[Item], vocabulary: Vocabulary) -> None:
        """Start converting `posts` (emptied: the caller collects the next batch in it)."""
        # Conversion reads only the authors (bylines) of the vocabulary: a copy of those read
        # so far, as converting each post on reaching it would have seen.
        known = Vocabulary(authors=dict(vocabulary.authors))
        arguments: _Arguments = (list(posts), known, *self._fixed, self._images)
        # In worker processes: on a thread of this one, it would hold the interpreter lock the
        # loop needs for reading and writing (measured: 1.83x the floor against 1.29x at 3,000
        # posts).
        self.batches.append((arguments[0], asyncio.ensure_future(self._convert(arguments))))
        posts.clear()

    async def _convert(self, arguments: _Arguments) -> _Results:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._workers, convert_all, *arguments)
        except BrokenProcessPool:
            # A converter died (killed, out of memory): this batch, and every batch after it, is
            # converted by the one worker of `cms.offload`, itself replaced if it dies.
            return await off_loop(convert_all, *arguments)

    async def oldest(self) -> tuple[list[Item], _Results]:
        """The oldest batch, and what its posts became."""
        posts, task = self.batches[0]
        results = await task
        self.batches.popleft()
        return posts, results

    async def abandon(self) -> None:
        """Give up the batches not taken (a failed read: a truncated export)."""
        for _, task in self.batches:
            task.cancel()
        await asyncio.gather(*(task for _, task in self.batches), return_exceptions=True)


def _take(posts: list[Item], results: _Results, plan: _Plan, report: ImportReport) -> None:
    for item, converted in zip(posts, results, strict=True):
        if isinstance(converted, Skipped):
            report.posts.append(PostLine(converted.post_id, converted.title, "skipped"))
            report.posts[-1].notes.append(converted.reason)
            continue
        for term in item.terms:
            plan.names.setdefault(term.slug, term.name)
        plan.converted.append(converted)


async def _settle_slugs(
    converted: list[Converted], report: ImportReport, *, force: bool
) -> list[Converted]:
    """Each post's slug in Newsroom: its article's where one came from it before (found by
    post id), else its own, with a suffix where another article (or another post of the export)
    has it. An article edited in Newsroom since its import is left out unless `force`."""
    collection = Article.get_pymongo_collection()
    ids = [item.post_id for item in converted]
    by_post = {
        document["wordpress_id"]: document
        for document in await find_in(collection, "wordpress_id", ids, projection=_MARKS)
    }
    wanted = [item.article.content.slug for item in converted]
    taken = {
        document["slug"]: document.get("wordpress_id")
        for document in await find_in(collection, "slug", wanted, projection=_MARKS)
    }
    used: set[str] = set()
    kept: list[Converted] = []
    seen_posts: set[int] = set()
    for item in converted:
        line = PostLine(item.post_id, item.article.content.headline, "", notes=item.notes)
        report.posts.append(line)
        if item.post_id in seen_posts:
            line.outcome = "skipped"
            line.notes.append("a second post with this post id in the export: the first kept")
            continue
        seen_posts.add(item.post_id)
        existing = by_post.get(item.post_id)
        if existing is not None:
            slug = existing["slug"]
            if existing.get("loaded_version") != existing["version"] and not force:
                line.outcome = "skipped"
                line.slug = slug
                line.notes.append(
                    f"edited in Newsroom since its import (version {existing['version']}): "
                    "kept as it is (--force imports it over)"
                )
                continue
        else:
            slug = _free(item.article.content.slug, taken, used, item.post_id, line)
        used.add(slug)
        line.slug = slug
        kept.append(_with_slug(item, slug))
    return kept


def _free(slug: str, taken: dict[str, Any], used: set[str], post_id: int, line: PostLine) -> str:
    """`slug`, or `slug-2`, `slug-3`... where an article of another origin or an earlier post of
    this export has it."""
    if slug not in used and (slug not in taken or taken[slug] == post_id):
        return slug
    suffix = 2
    while f"{slug}-{suffix}" in used or f"{slug}-{suffix}" in taken:
        suffix += 1
    free = f"{slug}-{suffix}"
    whose = "another post of this export" if slug in used else "an article already in Newsroom"
    line.notes.append(f"slug {slug!r} is {whose}'s: imported as {free!r}")
    return free


def _with_slug(item: Converted, slug: str) -> Converted:
    if slug != item.article.content.slug:
        content = item.article.content.model_copy(update={"slug": slug})
        item.article = dataclasses.replace(item.article, content=content)
    return item


# The load's words for what it did to an article, as the import report says them.
_OUTCOMES = {"created": "new", "updated": "updated", "unchanged": "unchanged"}


def _outcomes(report: ImportReport, load: LoadReport) -> None:
    for line in report.posts:
        if not line.outcome:
            line.outcome = _OUTCOMES[load.articles[line.slug]]
