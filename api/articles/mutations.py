"""Editing articles: create, update, move through the workflow, delete, restore a revision.

Every mutation needs an editor (or admin) token and goes through `cms.workflow`; expected
failures come back as typed `UserError` members, never as top-level errors.
"""

from datetime import datetime
from typing import Annotated

import strawberry

from api.articles.inputs import ArticleInput, ArticlePatch, author_slugs
from api.articles.types import Article, ArticleId, ArticleStatus
from api.auth import require
from api.context import Info
from api.nodes import node_id_or
from api.user_errors import (
    ArticleNotFound,
    InvalidInput,
    InvalidTransition,
    RevisionNotFound,
    SlugTaken,
    VersionConflict,
    returns_user_errors,
)
from cms import articles
from cms.access import Permission
from cms.errors import ArticleNotFoundError
from cms.visibility import Audience
from cms.workflow import articles as workflow


@strawberry.type(description="The article as saved.")
class ArticleSaved:
    article: Article = strawberry.field(description="The article after the save, any status.")


@strawberry.type(description="The article was deleted; its revisions are kept.")
class ArticleDeleted:
    id: strawberry.ID = strawberry.field(description="The global ID it had.")
    slug: str = strawberry.field(description="The slug it had.")


def _saved(article: articles.Article) -> ArticleSaved:
    return ArticleSaved(article=Article.from_document(article, Audience.PREVIEW))


def _article_id(global_id: str) -> str:
    return node_id_or(global_id, "Article", ArticleNotFoundError(global_id, published=False))


Version = Annotated[
    int, strawberry.argument(description="The `version` the change is based on (from a read).")
]
OptionalVersion = Annotated[
    int | None,
    strawberry.argument(description="If given, refuse with a conflict unless still at it."),
]

CreateArticleResult = Annotated[
    ArticleSaved | InvalidInput | SlugTaken,
    strawberry.union("CreateArticleResult", description="The new draft, or why not."),
]
UpdateArticleResult = Annotated[
    ArticleSaved | InvalidInput | SlugTaken | VersionConflict | ArticleNotFound,
    strawberry.union("UpdateArticleResult", description="The saved article, or why not."),
]
TransitionArticleResult = Annotated[
    ArticleSaved | InvalidTransition | VersionConflict | ArticleNotFound,
    strawberry.union("TransitionArticleResult", description="The moved article, or why not."),
]
DeleteArticleResult = Annotated[
    ArticleDeleted | VersionConflict | ArticleNotFound,
    strawberry.union("DeleteArticleResult", description="What was deleted, or why not."),
]
RestoreRevisionResult = Annotated[
    ArticleSaved | InvalidInput | SlugTaken | VersionConflict | RevisionNotFound | ArticleNotFound,
    strawberry.union("RestoreRevisionResult", description="The restored article, or why not."),
]


@strawberry.type
class ArticleMutation:
    @strawberry.mutation(description="Create an article as a draft. Needs an editor token.")
    @returns_user_errors
    async def create_article(
        self,
        info: Info,
        input: Annotated[ArticleInput, strawberry.argument(description="Its content.")],
    ) -> CreateArticleResult:
        actor = await require(info, Permission.EDIT)
        content = await author_slugs(input.values())
        return _saved(await workflow.create_article(actor=actor, content=content))

    @strawberry.mutation(
        description="Change some fields of an article. Refused with `VersionConflict` if "
        "someone saved it since `version`. Needs an editor token."
    )
    @returns_user_errors
    async def update_article(
        self,
        info: Info,
        id: ArticleId,
        version: Version,
        input: Annotated[ArticlePatch, strawberry.argument(description="Fields to change.")],
    ) -> UpdateArticleResult:
        actor = await require(info, Permission.EDIT)
        article = await workflow.update_article(
            actor=actor,
            article_id=_article_id(id),
            changes=await author_slugs(input.values()),
            base_version=version,
        )
        return _saved(article)

    @strawberry.mutation(
        description="Move an article through the workflow: DRAFT -> REVIEW; DRAFT or REVIEW -> "
        "PUBLISHED or SCHEDULED (needs a future `publishAt`); SCHEDULED -> PUBLISHED (early); "
        "PUBLISHED -> ARCHIVED; and back to DRAFT from any other status. Needs an editor token."
    )
    @returns_user_errors
    async def transition_article(
        self,
        info: Info,
        id: ArticleId,
        to: Annotated[ArticleStatus, strawberry.argument(description="The status to move to.")],
        publish_at: Annotated[
            datetime | None,
            strawberry.argument(
                description="For SCHEDULED, when (in the future); for PUBLISHED, a past time to "
                "backdate to (default: now, or the date it first had)."
            ),
        ] = None,
        version: OptionalVersion = None,
    ) -> TransitionArticleResult:
        actor = await require(info, Permission.EDIT)
        article = await workflow.transition_article(
            actor=actor,
            article_id=_article_id(id),
            to=to.to_cms(),
            publish_at=publish_at,
            base_version=version,
        )
        return _saved(article)

    @strawberry.mutation(
        description="Delete an article (its revisions stay). Needs an editor token."
    )
    @returns_user_errors
    async def delete_article(
        self, info: Info, id: ArticleId, version: OptionalVersion = None
    ) -> DeleteArticleResult:
        actor = await require(info, Permission.EDIT)
        article = await workflow.delete_article(
            actor=actor, article_id=_article_id(id), base_version=version
        )
        return ArticleDeleted(id=id, slug=article.slug)

    @strawberry.mutation(
        description="Bring back the content of a revision as a new save (the status stays). "
        "Needs an editor token."
    )
    @returns_user_errors
    async def restore_revision(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The revision's `id`.")],
        version: Version,
    ) -> RestoreRevisionResult:
        actor = await require(info, Permission.EDIT)
        article = await workflow.restore_revision(actor=actor, revision_id=id, base_version=version)
        return _saved(article)
