"""Every list field is batched: database commands do not grow with the number of items."""

import pytest

from cms import maintenance
from cms.config import Settings
from tests.factories import make_article, make_tag
from tests.graphql_client import CommandCounter, GraphQLClient

ARTICLE_PAGE = """
query ($slug: String!, $related: Int!) {
  article(slug: $slug) {
    headline body
    tags { slug name }
    rating { average count }
    related(first: $related) { headline tags { slug } rating { average count } }
  }
}
"""

FRONT_PAGE = """
query ($first: Int!) {
  articles(first: $first) {
    totalCount
    nodes {
      headline
      tags { slug name articleCount }
      rating { count }
      related(first: 3) { slug rating { count } }
    }
  }
  tags(first: 10) { nodes { slug articleCount articles(first: 2) { nodes { slug } } } }
}
"""


async def seed(count: int) -> None:
    for slug in ("one", "two", "three"):
        await make_tag(slug=slug)
    for index in range(count):
        tags = [["one"], ["one", "two"], ["three"], []][index % 4]
        await make_article(slug=f"article-{index}", tags=tags)


async def commands_for(
    client: GraphQLClient, commands: CommandCounter, query: str, variables: dict[str, object]
) -> list[str]:
    # From cold: what the app remembers between requests (articles, ratings, tags) forgotten.
    catalog = client.catalog
    catalog.articles.clear()
    catalog.ratings.clear()
    catalog.tags = None
    commands.reset()
    await client.data(query, variables)
    return list(commands.names)


@pytest.mark.slow
async def test_the_article_page_costs_the_same_for_any_number_of_related(
    client: GraphQLClient, commands: CommandCounter
) -> None:
    await seed(20)

    # An untagged article, so its related items' tags are never already cached.
    page = {"slug": "article-3"}
    few = await commands_for(client, commands, ARTICLE_PAGE, page | {"related": 2})
    many = await commands_for(client, commands, ARTICLE_PAGE, page | {"related": 12})

    assert many == few
    # The article (found by slug in the catalog, fetched by `_id`); its rating (it has no
    # tags); its stored list (the members only); the related articles (fetched by `_id`, once
    # read kept in memory as any article); their tags and ratings.
    assert len(many) == 6, many


@pytest.mark.slow
async def test_a_front_page_costs_the_same_for_any_page_size(
    client: GraphQLClient, commands: CommandCounter
) -> None:
    await seed(24)

    small = await commands_for(client, commands, FRONT_PAGE, {"first": 2})
    large = await commands_for(client, commands, FRONT_PAGE, {"first": 20})

    assert sorted(large) == sorted(small)
    # Lists, counts and rankings come from the catalog, so what is left is fetching, batched per
    # kind: the front page's articles, the tags page and its count, the tags' articles, the
    # articles' tags, their ratings, their stored related lists, the related articles and their
    # ratings.
    assert len(large) == 9, large


async def test_the_counter_leaves_out_every_command_of_the_upkeep(
    client: GraphQLClient, settings: Settings, commands: CommandCounter
) -> None:
    """Tests count what a request asks while the app's upkeep runs beside it (its first round,
    with the hourly pruning, can overlap a test's first request): none of the upkeep's counts."""
    await seed(4)
    commands.reset()

    await maintenance.run_once(settings, sweep=True, prune=True)

    assert commands.names == []
