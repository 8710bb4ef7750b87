"""Every hot query is served by an index `cms` declares, on any store.

The queries are not listed by hand: a few articles are read and saved through the API, the desk
and the command line, the upkeep runs, and every filter the store receives meanwhile is recorded
(a PyMongo command listener: in the app, and in each `newsroom` process) and matched against
`cms.database.declared_indexes()`.
A query no declared index can serve fails the test, naming it. With `MONGODB_URI` set, each
distinct query is also explained by that server, and a collection scan fails the test.
"""

import os
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from bson import json_util
from hypothesis import given
from hypothesis import strategies as st
from pymongo import AsyncMongoClient

from api.examples import ARTICLE_PAGE_QUERY
from api.settings import Settings
from cms import maintenance
from cms.access import Role
from cms.articles import Article
from cms.database import declared_indexes
from cms.status import ArticleStatus
from cms.tokens import create_token
from tests.cli import newsroom
from tests.conftest import serving
from tests.desk_client import Desk, make_person
from tests.desk_forms import changed, form_fields
from tests.factories import FACTORY, make_article, make_tag
from tests.query_plans import (
    Query,
    QueryRecorder,
    cli_recording_env,
    constrained,
    explain_scans,
    queries_of,
    serving_index,
)
from tests.test_desk_editor import send

FRONT_PAGE = """
{ articles(first: 10) { totalCount nodes { slug headline tags { slug articleCount } } }
  tags(first: 5) { nodes { slug articleCount } } }
"""
TAG_PAGE = """
query ($slug: String!, $after: String) { tag(slug: $slug) { articleCount
  articles(first: 2, after: $after) { totalCount nodes { slug } pageInfo { endCursor } } } }
"""
LISTS = """
query ($section: String!, $search: String!) {
  section: articles(first: 5, filter: {section: $section}) { totalCount nodes { slug } }
  oldest: articles(first: 5, orderBy: OLDEST) { nodes { slug } }
  byHeadline: articles(first: 5, orderBy: HEADLINE) { nodes { slug } }
  search: articles(first: 5, filter: {search: $search}) { totalCount nodes { slug } }
}
"""
NODE = "query ($id: ID!) { node(id: $id) { ... on Article { headline } } }"
VOTE = "mutation ($id: ID!) { vote(articleId: $id, stars: 4) { __typename } }"
DRAFTS = "{ articles(preview: true, first: 5) { totalCount nodes { slug status } } }"
UPDATE = """
mutation ($id: ID!, $version: Int!) {
  updateArticle(id: $id, version: $version, input: {excerpt: "Saved by the index test."}) {
    __typename
  }
}
"""
SLUG = "troops-arrive-at-the-border"
# What a hot path must have touched, so that a run that recorded little cannot pass.
READ = {
    "articles",
    "search_terms",
    "search_stats",
    "related_profiles",
    "ratings",
    "events",
    "tokens",
    "sessions",
    "people",
}

# Whole collections read on purpose, each small by nature or read once per process, never per
# request: what the store receives (a collection, or one query), and why it needs no index.
WHOLE_READS = {
    "tags": "every tag, kept in each process's memory and read again after a tag changes; "
    "`tags { totalCount }` counts them (hundreds, not articles)",
    "loads": "the loads under way: one document each, gone once merged",
    "processes": "one document per running Newsroom process, its heartbeat",
    "discovery_pending": "what a load that died noted, until the upkeep completes it",
    "find related_profiles {}": "every related-items profile, read once by a process that writes "
    "(docs/operations/scale.md)",
}


def _allowed(query: Query) -> bool:
    return query.collection in WHOLE_READS or query.describe() in WHOLE_READS


def uncovered(queries: list[Query]) -> list[str]:
    indexes = declared_indexes()
    return sorted(
        {
            query.describe()
            for query in queries
            if serving_index(query, indexes) is None and not _allowed(query)
        }
    )


