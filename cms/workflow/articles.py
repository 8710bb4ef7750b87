"""Editing articles: create, update, move through the workflow, delete, restore a revision."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from cms import tags
from cms.access import Actor
from cms.articles import Article, parse_object_id
from cms.authors import legacy_values
from cms.clock import storable, utcnow
from cms.content import ArticleContent, FieldProblem, field_problems
from cms.errors import (
    ArticleNotFoundError,
    InvalidContentError,
    RevisionNotFoundError,
    SlugTakenError,
    VersionConflictError,
)
from cms.media import library
from cms.revisions import get_revision
from cms.spine import journal
from cms.spine.journal import ChangeRefused, Operation
from cms.status import ArticleStatus
from cms.text.blocks import BodyProblem
from cms.text.body import checked
from cms.workflow.authors import byline_of_name, check_bylines
from cms.workflow.plans import content_of, plan_create, plan_delete, plan_save
from cms.workflow.transitions import publication_time


async def validate_content(values: Mapping[str, Any], *, actor: Actor) -> ArticleContent:
    """Content by the rules fixture files follow, tags and authors that exist included; every
    problem. An old-style `author` name (with no authors or credit) is mapped as fixture files'
    is (`byline_of_name`: a credit, or the author of that name, found or created by `actor`)."""
    rest, name = legacy_values(dict(values))
    if name is not None:
        try:
            rest |= await byline_of_name(actor=actor, name=name)
        except InvalidContentError as error:
            # The name would make an author it cannot be: said of what the caller wrote.
            problems = [FieldProblem("author", problem.message) for problem in error.problems]
            raise InvalidContentError(problems) from None
    try:
        content = ArticleContent.model_validate(rest)
    except ValidationError as error:
        raise InvalidContentError(field_problems(error)) from None
    known = await tags.by_slugs(content.tags)
    unknown = [
        FieldProblem(f"tags.{index}", f"unknown tag {slug!r}")
        for index, slug in enumerate(content.tags)
        if slug not in known
    ]
    unknown += await _body_problems(content.body)
    if unknown:
        raise InvalidContentError(unknown)
    await check_bylines(content.authors)
    return await library.referenced(content)


def editable(article: Article) -> dict[str, Any]:
    """The article's content as a write starts from: an article not migrated yet brings its
    old byline text, which the write maps (`validate_content`)."""
    return {**content_of(article), "author": article.author}


async def _body_problems(body: str) -> list[FieldProblem]:
    """What is wrong in the body's blocks, each with its line, and images the library lacks."""
    check = await checked(body)
    found = await library.images_by_ids(list(check.image_ids)) if check.image_ids else {}
    missing = [
        BodyProblem(line, f"no image of the media library has the ID {image_id[:12]}...")
        for image_id, line in check.image_ids.items()
        if image_id not in found
    ]
    return [FieldProblem("body", str(problem)) for problem in [*check.problems, *missing]]


async def current_article(article_id: str) -> Article:
    """The article with this id, in any status (editors see every one)."""
    object_id = parse_object_id(article_id)
    found = await Article.get(object_id) if object_id else None
    if found is None:
        raise ArticleNotFoundError(article_id, published=False)
    return found


async def _run(operation: Operation, *, current: Article | None, slug: str) -> None:
    """Run a planned write; refusals become the caller's conflict or taken slug."""
    try:
        await journal.run(operation)
    except ChangeRefused as refused:
        if "slug" in refused.key_pattern:
            raise SlugTakenError(slug) from None
        if current is None:
            raise
        assert current.id is not None
        now = await Article.get(current.id)
        if now is None:
            raise ArticleNotFoundError(str(current.id), published=False) from None
        raise VersionConflictError(current=now.version, based_on=current.version) from None


async def create_article(*, actor: Actor, content: Mapping[str, Any]) -> Article:
    """A new draft. `published_at` defaults to now; publishing may set it again."""
    now = utcnow()
    validated = await validate_content({"published_at": now, **content}, actor=actor)
    values = {**validated.values(), "status": ArticleStatus.DRAFT}
    operation, after = plan_create(actor=actor, values=values, now=now)
    await _run(operation, current=None, slug=validated.slug)
    return Article.model_validate(after)


async def _save(
    *, actor: Actor, current: Article, values: dict[str, Any], base_version: int | None
) -> Article:
    if base_version is not None and base_version != current.version:
        raise VersionConflictError(current=current.version, based_on=base_version)
    planned = plan_save(actor=actor, current=current, values=values, now=utcnow())
    if planned is None:
        return current
    operation, after = planned
    await _run(operation, current=current, slug=after["slug"])
    return Article.model_validate(after)


async def update_article(
    *, actor: Actor, article_id: str, changes: Mapping[str, Any], base_version: int
) -> Article:
    """Change some content fields of the article at `base_version`; the rest stay."""
    current = await current_article(article_id)
    validated = await validate_content({**editable(current), **changes}, actor=actor)
    return await _save(
        actor=actor, current=current, values=validated.values(), base_version=base_version
    )


async def transition_article(
    *,
    actor: Actor,
    article_id: str,
    to: ArticleStatus,
    publish_at: datetime | None = None,
    base_version: int | None = None,
) -> Article:
    """Move the article through the workflow (`cms.workflow.transitions`)."""
    current = await current_article(article_id)
    published_at = publication_time(
        current=current.status,
        target=to,
        publish_at=storable(publish_at) if publish_at else None,
        published_at=current.published_at,
        ever_public=current.first_published_at is not None,
        now=utcnow(),
    )
    values = {"status": to, "published_at": published_at}
    return await _save(actor=actor, current=current, values=values, base_version=base_version)


async def delete_article(
    *, actor: Actor, article_id: str, base_version: int | None = None
) -> Article:
    """Delete the article; its revisions stay for the record. The deleted article is returned."""
    current = await current_article(article_id)
    if base_version is not None and base_version != current.version:
        raise VersionConflictError(current=current.version, based_on=base_version)
    await _run(plan_delete(actor=actor, current=current, now=utcnow()), current=current, slug="")
    return current


async def restore_revision(*, actor: Actor, revision_id: str, base_version: int) -> Article:
    """Bring back the content a revision recorded, as a new save (its status stays as it is)."""
    revision = await get_revision(revision_id)
    if revision is None:
        raise RevisionNotFoundError(revision_id)
    current = await current_article(str(revision.article_id))
    validated = await validate_content(revision.content, actor=actor)
    return await _save(
        actor=actor, current=current, values=validated.values(), base_version=base_version
    )
