"""Authors: the people credited in bylines, and reads of them.

An article's byline is its ordered `authors` (slugs, like its tags) and an optional free-text
`credit` for agency or staff copy. Articles from before authors existed hold the byline as text
in `author`; they are read as before until `newsroom authors migrate` upgrades them, and any
write maps that text as fixture files' `author:` is mapped (`byline_of_name`).
"""

from collections.abc import Iterable, Sequence
from typing import Annotated, Any

from beanie import Document, Indexed, PydanticObjectId
from pydantic import Field
from slugify import slugify

from cms.articles import Article
from cms.config import Settings
from cms.content import MAX_SLUG, AuthorFields, Slug
from cms.reading.pagination import Cursor, SlugPage, page_by_slug
from cms.store.batches import find_in


class Author(Document, AuthorFields):
    slug: Annotated[Slug, Indexed(unique=True)]
    recent_ops: list[str] = Field(default_factory=list)

    class Settings:
        name = "authors"


async def by_slugs(slugs: Sequence[str]) -> dict[str, Author]:
    found = await find_in(Author.get_pymongo_collection(), "slug", slugs)
    return {document["slug"]: Author.model_validate(document) for document in found}


async def by_ids(ids: Sequence[PydanticObjectId]) -> dict[PydanticObjectId, Author]:
    found = await find_in(Author.get_pymongo_collection(), "_id", ids)
    return {document["_id"]: Author.model_validate(document) for document in found}


async def page_of_authors(
    *, first: int, after: Cursor | None, last: int | None = None, before: Cursor | None = None
) -> SlugPage[Author]:
    """Authors in slug order: `first` after `after`, or (given `last`) the `last` before
    `before`."""
    return await page_by_slug(Author, first=first, after=after, last=last, before=before)


def author_url(slug: str, settings: Settings) -> str:
    """The author's page on the site: `site_url` and `author_path` filled in."""
    return settings.site_url + settings.author_path.format(slug=slug)


def name_key(name: str) -> str:
    """Names are matched whatever their case and spacing."""
    return " ".join(name.casefold().split())


def slug_for(name: str) -> str:
    return slugify(name, max_length=MAX_SLUG, word_boundary=True) or "author"


def free_slug(name: str, taken: Iterable[str]) -> str:
    """A slug for a new author called `name`: two people of one name get distinct slugs."""
    base, used = slug_for(name), set(taken)
    if base not in used:
        return base
    number = 2
    while f"{base}-{number}" in used:
        number += 1
    return f"{base}-{number}"


def joined(names: Sequence[str]) -> str:
    """Names as a byline reads them: "A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def byline_text(article: Article, names: dict[str, str]) -> str:
    """The byline as one line (`names`: author names by slug): the authors' names joined, else
    the credit, else (an article not migrated yet) its old `author` text."""
    shown = [names.get(slug, slug) for slug in article.authors]
    return joined(shown) or article.credit or article.author


async def bylines(articles: Sequence[Article]) -> dict[Any, str]:
    """Each article's byline as one line, by id (one read for all their authors)."""
    found = await by_slugs(list({slug for article in articles for slug in article.authors}))
    names = {slug: author.name for slug, author in found.items()}
    return {article.id: byline_text(article, names) for article in articles}


def is_credit(name: str, settings: Settings) -> bool:
    """Whether an old `author:` name is agency or staff copy (`byline_credits`)."""
    return name_key(name) in {name_key(credit) for credit in settings.byline_credits}


def legacy_values(values: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Content without its old `author` text, and that text if it is to become the byline
    (the values name neither authors nor a credit)."""
    rest = dict(values)
    name = rest.pop("author", None)
    if not isinstance(name, str) or not name.strip() or rest.get("authors") or rest.get("credit"):
        return rest, None
    return rest, name.strip()
