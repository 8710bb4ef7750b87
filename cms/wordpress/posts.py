"""A WordPress post as a Newsroom article: what it becomes, and what the report says of it.

Pure: no store. The importer (`cms.wordpress.importer`) reads the export, asks this module what
each post becomes, and writes the lot through the load path.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from slugify import slugify

from cms.authors import is_credit, slug_for
from cms.config import Settings
from cms.content import (
    MAX_BODY,
    MAX_SLUG,
    MAX_TAGS,
    ArticleContent,
    AuthorContent,
    TagContent,
    field_problems,
)
from cms.redirects import redirect_key
from cms.status import ArticleStatus
from cms.text.body import check_body
from cms.wordpress.attachments import Images
from cms.wordpress.convert import Media
from cms.wordpress.convert import convert as convert_markup
from cms.wordpress.text import html_text
from cms.wordpress.wxr import Author, Item, Term
from cms.workflow.imports import ImportedArticle

_ZERO_DATE = "0000-00-00 00:00:00"
_STATUSES = {
    "publish": ArticleStatus.PUBLISHED,
    "future": ArticleStatus.SCHEDULED,
    "draft": ArticleStatus.DRAFT,
    "pending": ArticleStatus.REVIEW,
    "private": ArticleStatus.DRAFT,
}
# An article with no category: WordPress files such posts under this one too.
DEFAULT_SECTION = "uncategorized"
# Rate My Post's totals, kept in each post's meta.
RATING_COUNT = "rmp_vote_count"
RATING_SUM = "rmp_rating_val_sum"


@dataclass(frozen=True, slots=True)
class RatingTotals:
    """Rate My Post's votes for a post: how many, and the sum of their stars (no distribution)."""

    count: int
    total: int


@dataclass(slots=True)
class Converted:
    """A post as an article, with what the report notes of it."""

    post_id: int
    article: ImportedArticle
    guid: str
    # Paths (with their query) the post answered at on the old site: `/2024/05/slug/`, `/?p=12`.
    old_paths: tuple[str, ...]
    rating: RatingTotals | None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Skipped:
    post_id: int | None
    title: str
    reason: str


@dataclass(slots=True)
class Vocabulary:
    """What the channel declares, which items refer to: authors by login, terms by slug."""

    authors: dict[str, Author] = field(default_factory=dict)
    terms: dict[tuple[str, str], Term] = field(default_factory=dict)

    def learn(self, record: Author | Term) -> None:
        if isinstance(record, Author):
            self.authors[record.login] = record
        else:
            self.terms[(record.kind, record.slug)] = record

    def byline(self, login: str, settings: Settings) -> dict[str, Any]:
        """The byline a post by `login` (`dc:creator`) gets: that author, or a credit for a
        name on the byline-credit list (agency and staff copy)."""
        author = self.authors.get(login)
        name = html_text(author.display_name if author else login, paragraphs=False)
        if not login and not name:
            return {"credit": "Staff"}
        if is_credit(name, settings):
            return {"authors": [], "credit": name}
        return {"authors": [author_slug(login or name)]}

    def author_documents(self, articles: Iterable[ImportedArticle]) -> list[AuthorContent]:
        """The author documents the articles' bylines name, from the export's `wp:author`."""
        by_slug = {author_slug(login): author for login, author in self.authors.items()}
        named = dict.fromkeys(slug for article in articles for slug in article.content.authors)
        documents = []
        for slug in named:
            author = by_slug.get(slug)
            name = author.display_name if author else slug
            documents.append(
                AuthorContent(slug=slug, name=html_text(name, paragraphs=False)[:500] or slug)
            )
        return documents


def author_slug(login: str) -> str:
    """An author's slug, from their WordPress login (as WordPress's own author pages do)."""
    return slug_for(unquote(login))


