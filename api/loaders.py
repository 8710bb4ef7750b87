"""Per-request DataLoaders: every list field resolves in one round trip per kind, not per item."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from beanie import PydanticObjectId
from strawberry.dataloader import DataLoader

from api.http.cache import Tags
from cms import authors
from cms.articles import Article
from cms.authors import Author
from cms.cache_tags import (
    LISTS,
    article_tag,
    author_tag,
    image_tag,
    rating_tag,
    slug_tag,
    tag_tag,
)
from cms.engagement.ratings import RatingSummary
from cms.media import library
from cms.media.model import LibraryImage
from cms.reading import lookups
from cms.reading.catalog import Catalog
from cms.reading.listing import ArticlePage, PageRequest
from cms.tags import Tag
from cms.visibility import Audience


class RelatedKey(NamedTuple):
    article_id: PydanticObjectId
    first: int


@dataclass
class Loaders:
    """One set per request and audience, so nothing cached outlives the request it was read for,
    and nothing read for a preview answers a public read."""

    audience: Audience
    catalog: Catalog
    # What the answer read, for the response cache (`api/http/cache.py`).
    tags: Tags = field(default_factory=Tags)

    article_by_id: DataLoader[PydanticObjectId, Article | None] = field(init=False)
    article_by_slug: DataLoader[str, Article | None] = field(init=False)
    tag_by_slug: DataLoader[str, Tag | None] = field(init=False)
    tag_by_id: DataLoader[PydanticObjectId, Tag | None] = field(init=False)
    author_by_slug: DataLoader[str, Author | None] = field(init=False)
    author_by_id: DataLoader[PydanticObjectId, Author | None] = field(init=False)
    rating_by_article_id: DataLoader[PydanticObjectId, RatingSummary] = field(init=False)
    related_by_article: DataLoader[RelatedKey, list[Article]] = field(init=False)
    article_page: DataLoader[PageRequest, ArticlePage] = field(init=False)
    article_count_by_tag: DataLoader[str, int] = field(init=False)
    image_by_id: DataLoader[str, LibraryImage | None] = field(init=False)

    def __post_init__(self) -> None:
        self.article_by_id = DataLoader(self._load_articles_by_id)
        self.article_by_slug = DataLoader(self._load_articles_by_slug)
        self.tag_by_slug = DataLoader(self._load_tags_by_slug)
        self.tag_by_id = DataLoader(self._load_tags_by_id)
        self.author_by_slug = DataLoader(self._load_authors_by_slug)
        self.author_by_id = DataLoader(self._load_authors_by_id)
        self.rating_by_article_id = DataLoader(self._load_ratings)
        self.related_by_article = DataLoader(self._load_related)
        self.article_page = DataLoader(self._load_pages)
        self.article_count_by_tag = DataLoader(self._load_article_counts)
        self.image_by_id = DataLoader(self._load_images)

    def prime_articles(self, found: Sequence[Article]) -> None:
        """Remember articles fetched by another loader, so `node` and `related` reuse them."""
        for article in found:
            if article.id is not None:
                self.article_by_id.prime(article.id, article)
            self.article_by_slug.prime(article.slug, article)
            self.tags.add(article_tag(article.id), slug_tag(article.slug))

    async def _load_articles_by_id(self, keys: Sequence[PydanticObjectId]) -> list[Article | None]:
        found = await lookups.by_ids(self.catalog, keys, self.audience)
        self.tags.add_all(article_tag(key) for key in keys)
        self.prime_articles(list(found.values()))
        return [found.get(key) for key in keys]

    async def _load_articles_by_slug(self, keys: Sequence[str]) -> list[Article | None]:
        found = await lookups.by_slugs(self.catalog, keys, self.audience)
        self.tags.add_all(slug_tag(key) for key in keys)
        self.prime_articles(list(found.values()))
        return [found.get(key) for key in keys]

    async def _load_tags_by_slug(self, keys: Sequence[str]) -> list[Tag | None]:
        found = await lookups.tags_by_slugs(self.catalog, keys)
        self.tags.add_all(tag_tag(key) for key in keys)
        self.tags.add_all(tag_tag(tag.id) for tag in found.values())
        return [found.get(key) for key in keys]

    async def _load_tags_by_id(self, keys: Sequence[PydanticObjectId]) -> list[Tag | None]:
        found = await lookups.tags_by_ids(self.catalog, keys)
        self.tags.add_all(tag_tag(key) for key in keys)
        self.tags.add_all(tag_tag(tag.slug) for tag in found.values())
        return [found.get(key) for key in keys]

    async def _load_authors_by_slug(self, keys: Sequence[str]) -> list[Author | None]:
        found = await authors.by_slugs(keys)
        self.tags.add_all(author_tag(key) for key in keys)
        self.tags.add_all(author_tag(author.id) for author in found.values())
        return [found.get(key) for key in keys]

    async def _load_authors_by_id(self, keys: Sequence[PydanticObjectId]) -> list[Author | None]:
        found = await authors.by_ids(keys)
        self.tags.add_all(author_tag(key) for key in keys)
        self.tags.add_all(author_tag(author.slug) for author in found.values())
        return [found.get(key) for key in keys]

    async def _load_ratings(self, keys: Sequence[PydanticObjectId]) -> list[RatingSummary]:
        found = await lookups.ratings(self.catalog, keys)
        self.tags.add_all(rating_tag(key) for key in keys)
        return [found[key] for key in keys]

    async def _load_related(self, keys: Sequence[RelatedKey]) -> list[list[Article]]:
        self.tags.add(LISTS)
        sources = await self.article_by_id.load_many([key.article_id for key in keys])
        visible_sources = [source for source in sources if source is not None]
        found = await lookups.related(
            self.catalog,
            visible_sources,
            first=max(key.first for key in keys),
            audience=self.audience,
        )
        self.prime_articles([article for items in found.values() for article in items])
        return [found.get(key.article_id, [])[: key.first] for key in keys]

    async def _load_pages(self, keys: Sequence[PageRequest]) -> list[ArticlePage]:
        self.tags.add(LISTS)
        pages = await lookups.pages(self.catalog, keys)
        self.prime_articles([article for page in pages for article in page.items])
        return pages

    async def _load_article_counts(self, keys: Sequence[str]) -> list[int]:
        self.tags.add(LISTS)
        found = lookups.tag_counts(self.catalog, keys, self.audience)
        return [found.get(key, 0) for key in keys]

    async def _load_images(self, keys: Sequence[str]) -> list[LibraryImage | None]:
        """Images of the media library that articles show (what any audience may see of them:
        size and focal point), by key."""
        found = await library.images_by_ids(keys)
        self.tags.add_all(image_tag(key) for key in keys)
        return [found.get(key) for key in keys]
