"""`newsroom search reindex` and `newsroom related rebuild` find and repair a damaged store."""

import json
from datetime import UTC, datetime, timedelta
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
    slugs = {str(article.id): article.slug for article in articles}
    lists = collection("related_profiles")
    stored = await lists.find_one({"_id": articles[1].id})
    members = stored["members"].split()
    intact = [slugs[member] for member in members]
    # Damaged behind the API's back before it reads the list (no event announces such damage,
    # so an answer it had kept would stay until the repair announces itself).
    await lists.update_one({"_id": articles[0].id}, {"$set": {"members": None}})
    await lists.update_one({"_id": articles[1].id}, {"$set": {"members": " ".join(members[::-1])}})
    assert await related(client, "quake-1") == intact[::-1]

    repaired = newsroom("related", "rebuild", env=cli_env)
    again = newsroom("related", "rebuild", env=cli_env)

    assert repaired.returncode == 0, repaired.stderr
    assert "Ranked 3 lists for 3 articles." in repaired.stdout
    assert "Rewrote 2 lists that differed:\n  quake-0\n  quake-1\n" in repaired.stdout
    assert await related(client, "quake-1") == intact
    assert "No differences: every stored list is what the ranking gives." in again.stdout


def _unpacked(document: dict[str, Any]) -> dict[str, Any]:
    """A profile as it was stored before profiles were packed: a field each."""
    slug, status, at, section, terms, tags, pins, excludes, version, cut = json.loads(document["p"])

    def text(value: Any) -> str:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    return {
        "_id": document["_id"],
        "slug": slug,
        "status": status,
        "at": datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=at),
        "section": section,
        "terms": text(terms),
        "tags": text(tags),
        "pins": pins,
        "excludes": excludes,
        "version": version,
        "members": document["members"],
        "cut": text(cut) if cut else None,
    }


@pytest.mark.slow
async def test_rebuild_reads_profiles_stored_before_they_were_packed_and_packs_them(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    await quakes()
    lists = collection("related_profiles")
    packed = await lists.find({}).sort("_id").to_list()
    before = {article: await related(client, article) for article in ("quake-0", "quake-1")}
    for document in packed:
        await lists.replace_one({"_id": document["_id"]}, _unpacked(document))

    repaired = newsroom("related", "rebuild", env=cli_env)

    assert repaired.returncode == 0, repaired.stderr
    assert "No differences: every stored list is what the ranking gives." in repaired.stdout
    assert await lists.find({}).sort("_id").to_list() == packed
    assert {article: await related(client, article) for article in before} == before
