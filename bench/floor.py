"""The floor for the load benchmark: a plain Strawberry app with no Newsroom code in it."""

import strawberry
from strawberry.asgi import GraphQL


@strawberry.type
class Query:
    hello: str = "world"


app = GraphQL(strawberry.Schema(query=Query))
