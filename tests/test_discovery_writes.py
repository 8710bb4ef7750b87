"""Every kind of write keeps the search index and the stored related lists exact.

After each write, rebuilding both from the articles finds nothing to fix, and readers find what
the write made: search and "You may also like" included.
"""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from hypothesis import given
from hypothesis import strategies as st
from strawberry import relay

from cms import discovery
from cms.articles import Article
from cms.search.index import unpack
from cms.status import ArticleStatus
from cms.store import overlay
from cms.workflow.articles import update_article
from tests.cli import newsroom
from tests.conftest import REPO
from tests.exactness import assert_exact
from tests.factories import FACTORY, global_id, make_article, make_tag
from tests.graphql_client import GraphQLClient
from tests.operations import UPDATE_ARTICLE

SEARCH = """
query ($term: String!) { articles(filter: {search: $term}) { nodes { slug } } }
"""
RELATED = "query ($slug: String!) { article(slug: $slug) { related(first: 20) { slug } } }"
TRANSITION = """
mutation ($id: ID!, $to: ArticleStatus!, $at: DateTime) {
  transitionArticle(id: $id, to: $to, publishAt: $at) { __typename }
}
"""
DELETE = "mutation ($id: ID!) { deleteArticle(id: $id) { __typename } }"
UPDATE_TAG = """
mutation ($id: ID!, $input: TagPatch!) { updateTag(id: $id, input: $input) { __typename } }
"""


async def found(client: GraphQLClient, term: str) -> list[str]:
    data = await client.data(SEARCH, {"term": term})
    return sorted(node["slug"] for node in data["articles"]["nodes"])


async def related(client: GraphQLClient, slug: str) -> list[str]:
    data = await client.data(RELATED, {"slug": slug})
    return [item["slug"] for item in data["article"]["related"]]


async def quakes(count: int = 3, **fields: Any) -> list[Any]:
    """Articles about one quake, so that each lists the others."""
    return [
        await make_article(
            slug=f"quake-{index}",
            headline=f"Quake Report {index}",
            body=f"The quake shook the coast. Aftershocks followed. Rescue {index}.",
            **fields,
        )
        for index in range(count)
    ]


async def test_creating_articles(client: GraphQLClient) -> None:
    await quakes()
    await make_article(slug="other", headline="Budget Talks", body="Ministers met.")

    assert await found(client, "aftershocks") == ["quake-0", "quake-1", "quake-2"]
    assert (await related(client, "quake-0"))[:2] == ["quake-1", "quake-2"]  # nearer in time first
    await assert_exact()


async def test_updating_an_article(editor: GraphQLClient) -> None:
    first, *_ = await quakes()

    result = await editor.data(
        UPDATE_ARTICLE,
        {
            "id": global_id(first),
            "version": first.version,
            "input": {"headline": "Volcano Erupts", "body": "Lava reached the town."},
        },
    )

    assert result["updateArticle"]["__typename"] == "ArticleSaved"
    assert await found(editor, "aftershocks") == ["quake-1", "quake-2"]
    assert await found(editor, "lava") == ["quake-0"]
    # Now about something else, it falls behind in its former neighbours' lists.
    assert (await related(editor, "quake-1"))[0] == "quake-2"
    await assert_exact()


async def test_moving_an_article_out_of_public_view(editor: GraphQLClient) -> None:
    first, *_ = await quakes()

    await editor.data(TRANSITION, {"id": global_id(first), "to": "DRAFT"})

    assert await found(editor, "aftershocks") == ["quake-1", "quake-2"]
    assert "quake-0" not in await related(editor, "quake-1")
    await assert_exact()


async def test_deleting_an_article(editor: GraphQLClient) -> None:
    first, *_ = await quakes()

    await editor.data(DELETE, {"id": global_id(first)})

    assert await found(editor, "aftershocks") == ["quake-1", "quake-2"]
    assert await related(editor, "quake-1") == ["quake-2"]
    await assert_exact()


