"""Readers' feedback, for editors."""

from typing import Annotated

import strawberry

from api.coded_errors import BadUserInput
from api.context import Info
from api.feedback.types import FeedbackConnection
from api.nodes import node_id_of
from api.pagination import First
from cms.articles import parse_object_id


@strawberry.type
class FeedbackQuery:
    @strawberry.field(
        description="Readers' private notes, newest first: all, or one article's. Needs an "
        "editor or admin token."
    )
    async def feedback(
        self,
        info: Info,
        first: First = 10,
        after: Annotated[
            str | None,
            strawberry.argument(description="Start after this cursor (a page's `endCursor`)."),
        ] = None,
        article_id: Annotated[
            strawberry.ID | None,
            strawberry.argument(description="Only notes about this article (its global `id`)."),
        ] = None,
    ) -> FeedbackConnection:
        object_id = None
        if article_id is not None:
            node_id = node_id_of(article_id, "Article")
            object_id = parse_object_id(node_id) if node_id else None
            if object_id is None:
                raise BadUserInput(f"{article_id!r} is not an article's ID.")
        return await FeedbackConnection.resolve(
            info, first=first, after=after, article_id=object_id
        )
