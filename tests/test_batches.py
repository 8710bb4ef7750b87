"""Reads by a list of keys (`cms.store.batches.find_in`) answer as MongoDB's `$in` would."""

from cms.articles import Article
from cms.store.batches import CHUNK, find_in
from tests.graphql_client import GraphQLClient


async def test_a_long_list_keeps_id_in_an_inclusion_projection_as_mongodb_does(
    client: GraphQLClient,
) -> None:
    """Past CHUNK keys the embedded store is read in one pass, matched in Python: that path
    once dropped `_id` from a projection naming other fields alone (a month's sitemap of 830
    articles answered 500)."""
    collection = Article.get_pymongo_collection().database["batch_reads"]
    count = CHUNK + 50
    await collection.insert_many(
        [{"n": n, **({"image": "x"} if n % 2 else {})} for n in range(count)]
    )
    ids = [document["_id"] async for document in collection.find({}, {"_id": 1})]

    by_id = await find_in(collection, "_id", ids, projection={"image": 1})
    without_id = await find_in(collection, "_id", ids, projection={"_id": 0, "image": 1})
    by_n = await find_in(collection, "n", range(count), projection={"image": 1})

    assert sorted(document["_id"] for document in by_id) == sorted(ids)
    assert all(set(document) <= {"_id", "image"} for document in by_id)
    assert len(without_id) == count
    assert all("_id" not in document and "n" not in document for document in without_id)
    assert sorted(document["_id"] for document in by_n) == sorted(ids)
    assert all("n" not in document for document in by_n)