async def test_renaming_a_tag(editor: GraphQLClient) -> None:
    tag = await make_tag(slug="seismic", name="Seismic Events")
    await make_article(slug="tagged", tags=["seismic"])
    tag_id = str(relay.GlobalID("Tag", str(tag.id)))

    await editor.data(UPDATE_TAG, {"id": tag_id, "input": {"name": "Tremors"}})

    assert await found(editor, "seismic events") == []
    assert await found(editor, "tremors") == ["tagged"]
    await assert_exact()


@pytest.mark.slow
async def test_a_scheduled_article_arrives_without_a_write(editor: GraphQLClient) -> None:
    # Within the year of the scheduled time: articles further apart are not related.
    await quakes(2, published_at=datetime.now(UTC) - timedelta(days=1))
    coming = await make_article(
        slug="coming",
        headline="Quake Aftershocks Expected",
        body="The quake's aftershocks will go on.",
        status=ArticleStatus.DRAFT,
    )
    at = datetime.now(UTC) + timedelta(seconds=2)
    await editor.data(
        TRANSITION, {"id": global_id(coming), "to": "SCHEDULED", "at": at.isoformat()}
    )
    assert "coming" not in await found(editor, "aftershocks")
    assert "coming" not in await related(editor, "quake-0")

    await asyncio.sleep(max(0.0, (at - datetime.now(UTC)).total_seconds()) + 0.2)

    assert "coming" in await found(editor, "aftershocks")
    assert "coming" in await related(editor, "quake-0")
    await assert_exact()


@pytest.mark.slow
async def test_a_fixture_load(cli_env: dict[str, str], client: GraphQLClient) -> None:
    result = newsroom("fixtures", "load", str(REPO / "fixtures"), env=cli_env)
    assert result.returncode == 0, result.stderr
    await client.sync()

    assert await found(client, "Putin Murmansk") == [
        "putin-eyes-arctic-power-hints-at-us-cooperation"
    ]
    assert len(await related(client, "north-korea-sends-3000-more-troops-to-russia")) == 20
    await assert_exact()


COUNT_AND_BEST = """
query ($term: String!) { articles(first: 1, filter: {search: $term}) { totalCount nodes { slug } } }
"""


async def count_and_best(client: GraphQLClient, term: str) -> tuple[int, list[str]]:
    data = await client.data(COUNT_AND_BEST, {"term": term})
    return data["articles"]["totalCount"], [node["slug"] for node in data["articles"]["nodes"]]


@pytest.mark.slow
async def test_a_term_in_many_articles_across_writes(editor: GraphQLClient) -> None:
    """A term in many articles gets a packed document of its own; writes since are read on top
    of it (a removal too), and the next reindex packs them in, which is no repair."""
    storms = [
        await make_article(slug=f"storm-{index}", headline=f"Storm {index}", body="Storm ahead.")
        for index in range(40)
    ]
    await discovery.rebuild()  # lays the index out afresh: "storm" now has its own document
    terms = Article.get_pymongo_collection().database["search_terms"]
    packed = await terms.find_one({"_id": "storm"})
    assert packed is not None
    assert "p" not in packed
    assert packed["s"].count("\n") == packed["w"].count("\n") == 39

    calm, loud, gone = storms[:3]
    for article, headline, body in ((calm, "Calm", "Sunny."), (loud, "Storm Storm", "Storm.")):
        patch = {"headline": headline, "body": body}
        variables = {"id": global_id(article), "version": article.version, "input": patch}
        assert (await editor.data(UPDATE_ARTICLE, variables))["updateArticle"]["__typename"]
    await editor.data(DELETE, {"id": global_id(gone)})
    await make_article(slug="storm-40", headline="Storm 40", body="Storm ahead.")

    assert await count_and_best(editor, "storm") == (39, ["storm-1"])
    assert await found(editor, "calm") == ["storm-0"]
    written = await terms.find_one({"_id": "storm"})
    assert written is not None
    assert written["p"][str(calm.id)] == ""  # removed, though still in the packed string
    await assert_exact()
    repacked = await terms.find_one({"_id": "storm"})
    assert repacked is not None
    assert "p" not in repacked
    assert repacked["s"].count("\n") == 38
    assert await count_and_best(editor, "storm") == (39, ["storm-1"])

    # Damage: a posting lost from the packed strings, then a wrong impact, found and put back.
    lines = repacked["w"].split("\n")
    await terms.update_one({"_id": "storm"}, {"$set": {"w": "\n".join(lines[1:])}})
    assert (await count_and_best(editor, "storm"))[0] == 38
    assert (await discovery.rebuild()).search.terms_fixed == 1
    assert await count_and_best(editor, "storm") == (39, ["storm-1"])
    loudest = next(line for line in lines if line.startswith(str(loud.id)))
    wrong = repacked["w"].replace(loudest, f"{loud.id} 0.001")
    await terms.update_one({"_id": "storm"}, {"$set": {"w": wrong}})
    assert (await count_and_best(editor, "storm"))[1] != ["storm-1"]
    assert (await discovery.rebuild()).search.terms_fixed == 1
    assert await count_and_best(editor, "storm") == (39, ["storm-1"])

    # An index from before packing (postings as fields, the layout a mapping, no averages) is
    # served as it is, and the next rebuild packs it without calling that a repair.
    packed_now = await terms.find_one({"_id": "storm"})
    assert packed_now is not None
    await terms.replace_one({"_id": "storm"}, {"_id": "storm", "p": unpack(packed_now["s"])})
    stats = Article.get_pymongo_collection().database["search_stats"]
    held = await stats.find_one({})
    assert held is not None
    layout = {term: int(shards) for term, shards in unpack(held["layout"]).items()}
    await stats.update_one({}, {"$set": {"layout": layout}, "$unset": {"norms": ""}})
    assert await count_and_best(editor, "storm") == (39, ["storm-1"])
    await assert_exact()
    assert "w" in (await terms.find_one({"_id": "storm"}) or {})