def moment(item: Item, zone: ZoneInfo) -> tuple[datetime | None, str | None]:
    """When the post was (or will be) published, and a note when it had to be guessed: the GMT
    date, else the local one read in `zone` (drafts have no GMT date)."""
    if item.date_gmt and item.date_gmt != _ZERO_DATE:
        parsed = _parse(item.date_gmt)
        if parsed is not None:
            return parsed.replace(tzinfo=UTC), None
    if item.date and item.date != _ZERO_DATE:
        parsed = _parse(item.date)
        if parsed is not None:
            return (
                parsed.replace(tzinfo=zone).astimezone(UTC),
                f"no GMT date: its local date {item.date} read in {zone.key}",
            )
    return None, None


def _parse(value: str) -> datetime | None:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def slug_of(item: Item) -> str:
    """WordPress's own slug (stored percent-encoded for non-ASCII), as Newsroom spells slugs;
    from the title where a draft has none yet."""
    source = unquote(item.name) or html_text(item.title, paragraphs=False)
    slug = slugify(source, max_length=MAX_SLUG, word_boundary=True)
    return slug or f"post-{item.post_id}"


def old_paths(item: Item) -> tuple[str, ...]:
    """The addresses a post answered at, as path and query: its permalink, its guid when that is
    an address (`/?p=12`), and `/?p=<id>`, which WordPress answers for every post."""
    found: list[str] = []
    for address in (item.link, item.guid, f"/?p={item.post_id}" if item.post_id else ""):
        path = redirect_key(address)
        if path and path not in found:
            found.append(path)
    return tuple(found)


def rating_of(item: Item) -> RatingTotals | None:
    count = item.meta_int(RATING_COUNT)
    total = item.meta_int(RATING_SUM)
    if not count or total is None:
        return None
    return RatingTotals(count=count, total=min(total, count * 5))


