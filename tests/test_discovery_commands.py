"""`newsroom search reindex` and `newsroom related rebuild` find and repair a damaged store."""

import json
from typing import Any

import pytest

from cms.articles import Article
from tests.cli import newsroom
from tests.graphql_client import GraphQLClient
from tests.test_discovery_writes import found, quakes, related


def collection(name: str) -> Any:
    return Article.get_pymongo_collection().database[name]


@pytest.mark.slow
async def test_reindex_repairs_a_damaged_index(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    await quakes()
    await collection("search_terms").delete_many({})
    await collection("search_docs").delete_one({})
    await collection("search_stats").update_one({}, {"$set": {"n": 99}})
    assert await found(client, "aftershocks") == []

    repaired = newsroom("search", "reindex", env=cli_env)
    again = newsroom("search", "reindex", env=cli_env)

    assert repaired.returncode == 0, repaired.stderr
    assert "Indexed 3 articles." in repaired.stdout
    assert "Fixed: 1 article entry" in repaired.stdout
    assert "the statistics." in repaired.stdout
    assert await found(client, "aftershocks") == ["quake-0", "quake-1", "quake-2"]
    assert "Nothing to fix: the index matched every article." in again.stdout


@pytest.mark.slow
async def test_rebuild_repairs_damaged_related_lists(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    articles = await quakes()
    lists = collection("related")
    stored = await lists.find_one({"_id": articles[1].id})
    intact = [json.loads(item)["slug"] for item in stored["items"]]
    # Damaged behind the API's back before it reads the list (no event announces such damage,
    # so an answer it had kept would stay until the repair announces itself).
    await lists.delete_one({"_id": articles[0].id})
    await lists.update_one({"_id": articles[1].id}, {"$set": {"items": stored["items"][::-1]}})
    assert await related(client, "quake-1") == intact[::-1]

    repaired = newsroom("related", "rebuild", env=cli_env)
    again = newsroom("related", "rebuild", env=cli_env)

    assert repaired.returncode == 0, repaired.stderr
    assert "Ranked 3 lists for 3 articles." in repaired.stdout
    assert "Rewrote 2 lists that differed:\n  quake-0\n  quake-1\n" in repaired.stdout
    assert await related(client, "quake-1") == intact
    assert "No differences: every stored list is what the ranking gives." in again.stdout
