"""A newsroom-sized archive: 10,000 generated articles, loaded in one go and served whole."""

from collections import Counter

import pytest

from cms.fixtures.synthetic import generate_archive
from cms.reading.catalog import Catalog
from cms.workflow.imports import import_content
from tests.factories import FACTORY
from tests.graphql_client import GraphQLClient

SIZE = 10_000
PAGE = """
query ($slug: String!) {
  article(slug: $slug) {
    headline body tags { slug name } rating { average count }
    related(first: 12) { slug tags { slug } section }
  }
}
"""
FRONT = "{ articles(first: 20) { totalCount nodes { slug publishedAt } } }"
TAG = """
query ($slug: String!, $after: String) {
  tag(slug: $slug) {
    articleCount
    articles(first: 100, after: $after) {
      pageInfo { hasNextPage endCursor } nodes { slug }
    }
  }
}
"""
SEARCH = """
query ($term: String!) { articles(first: 5, filter: {search: $term}) { totalCount nodes { slug } } }
"""


@pytest.mark.slow
async def test_ten_thousand_articles_load_and_are_served(client: GraphQLClient) -> None:
    archive = generate_archive(SIZE)

    report = await import_content(actor=FACTORY, tags=archive.tags, articles=archive.articles)

    assert report.counts["articles"]["created"] == SIZE
    newest = max(archive.articles, key=lambda item: item.content.published_at)
    front = (await client.data(FRONT))["articles"]
    assert front["totalCount"] == SIZE
    assert front["nodes"][0]["slug"] == newest.content.slug

    source = archive.articles[1234].content
    page = (await client.data(PAGE, {"slug": source.slug}))["article"]
    assert page["headline"] == source.headline
    assert len(page["related"]) == 12
    assert source.slug not in {item["slug"] for item in page["related"]}
    if source.tags:
        # Ranked by shared tags first: the top item shares one.
        assert set(source.tags) & {tag["slug"] for tag in page["related"][0]["tags"]}

    counts = Counter(tag for item in archive.articles for tag in item.content.tags)
    tag, expected = counts.most_common(1)[0]
    walked: list[str] = []
    after = None
    while True:
        found = (await client.data(TAG, {"slug": tag, "after": after}))["tag"]
        walked += [node["slug"] for node in found["articles"]["nodes"]]
        after = found["articles"]["pageInfo"]["endCursor"]
        if not found["articles"]["pageInfo"]["hasNextPage"]:
            break
    assert found["articleCount"] == expected
    assert len(walked) == len(set(walked)) == expected

    term = source.headline.split()[-1]  # the article's number: unique in its headline
    searched = (await client.data(SEARCH, {"term": f" {term}"}))["articles"]
    assert searched["totalCount"] >= 1

    # The catalog the app serves from equals one read afresh from the store.
    fresh = await Catalog.load()
    assert len(fresh) == SIZE
    assert client.catalog.differences(fresh) == []