def convert(
    item: Item,
    vocabulary: Vocabulary,
    zone: ZoneInfo,
    now: datetime,
    settings: Settings,
    images: Images | None = None,
) -> Converted | Skipped:
    """What one post becomes, its images found among `images` (the attachments brought into
    the media library). Every departure from the export is a note; a post that can't be an
    article is `Skipped`, with the reason."""
    title = html_text(item.title, paragraphs=False)
    if item.post_id is None:
        return Skipped(None, title, "no <wp:post_id>: re-imports could not find it again")
    status = _STATUSES.get(item.status)
    if status is None:
        return Skipped(item.post_id, title, f"status {item.status!r} is not imported")
    notes: list[str] = []
    if item.password:
        status = ArticleStatus.DRAFT
        notes.append("password-protected: imported as a draft")
    elif item.status == "private":
        notes.append("private: imported as a draft")
    if item.sticky:
        notes.append("sticky on the old site: Newsroom has no sticky posts")
    published_at, guessed = moment(item, zone)
    if guessed:
        notes.append(guessed)
    if published_at is None:
        published_at = now
        notes.append("no date at all: dated at the import")
    if status is ArticleStatus.SCHEDULED and published_at <= now:
        status = ArticleStatus.PUBLISHED
        notes.append("scheduled for a time already past: published")
    images = images or Images()
    media = Media(
        by_attachment=images.by_attachment.get,
        by_address=images.by_address.get,
        attached=images.attached.get(item.post_id, []),
    )
    converted = convert_markup(item.content, media)
    body = converted.markdown
    if len(body) > MAX_BODY:
        return Skipped(
            item.post_id,
            title,
            f"body of {len(body):,} characters once converted, over the {MAX_BODY:,} limit",
        )
    # The body as editors' saves and `fixtures validate` check it: a post the converter got
    # wrong is reported, never loaded with a body the site could not show.
    problems = check_body(body).problems
    if problems:
        listed = "; ".join(str(problem) for problem in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        return Skipped(item.post_id, title, f"the converted body: {listed}{more}")
    for heading, found in (
        ("kept as text", converted.unknown),
        ("files linked where the old site served them", converted.linked),
        ("markup repaired", converted.repairs),
    ):
        if found:
            notes.append(f"{heading}: {_counted(found)}")
    if converted.missing:
        notes.append(
            "images not in the media library: " + ", ".join(dict.fromkeys(converted.missing))
        )
    hero = _featured(item, images, notes)
    if not title:
        title = f"Untitled ({item.post_id})"
        notes.append("no title: called " + title)
    categories = [term for term in item.terms if term.domain == "category" and term.slug]
    tags = [term.slug for term in item.terms if term.domain == "post_tag" and term.slug]
    section = categories[0].slug if categories else DEFAULT_SECTION
    tag_slugs = _unique(
        slugify(unquote(slug)) for slug in [*(t.slug for t in categories[1:]), *tags]
    )
    if len(tag_slugs) > MAX_TAGS:
        notes.append(f"{len(tag_slugs)} tags: the first {MAX_TAGS} kept")
        tag_slugs = tag_slugs[:MAX_TAGS]
    excerpt = html_text(item.excerpt)[:1000]
    values = {
        "headline": title[:500],
        "slug": slug_of(item),
        "published_at": published_at,
        **vocabulary.byline(item.creator, settings),
        "section": slugify(unquote(section)) or DEFAULT_SECTION,
        "tags": tag_slugs,
        "excerpt": excerpt,
        "body": body,
        "image": hero,
        "wordpress_id": item.post_id,
        # Feeds keep the post's own id, so feed readers do not show the archive again.
        "original_guid": item.guid[:500],
    }
    try:
        content = ArticleContent.model_validate(values)
    except ValidationError as error:
        invalid = "; ".join(f"{p.field}: {p.message}" for p in field_problems(error))
        return Skipped(item.post_id, title, invalid)
    article = ImportedArticle(content=content, status=status, updated_at=published_at)
    return Converted(
        post_id=item.post_id,
        article=article,
        guid=item.guid,
        old_paths=old_paths(item),
        rating=rating_of(item),
        notes=notes,
    )


def convert_all(
    items: list[Item],
    vocabulary: Vocabulary,
    zone: ZoneInfo,
    now: datetime,
    settings: Settings,
    images: Images,
) -> list[Converted | Skipped]:
    """`convert` of each post, in order: what the importer hands the worker process
    (`cms.offload`). A post the converter fails on is skipped with the error, rather than the
    batch lost with it."""
    results: list[Converted | Skipped] = []
    for item in items:
        try:
            results.append(convert(item, vocabulary, zone, now, settings, images))
        except Exception as error:
            title = html_text(item.title, paragraphs=False)
            reason = f"could not be converted ({type(error).__name__}: {error})"
            results.append(Skipped(item.post_id, title, reason))
    return results


def _counted(names: list[str]) -> str:
    """`a x2, b`: each name once, with how many times it came."""
    return ", ".join(
        f"{name} x{count}" if count > 1 else name for name, count in Counter(names).items()
    )


def _featured(item: Item, images: Images, notes: list[str]) -> dict[str, str] | None:
    """The post's featured image (`_thumbnail_id`) as the article's image."""
    thumbnail = item.meta_int("_thumbnail_id")
    if thumbnail is None:
        return None
    image = images.by_attachment.get(thumbnail)
    if image is None:
        notes.append(f"featured image (attachment {thumbnail}) not in the media library")
        return None
    return {"id": image.id, "caption": image.caption, "alt": image.alt}


def tags_for(
    articles: list[ImportedArticle],
    vocabulary: Vocabulary,
    names: Mapping[str, str],
) -> list[TagContent]:
    """The tag documents the articles name: the export's own names and descriptions where it
    declares the term, the item's name for it otherwise."""
    wanted = _unique(slug for article in articles for slug in article.content.tags)
    tags = []
    for slug in wanted:
        term = vocabulary.terms.get(("post_tag", slug)) or vocabulary.terms.get(("category", slug))
        name = html_text(term.name if term else names.get(slug, slug), paragraphs=False)
        description = html_text(term.description)[:2000] if term else ""
        tags.append(TagContent(slug=slug, name=name or slug, description=description))
    return tags


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        if value:
            seen.setdefault(value, None)
    return list(seen)