async def explained_scans(uri: str, database: str, queries: list[Query]) -> list[str]:
    """The queries a MongoDB server's planner answers with a collection scan."""
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(uri)
    scans = []
    try:
        for query in {query.describe(): query for query in queries if not _allowed(query)}.values():
            find: dict[str, Any] = {"find": query.collection, "filter": dict(query.filter)}
            if query.sort:
                find["sort"] = dict.fromkeys(query.sort, 1)
            plan = await client[database].command({"explain": find, "verbosity": "queryPlanner"})
            if explain_scans(plan):
                scans.append(query.describe())
    finally:
        await client.close()
    return scans


async def seed() -> None:
    """A few articles in two sections, tagged, one a draft: every list has something to walk."""
    for slug in ("russia", "ukraine"):
        await make_tag(slug=slug)
    for number in range(8):
        await make_article(
            slug=SLUG if number == 0 else f"story-{number}",
            section=("world", "europe")[number % 2],
            tags=[["russia"], ["russia", "ukraine"], []][number % 3],
            body=f"Troops moved on day {number}.\n\nTalks went on.",
            status=ArticleStatus.DRAFT if number == 7 else ArticleStatus.PUBLISHED,
        )


@pytest.mark.slow
async def test_every_hot_query_of_the_api_the_desk_and_the_cli_has_a_declared_index(
    settings: Settings, cli_env: dict[str, str], tmp_path: Path
) -> None:
    recorder = QueryRecorder()
    async with serving(settings, event_listeners=[recorder]) as client:
        # Given a few articles, an editor at the desk and a token
        await seed()
        await make_person("desk@example.com", role=Role.EDITOR)
        _, secret = await create_token(actor=FACTORY, name="index", role=Role.EDITOR)

        # When readers, an editor with a token, the upkeep, an editor at the desk and the
        # command line do what they do every minute
        with recorder.recording():
            page = await client.data(ARTICLE_PAGE_QUERY, {"slug": SLUG})
            article_id = page["article"]["id"]
            await client.data(FRONT_PAGE)
            listed = await client.data(TAG_PAGE, {"slug": "russia"})
            after = listed["tag"]["articles"]["pageInfo"]["endCursor"]
            await client.data(TAG_PAGE, {"slug": "russia", "after": after})
            await client.data(LISTS, {"section": "world", "search": "troops"})
            await client.data(NODE, {"id": article_id})
            await client.data(VOTE, {"id": article_id})
            editor = client.as_token(secret)
            await editor.data(DRAFTS)
            stored = await Article.find_one({"slug": SLUG})
            assert stored is not None
            await editor.data(UPDATE, {"id": article_id, "version": stored.version})
            await client.sync()
            # What every API process's upkeep does every few seconds (its hourly pruning is
            # not a hot path).
            await maintenance.run_once(settings, prune=False)
            browser = Desk(client.http)
            await browser.log_in("desk@example.com")
            await browser.get("/desk/articles")
            await browser.get("/desk/articles?status=published")
            url = f"/desk/articles/{stored.id}"
            form = await browser.get(url)
            saved = await send(browser, url, changed(form_fields(form.text, url), excerpt="Desk."))
            assert saved.status == 303, saved.text
    command_line = cli_recording_env(cli_env, tmp_path / "cli")
    for args in (("articles", "list"), ("articles", "unpublish", SLUG)):
        ran = newsroom(*args, env=command_line.env)
        assert ran.returncode == 0, ran.stderr
    queries = recorder.queries + command_line.read()

    # Then every query has an index, and the hot paths were all seen
    assert not uncovered(queries), "\n".join(["No declared index serves:", *uncovered(queries)])
    seen = {query.collection for query in queries}
    assert seen >= READ, READ - seen
    uri = os.environ.get("MONGODB_URI")
    if uri:
        scans = await explained_scans(uri, settings.database, queries)
        assert not scans, "\n".join(["MongoDB scans a collection for:", *scans])