IDS = st.lists(st.binary(min_size=12, max_size=12).map(ObjectId), max_size=8, unique=True)


@given(ids=IDS, asked=st.binary(min_size=12, max_size=12).map(ObjectId))
def test_a_note_holds_an_id_only_where_an_id_starts(ids: list[ObjectId], asked: ObjectId) -> None:
    packed = discovery._packed(ids)
    assert discovery._holds(packed, asked.binary) == (asked in ids)
    for article in ids:
        assert discovery._holds(packed, article.binary)
    # The bytes across two ids are not an id of the note.
    if len(packed) >= 24 and packed[6:18] not in {article.binary for article in ids}:
        assert not discovery._holds(packed, packed[6:18])


@pytest.mark.slow
@pytest.mark.parametrize("rebuilt", ["rebuild", "reindex_search"])
async def test_a_save_while_the_index_is_rebuilt_is_searched_as_saved(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch, rebuilt: str
) -> None:
    # The rebuild planned every term document from the article as it was and writes them over
    # the stored ones (damaged: all of them); the save comes between the two.
    articles = await quakes()
    await Article.get_pymongo_collection().database["search_terms"].delete_many({})
    write = overlay.write

    async def saved_first(*args: Any, **kwargs: Any) -> None:
        monkeypatch.setattr(discovery, "write", write)
        await update_article(
            actor=FACTORY,
            article_id=str(articles[0].id),
            changes={"headline": "Tsunami warning"},
            base_version=articles[0].version,
        )
        await write(*args, **kwargs)

    monkeypatch.setattr(discovery, "write", saved_first)
    await getattr(discovery, rebuilt)()

    assert await found(client, "tsunami") == ["quake-0"]
    assert await found(client, "report") == ["quake-1", "quake-2"]
    await assert_exact()


async def test_a_rebuild_whose_process_died_holds_no_save(client: GraphQLClient) -> None:
    articles = await quakes()
    pending = Article.get_pymongo_collection().database[discovery.PENDING]
    hold = {"_id": "rebuild:gone:everything", "load": "rebuild:gone", discovery.EVERYTHING: True}
    await pending.insert_one(hold | {"articles": b"", "created": b"", "tags": [], "owner": "gone"})

    await update_article(
        actor=FACTORY,
        article_id=str(articles[0].id),
        changes={"headline": "Tsunami warning"},
        base_version=articles[0].version,
    )

    assert await found(client, "tsunami") == ["quake-0"]
    assert await pending.count_documents({"_id": hold["_id"]}) == 0
