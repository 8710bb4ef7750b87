"""The GraphQL schema, assembled from each domain's roots."""

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from api.articles.queries import ArticleQuery
from api.errors import is_expected
from api.ratings.mutations import RatingMutation
from api.tags.queries import TagQuery


@strawberry.type(description="Everything a reader's page can ask for.")
class Query(ArticleQuery, TagQuery):
    node: relay.Node | None = relay.node(
        description="Any object by its global `id`, or null if none has that ID."
    )


@strawberry.type(description="What a reader's page can change.")
class Mutation(RatingMutation):
    pass


class NewsroomSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log bugs with their traceback; a bad request is the client's to fix, not an incident."""
        super().process_errors(
            [error for error in errors if not is_expected(error)], execution_context
        )


# Built once: strawberry's relay `node` field cannot be converted into a second schema.
schema = NewsroomSchema(
    query=Query,
    mutation=Mutation,
    # Frontends send the same few documents over and over: parse and validate each once.
    # (The caches live at module level, shared by the per-request extension instances.)
    extensions=[lambda: ParserCache(maxsize=1024), lambda: ValidationCache(maxsize=1024)],
)