INDEXES = {"articles": [("_id",), ("slug",), ("status", "published_at", "_id")]}


def test_a_query_on_a_field_no_index_leads_with_is_refused() -> None:
    by_author = Query("articles", "find", {"author": "Staff"})
    by_status = Query("articles", "find", {"status": "published", "author": "Staff"})
    everything = Query("articles", "count", {})
    newest = Query("articles", "find", {}, sort=("status", "published_at"))

    assert serving_index(by_author, INDEXES) is None
    assert serving_index(by_status, INDEXES) == [("status", "published_at", "_id")]
    assert serving_index(everything, INDEXES) is None
    assert serving_index(newest, INDEXES) == [("status", "published_at", "_id")]


def test_each_way_of_an_or_needs_its_own_index_and_negations_narrow_nothing() -> None:
    either = Query("articles", "find", {"$or": [{"slug": "a"}, {"author": "Staff"}]})
    both = Query("articles", "find", {"$or": [{"slug": "a"}, {"_id": 1}]})
    negated = Query("articles", "find", {"slug": {"$ne": "a"}})
    anded = Query("articles", "find", {"$and": [{"author": "S"}, {"slug": {"$in": ["a"]}}]})

    assert serving_index(either, INDEXES) is None
    assert serving_index(both, INDEXES) == [("slug",), ("_id",)]
    assert serving_index(negated, INDEXES) is None
    assert serving_index(anded, INDEXES) == [("slug",)]


def test_the_commands_that_select_documents_give_their_filters() -> None:
    found = [
        *queries_of("find", {"find": "a", "filter": {"x": 1}, "sort": {"y": -1}}),
        *queries_of("update", {"update": "a", "updates": [{"q": {"_id": 1}}, {"q": {"z": 2}}]}),
        *queries_of("aggregate", {"aggregate": "a", "pipeline": [{"$match": {"t": 1}}]}),
        *queries_of("findAndModify", {"findAndModify": "a", "query": {"k": 1}}),
        *queries_of("insert", {"insert": "a", "documents": [{"x": 1}]}),
        *queries_of("aggregate", {"aggregate": 1, "pipeline": [{"$currentOp": {}}]}),
    ]

    assert [(query.command, dict(query.filter), query.sort) for query in found] == [
        ("find", {"x": 1}, ("y",)),
        ("update", {"_id": 1}, ()),
        ("update", {"z": 2}, ()),
        ("aggregate", {"t": 1}, ()),
        ("findAndModify", {"k": 1}, ()),
    ]


def test_an_explained_collection_scan_is_found_anywhere_in_the_winning_plan() -> None:
    scan = {"queryPlanner": {"winningPlan": {"stage": "SORT", "inputStage": {"stage": "COLLSCAN"}}}}
    fetch = {
        "queryPlanner": {
            "winningPlan": {"stage": "FETCH", "inputStage": {"stage": "IXSCAN"}},
            "rejectedPlans": [{"stage": "COLLSCAN"}],
        }
    }

    assert explain_scans(scan)
    assert not explain_scans(fetch)


FIELDS = st.sampled_from(["slug", "status", "author", "_id", "tags"])
FILTERS = st.recursive(
    st.dictionaries(FIELDS, st.integers(0, 3), max_size=3),
    lambda inner: st.builds(
        lambda key, parts: {key: parts},
        st.sampled_from(["$and", "$or"]),
        st.lists(inner, min_size=1, max_size=3),
    ),
    max_leaves=8,
)


@hypothesis.settings(max_examples=40)
@given(FILTERS)
def test_a_filter_narrows_exactly_the_fields_it_names_in_every_way(
    filter: dict[str, Any],
) -> None:
    named = set(json_util.dumps(filter).replace('"', " ").split())
    ways = constrained(filter)

    assert ways
    for fields in ways:
        assert fields <= named
    # Adding a condition on a field narrows every way by it.
    assert all("section" in way for way in constrained({**filter, "section": 1}))
