"""The GraphQL schema, assembled from each domain's roots."""

import functools
from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxTokensLimiter, ParserCache
from strawberry.file_uploads import Upload
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.articles.mutations import ArticleMutation
from api.articles.queries import ArticleQuery
from api.authors.mutations import AuthorMutation
from api.authors.queries import AuthorQuery
from api.coded_errors import is_expected
from api.extensions.cost import QueryCostLimiter
from api.extensions.null_messages import NullNotNone
from api.extensions.outages import StoreOutages
from api.extensions.shape import DocumentShape
from api.extensions.validation import CheckDocument, DocumentRules
from api.feedback.mutations import FeedbackMutation
from api.feedback.queries import FeedbackQuery
from api.live.subscriptions import LiveSubscription
from api.media.mutations import MediaMutation
from api.media.queries import MediaQuery
from api.node_query import NodeQuery
from api.ratings.mutations import RatingMutation
from api.redirects import RedirectQuery
from api.scalars import DATETIME, JSON_LD, UPLOAD, JsonLd
from api.tags.mutations import TagMutation
from api.tags.queries import TagQuery
from api.user_errors import FieldError
from api.webhooks.mutations import WebhookMutation
from api.webhooks.queries import WebhookQuery

MAX_TOKENS = 2000


@strawberry.type(
    description="Everything a reader's page can ask for, and what editors and admins read with a "
    "token."
)
class Query(
    ArticleQuery,
    TagQuery,
    AuthorQuery,
    NodeQuery,
    FeedbackQuery,
    WebhookQuery,
    MediaQuery,
    RedirectQuery,
):
    pass


@strawberry.type(
    description="What a reader's page can send (votes, feedback), and what editors and admins "
    "change with a token."
)
class Mutation(
    RatingMutation,
    FeedbackMutation,
    ArticleMutation,
    TagMutation,
    AuthorMutation,
    WebhookMutation,
    MediaMutation,
):
    pass


@strawberry.type(
    description="Live updates over WebSocket at /graphql (the graphql-transport-ws protocol)."
)
class Subscription(LiveSubscription):
    pass


class NewsroomSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Log bugs with their traceback; a bad request is the client's to fix, not an incident."""
        super().process_errors(
            [error for error in errors if not is_expected(error)], execution_context
        )


# Bound what one request may ask for before any of it runs (`api.extensions.shape`): depth, aliases
# and repeated fields, each fragment measured once.
LIMITS = (DocumentShape,)


@functools.cache
def build_schema(*, introspection: bool, suggestions: bool) -> NewsroomSchema:
    """The schema as one posture serves it (production turns introspection and suggestions off)."""
    rules = DocumentRules(limits=LIMITS, introspection=introspection, suggestions=suggestions)
    return NewsroomSchema(
        config=StrawberryConfig(scalar_map={datetime: DATETIME, JsonLd: JSON_LD, Upload: UPLOAD}),
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        # Reached only through `InvalidInput.problems`; listed so that it is in the schema's types.
        types=[FieldError],
        extensions=[
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            # Frontends send the same few documents over and over: parse each once (the cache
            # lives at module level, shared by the per-request extension instances).
            lambda: ParserCache(maxsize=1024),
            lambda: CheckDocument(rules),
            # Then by what the answer would hold: page sizes multiplied through the nesting.
            QueryCostLimiter,
            StoreOutages,
            NullNotNone,
        ],
    )


# The full schema, as exported to schema.graphql.
schema = build_schema(introspection=True, suggestions=True)
