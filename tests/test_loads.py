"""Loads are seen whole: readers see the old set or the new one, even if the loader is killed.

Whole means the list of articles, searches and related items alike: each reader's view is what
it was before the load or what it is after, never anything in between, and it never goes back.
"""

import asyncio
import sys
import textwrap
from collections.abc import Callable, Coroutine
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from api.settings import Settings
from cms import discovery
from cms.articles import Article
from cms.fixtures.synthetic import generate_archive
from cms.related import rebuild as related_rebuild
from cms.related import state as related_state
from cms.related import updates as related_updates
from cms.related.store import PROFILES
from cms.search import reindex as search_reindex
from cms.search import updates as discovery_updates
from cms.search.index import TERMS, collection, read_stats
from cms.spine import events, journal, loads
from cms.store import batches, overlay
from cms.tags import Tag
from cms.workflow import imports
from cms.workflow.articles import update_article
from cms.workflow.imports import ImportedArticle, import_content
from cms.workflow.tags import update_tag
from tests.conftest import serving
from tests.exactness import assert_exact
from tests.factories import FACTORY, make_article
from tests.graphql_client import GraphQLClient

OLD_WORD, NEW_WORD = "zebra", "yak"
# A tag's new name, in no article's text.
RENAMED_TAG = "quokka"
ARCHIVE = generate_archive(120, seed=1)
LIST = "{ articles(first: 20) { totalCount nodes { slug headline } } }"
SEARCH = """
query ($q: String!) {
  articles(first: 10, filter: {search: $q}) { totalCount nodes { slug headline } }
}
"""
RELATED = "query ($slug: String!) { article(slug: $slug) { related(first: 6) { slug headline } } }"
SOURCE = ARCHIVE.articles[0].content.slug


def renamed(items: list[ImportedArticle], word: str) -> list[ImportedArticle]:
    return [
        ImportedArticle(
            content=item.content.model_copy(update={"headline": f"{word} {item.content.headline}"}),
            status=item.status,
            updated_at=item.updated_at,
        )
        for item in items
    ]


