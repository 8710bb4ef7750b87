"""The GraphQL schema, assembled from each domain's roots."""

from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.articles.mutations import ArticleMutation
from api.articles.queries import ArticleQuery
from api.cost import QueryCostLimiter
from api.errors import is_expected
from api.extensions import StoreOutages
from api.node_query import NodeQuery
from api.ratings.mutations import RatingMutation
from api.scalars import DATETIME
from api.tags.mutations import TagMutation
from api.tags.queries import TagQuery
from api.user_errors import FieldError
from api.webhooks.mutations import WebhookMutation
from api.webhooks.queries import WebhookQuery

MAX_DEPTH = 8
MAX_ALIASES = 20
MAX_TOKENS = 2000


@strawberry.type(
    description="Everything a reader's page can ask for, and what admins read with a token."
)
class Query(ArticleQuery, TagQuery, NodeQuery, WebhookQuery):
    pass


@strawberry.type(
    description="What a reader's page can change (votes), and what editors and admins change "
    "with a token."
)
class Mutation(RatingMutation, ArticleMutation, TagMutation, WebhookMutation):
    pass


class NewsroomSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log bugs with their traceback; a bad request is the client's to fix, not an incident."""
        super().process_errors(
            [error for error in errors if not is_expected(error)], execution_context
        )


schema = NewsroomSchema(
    config=StrawberryConfig(scalar_map={datetime: DATETIME}),
    query=Query,
    mutation=Mutation,
    # Reached only through `InvalidInput.problems`; listed so that it is in the schema's types.
    types=[FieldError],
    extensions=[
        # Bound what one request may ask for before any of it runs: the article page needs a
        # depth of 4 (article > related > tags > name), tokens and aliases stay far below these.
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        # Then by what the answer would hold: page sizes multiplied through the nesting.
        QueryCostLimiter,
        # Frontends send the same few documents over and over: parse and validate each once.
        # (The caches live at module level, shared by the per-request extension instances.)
        lambda: ParserCache(maxsize=1024),
        lambda: ValidationCache(maxsize=1024),
        StoreOutages,
    ],
)
