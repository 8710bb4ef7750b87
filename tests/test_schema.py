"""The schema contract: committed, documented, and its examples valid."""

from typing import Any

import pytest
from graphql import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

from api.examples import (
    ARTICLE_PAGE_QUERY,
    ARTICLE_PAGE_VARIABLES,
    EXAMPLES,
    LATEST_ARTICLES_QUERY,
    TAG_PAGE_QUERY,
    VOTE_MUTATION,
)
from api.schema import schema
from tests.cli import newsroom
from tests.conftest import REPO
from tests.graphql_client import GraphQLClient


def test_committed_schema_matches_the_code(cli_env: dict[str, str]) -> None:
    exported = newsroom("schema", "export", env=cli_env)

    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == (REPO / "schema.graphql").read_text(), (
        "schema.graphql is stale: run `newsroom schema export -o schema.graphql` and commit it."
    )


def _own_types() -> list[Any]:
    return [
        named
        for name, named in schema._schema.type_map.items()
        if not name.startswith("__") and name not in {"String", "Int", "Float", "Boolean", "ID"}
    ]


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    undocumented = []
    for named in _own_types():
        if not named.description:
            undocumented.append(named.name)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                if not field.description:
                    undocumented.append(f"{named.name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        undocumented.append(f"{named.name}.{field_name}({arg_name})")
        if isinstance(named, GraphQLEnumType):
            undocumented += [
                f"{named.name}.{value_name}"
                for value_name, value in named.values.items()
                if not value.description
            ]

    assert undocumented == []


@pytest.mark.slow
async def test_the_graphiql_examples_run_on_the_demo_content(demo: GraphQLClient) -> None:
    page = await demo.data(ARTICLE_PAGE_QUERY, ARTICLE_PAGE_VARIABLES)
    latest = await demo.data(LATEST_ARTICLES_QUERY)
    next_page = await demo.data(
        LATEST_ARTICLES_QUERY, {"after": latest["articles"]["pageInfo"]["endCursor"]}
    )
    tag = await demo.data(TAG_PAGE_QUERY, {"slug": "north-korea"})
    vote = await demo.data(VOTE_MUTATION, {"articleId": page["article"]["id"], "stars": 5})

    assert len(page["article"]["related"]) == 12
    assert len(latest["articles"]["edges"]) == 10
    assert next_page["articles"]["edges"][0] != latest["articles"]["edges"][0]
    assert tag["tag"]["articleCount"] >= len(tag["tag"]["articles"]["nodes"]) > 0
    assert vote["vote"]["__typename"] == "VoteSuccess"
    assert set(EXAMPLES) == {
        ARTICLE_PAGE_QUERY,
        LATEST_ARTICLES_QUERY,
        TAG_PAGE_QUERY,
        VOTE_MUTATION,
    }
