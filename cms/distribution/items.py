"""What feeds and sitemaps show: the lists, the public articles in them, and each item's parts.

The catalog's public lists (every article, a tag's, a section's, an author's) give the newest
articles a reader may see now, by bisection; only those shown are then read, by `_id`, the way
any page reads them (`cms.reading.lookups.documents`, from memory when this process read them
before).
"""

import asyncio
import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from bson import ObjectId
from sortedcontainers import SortedList

from cms.articles import Article, hero_of
from cms.authors import author_url, bylines
from cms.authors import by_slugs as authors_by_slugs
from cms.cache_tags import FEEDS, article_tag, author_tag, feed_tag, image_tag, tag_tag
from cms.clock import utcnow
from cms.config import Settings
from cms.distribution.text import clean
from cms.media import addresses, renditions, sizes
from cms.media.library import images_by_ids
from cms.media.model import LibraryImage
from cms.presentation import article_url, body_references, filled_body
from cms.reading.catalog import Catalog, Entry
from cms.reading.lookups import all_tags, by_slugs, documents
from cms.text.body import BodyFormat, rendered
from cms.visibility import Audience

# The hero image in feeds and sitemaps: one rendition every reader can show.
IMAGE_WIDTH = 1200
_FIRST_ID = ObjectId("0" * 24)
_LAST_ID = ObjectId("f" * 24)


@dataclass(frozen=True, slots=True)
class Listing:
    """One list with feeds of its own: every article (`kind` "all"), a tag's, a section's or an
    author's."""

    kind: str
    slug: str
    title: str
    link: str  # its page on the site
    path: str  # where its feeds are, before the file name
    keys: SortedList  # the catalog's public list

    @property
    def cache_tag(self) -> str:
        return FEEDS if self.kind == "all" else feed_tag(self.kind, self.slug)


async def listing(catalog: Catalog, settings: Settings, kind: str, slug: str) -> Listing | None:
    """The list a feed path names; None for a tag, section or author the public has no article
    in (an unknown one too)."""
    if kind == "all":
        return Listing(
            kind, "", settings.publisher_name, settings.site_url, "/feeds/", catalog.public_by_date
        )
    if kind == "tags":
        keys = catalog.public_by_tag.get(slug)
        tag = (await all_tags(catalog)).get(slug)
        title = tag.name if tag else slug
        link = settings.site_url + settings.tag_path.format(slug=slug)
    elif kind == "sections":
        keys = catalog.public_by_section.get(slug)
        title = slug.replace("-", " ").title()
        link = settings.site_url + settings.section_path.format(slug=slug)
    elif kind == "authors":
        keys = catalog.public_by_byline.get(slug)
        author = (await authors_by_slugs([slug])).get(slug) if keys else None
        if author is None:
            return None
        title, link = author.name, author_url(slug, settings)
    else:
        return None
    if keys is None or next(public_entries(catalog, keys, utcnow()), None) is None:
        return None
    return Listing(
        kind,
        slug,
        f"{settings.publisher_name}: {title}",
        link,
        f"/feeds/{kind}/{slug}/",
        keys,
    )


