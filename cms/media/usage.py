"""Which articles use the images of a page of the library, with one query for the whole page.

On MongoDB the index on `image.id` answers it; the embedded store reads the articles once per
page (a desk page for editors, never a reader's request).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from cms.articles import Article
from cms.status import ArticleStatus

# Articles read for one page at most: an image used more often is said to be used "at least" so.
MAX_READ = 2000
# Articles named per image.
SHOWN = 5


@dataclass(slots=True)
class Usage:
    """An image's articles: how many, the first few (id and slug), and the published ones without
    alt text (their readers who cannot see the image are told nothing of it)."""

    count: int = 0
    articles: list[tuple[str, str]] = field(default_factory=list)
    missing_alt: list[tuple[str, str]] = field(default_factory=list)
    at_least: bool = False


async def usage(image_ids: Sequence[str]) -> dict[str, Usage]:
    """Each image's Usage, by id (an image no article uses has an empty one)."""
    found: dict[str, Usage] = {image_id: Usage() for image_id in image_ids}
    if not image_ids:
        return found
    cursor = (
        Article.get_pymongo_collection()
        .find(
            {"image.id": {"$in": list(image_ids)}},
            {"slug": 1, "status": 1, "image.id": 1, "image.alt": 1},
        )
        .sort("slug", 1)
        .limit(MAX_READ)
    )
    read = 0
    async for document in cursor:
        read += 1
        image = document.get("image") or {}
        used = found.get(image.get("id", ""))
        if used is None:
            continue
        used.count += 1
        article = (str(document["_id"]), document["slug"])
        if len(used.articles) < SHOWN:
            used.articles.append(article)
        if document.get("status") == ArticleStatus.PUBLISHED and not image.get("alt"):
            used.missing_alt.append(article)
    if read >= MAX_READ:
        for used in found.values():
            used.at_least = used.count > 0
    return found
