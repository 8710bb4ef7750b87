"""`newsroom authors migrate`: articles whose byline is still text get authors or a credit.

Each is mapped as an old-style fixture line is (`byline_of_name`) and saved through the write
path (a revision and an event each). An article with authors or a credit is left alone, so a
second run changes nothing.
"""

from dataclasses import dataclass, field

from cms.access import Actor
from cms.articles import Article
from cms.errors import VersionConflictError
from cms.workflow.articles import update_article
from cms.workflow.authors import authors_by_name, byline_of_name


@dataclass(slots=True)
class Migration:
    """What a run did: articles given authors, given a credit, and the authors it created."""

    to_authors: list[str] = field(default_factory=list)
    to_credit: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    # Changed by someone else while it ran: the next run takes them.
    skipped: list[str] = field(default_factory=list)


async def migrate_bylines(*, actor: Actor) -> Migration:
    done = Migration()
    found = Article.get_pymongo_collection().find(
        {"author": {"$exists": True, "$ne": ""}},
        {"slug": 1, "author": 1, "authors": 1, "credit": 1, "version": 1},
    )
    pending = [d async for d in found if not d.get("authors") and not d.get("credit")]
    for document in pending:
        name = document["author"].strip()
        existed = bool(await authors_by_name([name]))
        byline = await byline_of_name(actor=actor, name=name)
        try:
            await update_article(
                actor=actor,
                article_id=str(document["_id"]),
                changes=byline,
                base_version=document["version"],
            )
        except VersionConflictError:
            done.skipped.append(document["slug"])
            continue
        if byline["credit"]:
            done.to_credit.append(document["slug"])
            continue
        done.to_authors.append(document["slug"])
        if not existed and byline["authors"][0] not in done.created:
            done.created.append(byline["authors"][0])
    return done