def public_entries(
    catalog: Catalog,
    keys: SortedList,
    now: datetime,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[Entry]:
    """The entries of a public list a reader may see at `now`, newest first, published from
    `since` and before `until` (when given)."""
    stop = keys.bisect_right((now, _LAST_ID))
    if until is not None:
        stop = min(stop, keys.bisect_left((until, _FIRST_ID)))
    start = 0 if since is None else keys.bisect_left((since, _FIRST_ID))
    # One slice walked (a position looked up each time costs a search of the list's index).
    held = catalog.entries
    for _, article_id in keys.islice(start, stop, reverse=True):
        entry = held[article_id]
        if entry.readable(Audience.PUBLIC, now):
            yield entry


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    media_type: str | None  # None for an image elsewhere: its type is not known here
    width: int | None
    height: int | None
    # A library image's rendition: its key in the store, and its length once it has been made.
    key: str | None = None
    file_size: int | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One article as feeds show it, its text cleaned of what XML forbids (JSON Feed too)."""

    guid: str
    url: str
    title: str
    published: datetime
    updated: datetime
    author: str
    summary: str
    content_html: str  # empty unless the feeds carry full content
    categories: tuple[tuple[str, str], ...]  # (slug, name) of its tags
    image: Image | None


def guid(article: Article, settings: Settings) -> str:
    """An id that never changes for the article: its original guid if it came with one, else a
    tag URI (RFC 4151) of the site's host, the day its id was made and the id."""
    if article.original_guid:
        return article.original_guid
    host = settings.site_url.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    assert article.id is not None
    made = article.id.generation_time.date().isoformat()
    return f"tag:{host},{made}:article:{article.id}"


def rendition(image: LibraryImage, settings: Settings) -> Image:
    """A JPEG rendition IMAGE_WIDTH wide (or as wide as the original allows), its exact size."""
    planned = addresses.planned(image, settings, width=IMAGE_WIDTH, format=sizes.Format.JPEG)
    width, height = sizes.box(planned, (image.width, image.height)).size
    return Image(
        addresses.address(planned, settings),
        sizes.MEDIA_TYPES[sizes.Format.JPEG],
        width,
        height,
        key=planned.key(sizes.Format.JPEG),
    )


async def with_file_sizes(images: list[Image | None]) -> list[Image | None]:
    """The images with the length of their rendition where it has been made: renditions are
    made on first request, so a feed built before that one is asked for says no `fileSize`
    (Media RSS makes it optional) rather than a guess."""
    keys = [image.key for image in images if image is not None and image.key is not None]
    lengths = await renditions.stored_lengths(keys) if keys else {}
    return [
        dataclasses.replace(image, file_size=lengths[image.key])
        if image is not None and image.key in lengths
        else image
        for image in images
    ]


async def hero_images(
    heroes: Sequence[tuple[str, str]], settings: Settings
) -> tuple[list[Image | None], set[str]]:
    """Each article's hero image (as `hero_of` gives it), and the cache tags of the library's
    (the library's images are read, by `_id`; the articles are not)."""
    library = list({image_id for image_id, _ in heroes if image_id})
    found = await images_by_ids(library) if library else {}
    result: list[Image | None] = []
    for image_id, url in heroes:
        if image_id:
            held = found.get(image_id)
            result.append(rendition(held, settings) if held is not None else None)
        elif url:
            result.append(Image(url, None, None, None))
        else:
            result.append(None)
    return result, {image_tag(image_id) for image_id in library}


async def _bodies(catalog: Catalog, settings: Settings, shown: list[Article]) -> list[str]:
    """The articles' bodies as the public reads them: their library images with renditions,
    their related cards only where the public may see the article."""
    found = await asyncio.gather(*(rendered(article.body, BodyFormat.HTML) for article in shown))
    references = [body_references(html) for html in found]
    image_ids = list({image for ids, _ in references for image in ids})
    slugs = list({slug for _, linked in references for slug in linked})
    images = await images_by_ids(image_ids) if image_ids else {}
    related = await by_slugs(catalog, slugs, Audience.PUBLIC) if slugs else {}
    return [filled_body(html, images=images, articles=related, settings=settings) for html in found]


async def items(
    catalog: Catalog, settings: Settings, entries: Sequence[Entry]
) -> tuple[list[Item], set[str]]:
    """The feed items of these entries, in order, and the cache tags of what they show."""
    articles = await documents(catalog, entries)
    shown = [articles[entry.id] for entry in entries if entry.id in articles]
    every_tag = await all_tags(catalog)
    images, tags = await hero_images(
        [hero_of(article.image.model_dump() if article.image else None) for article in shown],
        settings,
    )
    images = await with_file_sizes(images)
    if settings.feeds_full_content:
        bodies = await _bodies(catalog, settings, shown)
    else:
        bodies = [""] * len(shown)
    names = await bylines(shown)
    result = []
    for article, image, body in zip(shown, images, bodies, strict=True):
        tags.add(article_tag(article.id))
        tags.update(tag_tag(slug) for slug in article.tags)
        tags.update(author_tag(slug) for slug in article.authors)
        result.append(
            Item(
                guid=guid(article, settings),
                url=article_url(article, settings),
                title=clean(article.headline),
                published=article.published_at,
                updated=max(article.updated_at, article.published_at),
                author=clean(names[article.id]),
                summary=clean(article.excerpt),
                content_html=clean(body),
                categories=tuple(
                    (slug, clean(every_tag[slug].name) if slug in every_tag else slug)
                    for slug in article.tags
                ),
                image=image,
            )
        )
    return result, tags