def _shown(nodes: list[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    return tuple((node["slug"], node["headline"].split()[0]) for node in nodes)


async def matches(client: GraphQLClient, word: str) -> int:
    """How many articles a search for `word` finds."""
    count: int = (await client.data(SEARCH, {"q": word}))["articles"]["totalCount"]
    return count


async def another_writer_saves(slug: str, headline: str) -> dict[str, Any]:
    """Save a new headline on the article `slug` (at its first version); the article before."""
    article: dict[str, Any] | None = await Article.get_pymongo_collection().find_one({"slug": slug})
    assert article is not None
    await update_article(
        actor=FACTORY,
        article_id=str(article["_id"]),
        changes={"headline": headline},
        base_version=1,
    )
    return article


async def views(client: GraphQLClient) -> tuple[Any, ...]:
    """What a reader sees, one request each: the front page, a search for each word, and an
    article's related items."""
    front = (await client.data(LIST))["articles"]
    searches = []
    for word in (OLD_WORD, NEW_WORD):
        found = (await client.data(SEARCH, {"q": word}))["articles"]
        searches.append((found["totalCount"], _shown(found["nodes"])))
    related = (await client.data(RELATED, {"slug": SOURCE}))["article"]["related"]
    return (front["totalCount"], _shown(front["nodes"])), *searches, _shown(related)


async def watching(
    client: GraphQLClient, work: Callable[[], Coroutine[Any, Any, object]]
) -> list[tuple[Any, ...]]:
    """Every view a reader got while `work` ran, in order."""
    seen: list[tuple[Any, ...]] = []
    running = asyncio.create_task(work())
    while not running.done():
        seen.append(await views(client))
        await asyncio.sleep(0)
    await running
    return seen


def assert_old_then_new(
    seen: list[tuple[Any, ...]], before: tuple[Any, ...], after: tuple[Any, ...]
) -> None:
    """Each view was what it was before or what it is after, and never went back."""
    for index, name in enumerate(
        ("front page", f"search {OLD_WORD}", f"search {NEW_WORD}", "related")
    ):
        shown = [views_then[index] for views_then in seen]
        assert set(shown) <= {before[index], after[index]}, f"{name}: a view in between"
        if after[index] in shown:
            first_new = shown.index(after[index])
            assert before[index] not in shown[first_new:], f"{name}: went back after the load"


# An archive grown from 60 to 120 articles: the search index and related lists are rebuilt. The
# same 120 with a quarter renamed: they are updated where the load changed them (few enough that
# the new word stays where the index keeps rare terms, as a rebuild would put it).
REBUILT = (renamed(ARCHIVE.articles[:60], OLD_WORD), renamed(ARCHIVE.articles, NEW_WORD))
UPDATED = (
    renamed(ARCHIVE.articles, OLD_WORD),
    renamed(ARCHIVE.articles[:30], NEW_WORD) + renamed(ARCHIVE.articles[30:], OLD_WORD),
)


@pytest.mark.parametrize(("old", "new"), [REBUILT, UPDATED], ids=["rebuilt", "updated"])
@pytest.mark.slow
async def test_lists_searches_and_related_items_switch_with_the_articles(
    client: GraphQLClient, old: list[ImportedArticle], new: list[ImportedArticle]
) -> None:
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=old)
    before = await views(client)

    seen = await watching(client, lambda: import_content(actor=FACTORY, tags=[], articles=new))
    after = await views(client)

    assert after != before
    assert_old_then_new(seen, before, after)
    await assert_exact()


async def test_a_rebuilding_load_changes_no_term_document_a_search_reads_before_its_reveal(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new layout's documents that no search following the live one reads are written in
    place, before the reveal; every one it reads stays as it was until then."""
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=REBUILT[0])
    terms = collection(TERMS)
    live = await read_stats()
    before = {document["_id"]: document async for document in terms.find({})}
    at_reveal: dict[str, Any] = {}
    reveal = loads._reveal

    async def revealing(*args: Any, **kwargs: Any) -> None:
        at_reveal.update({document["_id"]: document async for document in terms.find({})})
        await reveal(*args, **kwargs)

    monkeypatch.setattr(loads, "_reveal", revealing)
    await import_content(actor=FACTORY, tags=[], articles=REBUILT[1])

    held = [*before.values(), *at_reveal.values()]
    words = {term for document in held for term in document.get("t", {})}
    words |= {str(document["_id"]).partition("#")[0] for document in held}
    read = {doc_id for word in words for doc_id in live.documents(word)}
    assert {doc_id: at_reveal.get(doc_id) for doc_id in read} == {
        doc_id: before.get(doc_id) for doc_id in read
    }
    assert at_reveal.keys() - before.keys(), "nothing was written in place"
    await assert_exact()


async def test_a_rebuilding_load_writes_its_own_articles_profiles_as_they_are_ranked(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The related profiles of a rebuilding load's new articles go in place a part at a time
    while the rest is ranked (nobody reads them before the reveal); the others are staged."""
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=REBUILT[0])
    old = {document["_id"] async for document in Article.get_pymongo_collection().find({})}
    monkeypatch.setattr(related_rebuild, "RANKED_AT_ONCE", 7)
    steps: list[tuple[str, set[Any]]] = []
    write = overlay.write

    async def writing(database: Any, writes: Any) -> None:
        steps.append(("written", set(writes.documents.get(PROFILES, {}))))
        await write(database, writes)

    differences = related_rebuild._write_differences

    def ranked(*args: Any) -> Any:
        steps.append(("ranked", set()))
        return differences(*args)

    staged: set[Any] = set()
    reveal = loads._reveal

    async def revealing(*args: Any, **kwargs: Any) -> None:
        staged.update(
            [document["_id"] async for document in collection(PROFILES + ".next").find({})]
        )
        await reveal(*args, **kwargs)

    monkeypatch.setattr(discovery, "write", writing)
    monkeypatch.setattr(related_rebuild, "_write_differences", ranked)
    monkeypatch.setattr(loads, "_reveal", revealing)
    await import_content(actor=FACTORY, tags=[], articles=REBUILT[1])

    created = {
        document["_id"] async for document in Article.get_pymongo_collection().find({})
    } - old
    parts = [ids for step, ids in steps if step == "written"]
    assert [step for step, _ in steps] == ["written"] * len(parts) + ["ranked"]
    assert len(parts) > 2
    assert sorted(id_ for part in parts for id_ in part) == sorted(created)
    assert staged & created == set()
    assert old <= staged
    await assert_exact()


# 60 new articles into the first 60: the load creates articles and changes nothing else.
CREATED = renamed(ARCHIVE.articles[60:], NEW_WORD)


@pytest.mark.slow
async def test_a_load_that_doubles_the_archive_is_derived_while_its_chunks_are_applied(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planned from its operations while they are applied; written only once committed."""
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=REBUILT[0])
    monkeypatch.setattr(loads, "CHUNK", 10)
    steps: list[str] = []
    committed: list[bool] = []
    apply, plan = journal.apply_batch, search_reindex.plan_reindex
    stage_writes, write = overlay.stage, overlay.write

    async def applying(*args: Any, **kwargs: Any) -> Any:
        steps.append("applied")
        await asyncio.sleep(0.1)  # the store's time for a chunk of a large load
        return await apply(*args, **kwargs)

    async def planning(*args: Any, **kwargs: Any) -> Any:
        steps.append("planned")
        return await plan(*args, **kwargs)

    async def noting(written: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        committed.append(await loads.in_progress())
        return await written(*args, **kwargs)

    chunks = loads.LoadChunk.get_pymongo_collection()

    class Staging:  # slow to stage the chunks: deriving is ready to write before the commit
        def __getattr__(self, name: str) -> Any:
            return getattr(chunks, name)

        async def insert_one(self, *args: Any, **kwargs: Any) -> Any:
            await asyncio.sleep(0.1)
            return await chunks.insert_one(*args, **kwargs)

    monkeypatch.setattr(loads.LoadChunk, "get_pymongo_collection", Staging)
    monkeypatch.setattr(journal, "apply_batch", applying)
    monkeypatch.setattr(search_reindex, "plan_reindex", planning)
    monkeypatch.setattr(discovery, "stage", lambda *a, **k: noting(stage_writes, *a, **k))
    monkeypatch.setattr(discovery, "write", lambda *a, **k: noting(write, *a, **k))
    await import_content(actor=FACTORY, tags=[], articles=CREATED)

    assert steps.count("planned") == 1
    assert steps.index("planned") < len(steps) - 1, steps  # before the last chunk applied
    assert committed
    assert all(committed)
    assert await matches(client, NEW_WORD) == len(CREATED)
    await assert_exact()


@pytest.mark.slow
async def test_a_load_derived_early_that_did_not_create_an_article_is_derived_again(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=REBUILT[0])
    taken = CREATED[30].content.slug
    apply, plan = journal.apply_batch, search_reindex.plan_reindex
    planned: list[int] = []

    async def taken_meanwhile(*args: Any, **kwargs: Any) -> Any:
        if not await Article.get_pymongo_collection().find_one({"slug": taken}):
            await make_article(slug=taken, headline="Taken by an editor")  # refuses the load's
        return await apply(*args, **kwargs)

    async def planning(articles: list[Any], *args: Any, **kwargs: Any) -> Any:
        planned.append(len(articles))
        return await plan(articles, *args, **kwargs)

    monkeypatch.setattr(journal, "apply_batch", taken_meanwhile)
    monkeypatch.setattr(search_reindex, "plan_reindex", planning)
    await import_content(actor=FACTORY, tags=[], articles=CREATED)

    # From the operations (the editor's article is read or not, as it came first), then again
    # from what the load created.
    assert len(planned) == 2
    assert planned[1] == 120
    assert await matches(client, NEW_WORD) == len(CREATED) - 1
    story = (await client.data(RELATED, {"slug": taken}))["article"]
    assert story is not None
    await assert_exact()


@pytest.mark.slow
async def test_a_load_derived_early_reads_the_names_of_the_tags_it_creates(
    client: GraphQLClient,
) -> None:
    first = ARCHIVE.tags[0]
    kept = [item for item in ARCHIVE.articles if set(item.content.tags) <= {first.slug}]
    await import_content(actor=FACTORY, tags=[first], articles=kept[:2])
    # Named unlike their slugs: an article is searched by its tags' names.
    rest = [tag.model_copy(update={"name": f"Wombat {tag.name}"}) for tag in ARCHIVE.tags[1:]]
    slugs = {tag.slug for tag in rest}

    await import_content(actor=FACTORY, tags=rest, articles=ARCHIVE.articles)

    tagged = [item for item in ARCHIVE.articles if slugs & set(item.content.tags)]
    assert await matches(client, "wombat") == len(tagged)
    await assert_exact()


async def test_a_chunk_holds_fewer_operations_where_packed_they_would_pass_the_limit(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = 6000  # a few articles packed
    monkeypatch.setattr(loads, "PACKED_LIMIT", limit)
    applied: list[list[Any]] = []
    apply_batch = journal.apply_batch

    async def applying(operations: list[Any], **kwargs: Any) -> Any:
        applied.append(list(operations))
        return await apply_batch(operations, **kwargs)

    monkeypatch.setattr(journal, "apply_batch", applying)
    articles = ARCHIVE.articles[:40]
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=articles)

    assert len(applied) > 2
    assert all(len(loads._pack(part)) <= limit or len(part) == 1 for part in applied)
    found = await client.data("{ articles(first: 1) { totalCount } }")
    assert found["articles"]["totalCount"] == len(articles)


KILLER = """
import asyncio, os, signal, sys
from cms import discovery
from cms.spine import journal, liveness, loads
from cms.access import Actor
from cms.config import get_settings
from cms.database import open_store
from cms.workflow.imports import import_content
from tests.test_loads import REBUILT

point = sys.argv[1]

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def dies_at_call(module, name, call):
    original = getattr(module, name)
    calls = []
    def wrapper(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            die()
        return original(*args, **kwargs)
    setattr(module, name, wrapper)

async def merge_some(database, load, names):
    await original_merge(database, load, names[:2])
    die()

original_merge = discovery.merge
if point == "staging":
    dies_at_call(loads, "_pack", 2)  # one chunk staged, the load not committed
elif point == "committed":
    dies_at_call(journal, "apply_batch", 1)  # committed, nothing applied
elif point == "applying":
    dies_at_call(journal, "apply_batch", 2)  # one chunk applied
elif point == "derived":
    dies_at_call(loads, "_reveal", 1)  # search and related items staged, not revealed
elif point == "revealed":
    dies_at_call(discovery, "merge_load", 1)  # revealed, nothing merged
elif point == "merging":
    discovery.merge = merge_some  # the search index merged, related items not

async def main():
    loads.CHUNK = 25  # several chunks, so that it can die with some applied and some not
    async with open_store(get_settings()) as store, liveness.heartbeat(store):
        await import_content(actor=Actor("killed-loader"), tags=[], articles=REBUILT[1])

asyncio.run(main())
"""


@pytest.mark.processes
@pytest.mark.parametrize(
    ("point", "then"),
    [
        ("staging", "rerun"),
        ("committed", "rerun"),
        ("applying", "rerun"),
        ("applying", "sweep"),
        ("derived", "sweep"),
        ("revealed", "rerun"),
        ("merging", "rerun"),
    ],
)
async def test_a_load_killed_anywhere_and_run_again_is_never_seen_half_done(
    client: GraphQLClient, cli_env: dict[str, str], point: str, then: str
) -> None:
    old, new = REBUILT
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=old)
    before = await views(client)
    repo = Path(__file__).resolve().parent.parent

    async def kill_then_complete() -> None:
        killed = await asyncio.create_subprocess_exec(
            sys.executable, "-c", textwrap.dedent(KILLER), point, env=cli_env, cwd=repo
        )
        assert await killed.wait() == -9
        # At once, as a user runs it again: the loader's process is gone, so its load is taken
        # over without waiting for its heartbeat to go silent.
        if then == "sweep":
            await loads.sweep(older_than=timedelta(0))
        await import_content(actor=FACTORY, tags=[], articles=new)

    seen = await watching(client, kill_then_complete)
    after = await views(client)

    assert after[0][0] == 120
    assert {word for _, word in after[0][1]} == {NEW_WORD}
    assert_old_then_new(seen, before, after)
    assert not await loads.in_progress()
    await assert_exact()


@pytest.mark.slow
async def test_a_reload_reads_back_only_the_articles_whose_files_changed(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = renamed(ARCHIVE.articles[:40], OLD_WORD)
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=articles)
    read_in_full: list[str] = []
    original = batches.find_in

    async def recording(collection: Any, field: str, values: Any, **options: Any) -> Any:
        values = list(values)
        if collection.name == "articles" and options.get("projection") is None:
            read_in_full.extend(values)
        return await original(collection, field, values, **options)

    monkeypatch.setattr(imports, "find_in", recording)
    edited = [*articles[:39], *renamed(articles[39:], NEW_WORD)]

    report = await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=edited)

    assert report.counts["articles"] == {"created": 0, "updated": 1, "unchanged": 39}
    assert read_in_full == [edited[39].content.slug]


@pytest.mark.slow
async def test_articles_a_load_creates_are_derived_from_what_it_wrote_without_reading_them(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 100 articles, then 20 more (the archive does not double: their entries are planned one by
    # one, not rebuilt), whose documents and postings the loader kept while applying them.
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=ARCHIVE.articles[:100])
    read: list[Any] = []
    original = batches.find_in

    async def recording(collection: Any, field: str, values: Any, **options: Any) -> Any:
        values = list(values)
        if collection.name == "articles":
            read.extend(values)
        return await original(collection, field, values, **options)

    monkeypatch.setattr(discovery_updates, "find_in", recording)
    monkeypatch.setattr(related_updates, "find_in", recording)
    new = renamed(ARCHIVE.articles[100:], NEW_WORD)

    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=new)

    assert read == []
    assert await matches(client, NEW_WORD) == len(new)
    await assert_exact()


@pytest.mark.slow
async def test_an_article_changed_between_its_load_applying_and_deriving_is_derived_as_changed(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=ARCHIVE.articles[:60])
    target = ARCHIVE.articles[60].content.slug
    derive = loads._derive_and_reveal

    async def edited_first(load_id: str, actor: str, count: int) -> int:
        # Another writer saves one of the load's new articles before the load derives (and
        # after what it derived while applied, the archive doubling, is written).
        deriving = discovery._early.get(load_id)
        if deriving is not None:
            await asyncio.wait([deriving])
        await another_writer_saves(target, f"{NEW_WORD} edited")
        return await derive(load_id, actor, count)

    monkeypatch.setattr(loads, "_derive_and_reveal", edited_first)

    await import_content(actor=FACTORY, tags=[], articles=ARCHIVE.articles[60:])

    found = (await client.data(SEARCH, {"q": NEW_WORD}))["articles"]
    assert [node["slug"] for node in found["nodes"]] == [target]
    await assert_exact()


@pytest.mark.slow
@pytest.mark.parametrize("seeded", [60, 100], ids=["doubling", "growing"])
async def test_an_article_a_load_created_and_another_writer_changed_before_its_merge_is_exact(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch, seeded: int
) -> None:
    # The load writes its own articles' entries and profiles in place, before the reveal; another
    # writer's save of one of them, taken in before the merge, must not leave the postings and
    # lists the load derived from the article as it was.
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=ARCHIVE.articles[:seeded])
    new = renamed(ARCHIVE.articles[seeded:], NEW_WORD)
    target = new[0].content.slug
    merge = discovery.merge_load

    async def edited_first(load: str, position: int) -> list[str]:
        article = await another_writer_saves(target, f"{OLD_WORD} edited")
        # Another process's profiles, read now and holding the article's: the load's, of the
        # article as it was.
        other = await related_state.load()
        await other.hold([article["_id"]], {article["_id"]: article})
        assert other.versions[article["_id"]] == 1
        others.append(other)
        return await merge(load, position)

    others: list[related_state.State] = []
    monkeypatch.setattr(discovery, "merge_load", edited_first)

    await import_content(actor=FACTORY, tags=[], articles=new)

    assert await matches(client, NEW_WORD) == len(new) - 1
    assert await matches(client, OLD_WORD) == 1
    await assert_exact()
    # That process reads it again: the merge names what it took in again.
    [other] = others
    await other.catch_up()
    article = await Article.get_pymongo_collection().find_one({"slug": target})
    assert article is not None
    assert other.versions.get(article["_id"]) in (None, 2)  # as stored now, or not held


@pytest.mark.slow
async def test_an_older_article_saved_after_a_doubling_loads_early_planning_is_searched_as_saved(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The load planned every term document while it was applied, from the article as it was;
    # the save went in place (nothing held it yet), into documents the merge replaces.
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=ARCHIVE.articles[:60])
    target = next(item for item in ARCHIVE.articles[:60] if item.status == "published")
    derive, plan = loads._derive_and_reveal, search_reindex.plan_reindex
    planned: list[int] = []

    async def saved_first(load_id: str, actor: str, count: int) -> int:
        deriving = discovery._early.get(load_id)
        assert deriving is not None  # the archive doubles: derived while applied
        await asyncio.wait([deriving])
        await another_writer_saves(target.content.slug, f"{NEW_WORD} edited")
        return await derive(load_id, actor, count)

    async def planning(articles: list[Any], *args: Any, **kwargs: Any) -> Any:
        planned.append(len(articles))
        return await plan(articles, *args, **kwargs)

    monkeypatch.setattr(loads, "_derive_and_reveal", saved_first)
    monkeypatch.setattr(search_reindex, "plan_reindex", planning)
    await import_content(actor=FACTORY, tags=[], articles=ARCHIVE.articles[60:])

    assert planned == [120, 120]  # while applied, then again: the save came before the hold
    found = (await client.data(SEARCH, {"q": NEW_WORD}))["articles"]
    assert [node["slug"] for node in found["nodes"]] == [target.content.slug]
    await assert_exact()


@pytest.mark.slow
async def test_a_save_a_load_held_is_taken_in_by_its_merge_even_if_announced_after_it(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Held by the load (it saves an article the load created), the save leaves its search entry
    # to the merge; its events reach the log only after the merge has read it.
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=ARCHIVE.articles[:100])
    new = renamed(ARCHIVE.articles[100:], NEW_WORD)
    target = new[0].content.slug
    merge, append = discovery.merge_load, events.append
    blocked, released = asyncio.Event(), asyncio.Event()

    async def announced_late(announced: Any, **kwargs: Any) -> None:
        if any(event.slug == target and event.load is None for event in announced):
            blocked.set()
            await released.wait()
        await append(announced, **kwargs)

    async def saved_meanwhile(load: str, position: int) -> list[str]:
        monkeypatch.setattr(events, "append", announced_late)
        saving = asyncio.create_task(another_writer_saves(target, f"{OLD_WORD} edited"))
        await blocked.wait()
        try:
            return await merge(load, position)
        finally:
            released.set()
            await saving

    monkeypatch.setattr(discovery, "merge_load", saved_meanwhile)
    await import_content(actor=FACTORY, tags=[], articles=new)

    assert released.is_set()
    assert await matches(client, OLD_WORD) == 1
    assert await matches(client, NEW_WORD) == len(new) - 1
    await assert_exact()


@pytest.mark.slow
async def test_saves_a_load_held_are_taken_in_by_its_merge_whatever_order_the_log_stores_them(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first save takes its number in the log, then is slow to store its event; the second
    # stores its own, the number after, and finishes. The merge reads the log past the first's
    # number only once it is stored.
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=ARCHIVE.articles[:100])
    new = renamed(ARCHIVE.articles[100:], NEW_WORD)
    first, second = new[0].content.slug, new[1].content.slug
    merge, insert = discovery.merge_load, events._insert
    numbered, released = asyncio.Event(), asyncio.Event()

    async def stored_late(log_: Any, documents: list[dict[str, Any]]) -> Any:
        if any(document.get("slug") == first for document in documents):
            numbered.set()
            await released.wait()
        return await insert(log_, documents)

    async def saved_meanwhile(load: str, position: int) -> list[str]:
        monkeypatch.setattr(events, "_insert", stored_late)
        saving = asyncio.create_task(another_writer_saves(first, f"{OLD_WORD} first"))
        await numbered.wait()
        await another_writer_saves(second, f"{OLD_WORD} second")
        asyncio.get_running_loop().call_later(0.5, released.set)
        try:
            return await merge(load, position)
        finally:
            await saving

    monkeypatch.setattr(discovery, "merge_load", saved_meanwhile)
    await import_content(actor=FACTORY, tags=[], articles=new)

    assert await matches(client, OLD_WORD) == 2
    await assert_exact()


@pytest.mark.parametrize("seeded", [60, 100], ids=["doubling", "growing"])
async def test_a_tag_another_writer_renamed_before_a_loads_merge_is_searched_by_its_new_name(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch, seeded: int
) -> None:
    # The load derived its own articles from the tag's old name; the rename, taken in before the
    # merge, left those articles to the load (`_held_by_loads`), whose merge takes it in.
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=ARCHIVE.articles[:seeded])
    new = ARCHIVE.articles[seeded:]
    carried = [
        slug for article in new if article.status == "published" for slug in article.content.tags
    ]
    slug = max(sorted(set(carried)), key=carried.count)
    merge = discovery.merge_load

    async def renamed_first(load: str, position: int) -> list[str]:
        tag = await Tag.get_pymongo_collection().find_one({"slug": slug})
        assert tag is not None
        await update_tag(actor=FACTORY, tag_id=str(tag["_id"]), changes={"name": RENAMED_TAG})
        return await merge(load, position)

    monkeypatch.setattr(discovery, "merge_load", renamed_first)
    await import_content(actor=FACTORY, tags=[], articles=new)

    tagged = Article.get_pymongo_collection().find({"tags": slug, "status": "published"})
    assert await matches(client, RENAMED_TAG) == len([article async for article in tagged])
    await assert_exact()


@pytest.mark.processes
async def test_a_process_started_while_a_load_is_applied_sees_it_only_once_revealed(
    client: GraphQLClient, cli_env: dict[str, str], settings: Settings
) -> None:
    old, _ = REBUILT
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=old)
    before = await views(client)
    repo = Path(__file__).resolve().parent.parent
    killed = await asyncio.create_subprocess_exec(
        sys.executable, "-c", textwrap.dedent(KILLER), "derived", env=cli_env, cwd=repo
    )
    assert await killed.wait() == -9  # every article applied, nothing revealed

    # (Beanie's documents are bound to one app's client at a time: both are read in here.)
    async with serving(settings) as started_now:
        while_applied = await views(started_now)
        await loads.sweep(older_than=timedelta(0))
        # On a busy machine the load may be older than the journal grace by now, and an app's
        # upkeep be completing it already (this sweep then leaves it to them): wait for it.
        while await loads.in_progress():
            await asyncio.sleep(0.1)
        once_revealed = await views(started_now)
        after = await views(client)

    assert while_applied == before
    assert once_revealed == after != before
