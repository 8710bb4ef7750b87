"""The GraphQL schema, assembled from each domain's roots."""

import strawberry
from strawberry import relay

from api.articles.queries import ArticleQuery
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


# Built once: strawberry's relay `node` field cannot be converted into a second schema.
schema = strawberry.Schema(query=Query, mutation=Mutation)
