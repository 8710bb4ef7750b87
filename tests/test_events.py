"""The event log: one event per write, in order, each once, none lost to a crash."""

import asyncio
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cms.fixtures.synthetic import generate_archive
from cms.spine import events, journal, liveness, loads
from cms.spine.events import Event, EventReader, EventType
from cms.spine.journal import Operation
from cms.status import ArticleStatus
from cms.store import batches
from cms.workflow import articles as workflow
from cms.workflow.imports import import_content
from tests.cli import newsroom
from tests.factories import FACTORY, global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import UPDATE_ARTICLE, VOTE

CREATE = """
mutation ($input: ArticleInput!) {
  createArticle(input: $input) { ... on ArticleSaved { article { id } } }
}
"""
MOVE = """
mutation ($id: ID!, $to: ArticleStatus!, $at: DateTime) {
  transitionArticle(id: $id, to: $to, publishAt: $at) { __typename }
}
"""
DELETE = "mutation ($id: ID!) { deleteArticle(id: $id) { __typename } }"
TAG = """
mutation ($input: TagInput!) { createTag(input: $input) { ... on TagSaved { tag { id } } } }
"""
RENAME = 'mutation ($id: ID!) { updateTag(id: $id, input: {name: "New"}) { __typename } }'
DROP_TAG = "mutation ($id: ID!) { deleteTag(id: $id) { __typename } }"


async def all_events() -> list[events.StoredEvent]:
    return await EventReader(0).read(limit=100_000)


async def test_every_kind_of_write_appends_its_event(editor: GraphQLClient) -> None:
    draft = {"headline": "H", "slug": "story", "credit": "A", "section": "world"}
    created = await editor.data(CREATE, {"input": draft})
    article_id = created["createArticle"]["article"]["id"]
    await editor.data(
        UPDATE_ARTICLE, {"id": article_id, "version": 1, "input": {"body": "Draft body."}}
    )
    await editor.data(MOVE, {"id": article_id, "to": "PUBLISHED"})
    await editor.data(
        UPDATE_ARTICLE, {"id": article_id, "version": 3, "input": {"body": "Live body."}}
    )
    await editor.data(VOTE, {"articleId": article_id, "stars": 3})
    await editor.data(MOVE, {"id": article_id, "to": "DRAFT"})
    at = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    await editor.data(MOVE, {"id": article_id, "to": "SCHEDULED", "at": at})
    await editor.data(DELETE, {"id": article_id})
    tag = await editor.data(TAG, {"input": {"slug": "t", "name": "T"}})
    tag_id = tag["createTag"]["tag"]["id"]
    await editor.data(RENAME, {"id": tag_id})
    await editor.data(DROP_TAG, {"id": tag_id})

    found = await all_events()

    kinds = [
        event.type
        for event in found
        if event.actor == "editor-token" or event.type == "rating.changed"
    ]
    assert kinds == [
        EventType.ARTICLE_SAVED,
        EventType.ARTICLE_SAVED,
        EventType.ARTICLE_PUBLISHED,
        EventType.ARTICLE_UPDATED,
        EventType.RATING_CHANGED,
        EventType.ARTICLE_UNPUBLISHED,
        EventType.ARTICLE_SCHEDULED,
        EventType.ARTICLE_DELETED,
        EventType.TAG_CREATED,
        EventType.TAG_UPDATED,
        EventType.TAG_DELETED,
    ]
    assert [event.seq for event in found] == list(range(1, len(found) + 1))
    published = next(e for e in found if e.type is EventType.ARTICLE_PUBLISHED)
    assert published.slug == "story"
    assert published.data["status"] == "published"


@pytest.mark.slow
async def test_fixture_loads_and_tokens_announce_themselves(
    demo: GraphQLClient, cli_env: dict[str, str]
) -> None:
    newsroom("tokens", "create", "--name", "t1", "--role", "editor", env=cli_env)
    newsroom("tokens", "revoke", "t1", env=cli_env)

    found = await all_events()

    kinds = [event.type for event in found]
    assert kinds.count(EventType.ARTICLE_PUBLISHED) == 46
    assert kinds.count(EventType.TAG_CREATED) == 21
    # A load is revealed as a whole, after its articles' events.
    revealed = kinds.index(EventType.LOAD_REVEALED)
    assert revealed > max(i for i, kind in enumerate(kinds) if kind is EventType.ARTICLE_PUBLISHED)
    assert kinds[-2:] == [EventType.TOKEN_CREATED, EventType.TOKEN_REVOKED]


async def test_a_load_announces_each_chunk_in_one_entry_and_readers_get_every_change(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = generate_archive(120, seed=5)
    monkeypatch.setattr(loads, "CHUNK", 25)

    await import_content(actor=FACTORY, tags=archive.tags, articles=archive.articles)

    stored = await events.StoredEvent.get_pymongo_collection().find({}, {"type": 1}).to_list()
    found = await all_events()
    kinds = [event.type for event in found]
    operations = len(archive.tags) + len(archive.articles)
    # One entry per chunk of 25 operations, the reveal and the merge.
    assert [entry["type"] for entry in stored].count("batch") == -(-operations // 25)
    assert len(stored) == -(-operations // 25) + 2
    # Each change read once, as its own event.
    assert kinds.count(EventType.ARTICLE_PUBLISHED) == len(archive.articles)
    assert kinds.count(EventType.TAG_CREATED) == len(archive.tags)
    assert len({event.id for event in found}) == len(found)
    assert kinds[-2:] == [EventType.LOAD_REVEALED, EventType.LOAD_MERGED]
    assert (await client.data("{ articles { totalCount } }"))["articles"]["totalCount"] == 120


async def test_a_reader_passing_over_a_load_gets_every_other_change_in_order(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = generate_archive(60, seed=6)
    monkeypatch.setattr(loads, "CHUNK", 10)
    await import_content(actor=FACTORY, tags=archive.tags, articles=archive.articles[:30])
    await make_article(slug="between-the-loads")
    await import_content(actor=FACTORY, tags=archive.tags, articles=archive.articles[30:])
    everything = await all_events()
    first_load = next(event.load for event in everything if event.load is not None)

    reader, passed = EventReader(0), []
    while found := await reader.read(limit=7, besides=first_load):
        passed += found

    assert [event.id for event in passed] == [
        event.id for event in everything if event.load != first_load
    ]
    assert {event.load for event in passed} - {None} == {
        event.load for event in everything if event.load not in {None, first_load}
    }
    assert "between-the-loads" in {event.slug for event in passed}


async def test_a_write_interrupted_before_its_event_is_completed_once(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = await make_article(slug="interrupted", status=ArticleStatus.DRAFT)

    async def crash(*_: object, **__: object) -> None:
        raise ConnectionError("the process died here")

    with monkeypatch.context() as patch:
        # Made by a process that then died (it never beats: `cms.spine.liveness`).
        patch.setattr(liveness, "PROCESS_ID", "a-process-that-died")
        patch.setattr(events, "append", crash)
        with pytest.raises(ConnectionError):
            await workflow.transition_article(
                actor=FACTORY, article_id=str(article.id), to=ArticleStatus.PUBLISHED
            )
    stored = await workflow.current_article(str(article.id))
    public_before = await client.data('{ article(slug: "interrupted") { slug } }')
    before = [e.type for e in await all_events() if e.subject == str(article.id)]

    repaired = await journal.sweep(older_than=timedelta(0))
    again = await journal.sweep(older_than=timedelta(0))

    after = [e.type for e in await all_events() if e.subject == str(article.id)]
    public_after = await client.data('{ article(slug: "interrupted") { slug } }')
    assert stored.status is ArticleStatus.PUBLISHED  # the change was made...
    assert before == [EventType.ARTICLE_SAVED]  # ...but not announced,
    assert public_before["article"] is None  # so readers do not see it yet
    assert (repaired, again) == (1, 0)
    assert after == [EventType.ARTICLE_SAVED, EventType.ARTICLE_PUBLISHED]
    assert public_after["article"] == {"slug": "interrupted"}


@pytest.mark.processes
async def test_a_process_killed_between_change_and_event_loses_nothing(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    article = await make_article(slug="killed", status=ArticleStatus.DRAFT)
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal
        from cms.spine import events
        from cms.access import Actor
        from cms.config import get_settings
        from cms.status import ArticleStatus
        from cms.database import open_store
        from cms.workflow.articles import transition_article

        async def die(*_, **__):
            os.kill(os.getpid(), signal.SIGKILL)

        async def main():
            async with open_store(get_settings()):
                events.append = die
                await transition_article(
                    actor=Actor("killed-editor"), article_id="{article.id}",
                    to=ArticleStatus.PUBLISHED,
                )

        asyncio.run(main())
        """
    )
    killed = subprocess.run([sys.executable, "-c", script], env=cli_env, timeout=60, check=False)
    assert killed.returncode == -9

    await journal.sweep(older_than=timedelta(0))
    await journal.sweep(older_than=timedelta(0))
    announced = [e for e in await all_events() if e.subject == str(article.id)]
    public = await client.data('{ article(slug: "killed") { slug } }')

    assert public["article"] == {"slug": "killed"}
    assert [e.type for e in announced] == [EventType.ARTICLE_SAVED, EventType.ARTICLE_PUBLISHED]
    assert announced[-1].actor == "killed-editor"
    assert await Operation.find_all().count() == 0


async def test_a_write_interrupted_before_its_change_is_completed_by_the_sweep(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = await make_article(slug="pending", status=ArticleStatus.DRAFT)
    original = journal._apply_one

    async def crash(change: journal.Change, op_id: str) -> object:
        raise ConnectionError("the store went away")

    with monkeypatch.context() as patch:
        patch.setattr(liveness, "PROCESS_ID", "a-process-that-died")
        patch.setattr(journal, "_apply_one", crash)
        with pytest.raises(ConnectionError):
            await workflow.update_article(
                actor=FACTORY, article_id=str(article.id), changes={"body": "New."}, base_version=1
            )
    assert journal._apply_one is original

    await journal.sweep(older_than=timedelta(0))
    preview = await workflow.current_article(str(article.id))

    assert (preview.body, preview.version) == ("New.", 2)
    kinds = [e.type for e in await all_events() if e.subject == str(article.id)]
    assert kinds == [EventType.ARTICLE_SAVED, EventType.ARTICLE_SAVED]


async def test_an_interrupted_write_that_no_longer_applies_is_dropped(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = await make_article(slug="raced", status=ArticleStatus.DRAFT)

    async def crash(change: journal.Change, op_id: str) -> object:
        raise ConnectionError("the store went away")

    with monkeypatch.context() as patch:
        patch.setattr(liveness, "PROCESS_ID", "a-process-that-died")
        patch.setattr(journal, "_apply_one", crash)
        with pytest.raises(ConnectionError):
            await workflow.update_article(
                actor=FACTORY, article_id=str(article.id), changes={"body": "Lost"}, base_version=1
            )
    # Someone else saved in the meantime: the interrupted save was based on an old version.
    await workflow.update_article(
        actor=FACTORY, article_id=str(article.id), changes={"body": "Kept"}, base_version=1
    )

    completed = await journal.sweep(older_than=timedelta(0))
    current = await workflow.current_article(str(article.id))

    assert completed == 0
    assert (current.body, current.version) == ("Kept", 2)


def event(event_id: str) -> Event:
    return Event(
        event_id=event_id, type=EventType.TAG_UPDATED, at=datetime.now(UTC), actor="t", subject="s"
    )


async def test_an_event_appended_twice_is_stored_once(client: GraphQLClient) -> None:
    await events.append([event("a"), event("b")])
    await events.append([event("b"), event("c")])

    found = await all_events()

    assert [e.event_id for e in found] == ["a", "b", "c"]


async def test_a_batch_is_stored_as_one_value_and_read_back_change_by_change(
    client: GraphQLClient,
) -> None:
    at = datetime(2026, 12, 2, 10, 0, 0, 123000, tzinfo=UTC)
    changes = [
        Event(
            event_id=f"change-{number}",
            type=EventType.ARTICLE_UPDATED,
            at=at,
            actor="loader",
            subject=f"article-{number}",
            slug=f"story-{number}",
            data={"changed": ["headline", "body"], "version": number, "when": at},
            load="a-load",
        )
        for number in range(3)
    ]

    await events.append(changes, batch="a-batch")
    await events.append(changes, batch="a-batch")  # again: stored once

    log_ = events.StoredEvent.get_pymongo_collection()
    (entry,) = await log_.find({"type": EventType.BATCH}).to_list()
    # The embedded store's cost is per value: the changes are one.
    assert isinstance(entry["events"], bytes)
    found = await all_events()
    assert [event.model_dump(exclude={"id", "seq", "part", "revision_id"}) for event in found] == [
        change.model_dump() for change in changes
    ]
    assert [event.id for event in found] == [f"{entry['_id']}.{part:05d}" for part in range(3)]


async def test_concurrent_writers_get_consecutive_numbers_read_in_order(
    client: GraphQLClient,
) -> None:
    await asyncio.gather(*(events.append([event(f"e{n}")]) for n in range(60)))

    first, second = EventReader(0), EventReader(0)
    read_a = [*(await first.read(limit=25)), *(await first.read(limit=100))]
    read_b = await second.read(limit=100)

    assert sorted(e.event_id for e in read_a) == sorted(f"e{n}" for n in range(60))
    assert [e.seq for e in read_a] == list(range(1, 61))
    assert [e.event_id for e in read_a] == [e.event_id for e in read_b]
    assert await first.read() == []


async def test_a_reader_following_a_bulk_append_asks_only_for_what_may_have_arrived(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bulk append takes all its numbers, then its events appear one by one (on the embedded
    store): a reader polling meanwhile must not ask again for every number taken."""
    first = await events._take(100)  # a bulk append of 100 events has taken its numbers...
    appended = [events._document(first + n, event(f"bulk-{n}")) for n in range(100)]
    asked: list[int] = []
    find_in = batches.find_in
    ours = asyncio.current_task()  # not the app's own feed, which follows the log meanwhile

    async def counting(collection: Any, field: str, values: Any, **kwargs: Any) -> Any:
        values = list(values)
        if asyncio.current_task() is ours:
            asked.append(len(values))
        return await find_in(collection, field, values, **kwargs)

    monkeypatch.setattr(events, "find_in", counting)
    reader = EventReader(first - 1, gap_grace=60)
    log_ = events.StoredEvent.get_pymongo_collection()
    read: list[events.StoredEvent] = []

    async def poll() -> None:  # as the feed does: read until nothing more comes
        while found := await reader.read():
            read.extend(found)

    await poll()  # ...and stored none yet
    asked.clear()
    for _ in range(10):
        await poll()
    idle = list(asked)
    for offset in range(0, 100, 7):  # ...then a few at a time
        await log_.insert_many(appended[offset : offset + 7])
        await poll()

    assert idle == [1] * 10  # one number per poll while nothing arrives, not the 100 taken
    assert [e.event_id for e in read] == [f"bulk-{n}" for n in range(100)]
    # Each poll asks for at most one number more than twice what it finds: 15 polls, 100 events
    assert sum(asked) - sum(idle) <= 2 * 100 + 15


async def test_a_number_taken_by_a_writer_that_died_becomes_a_gap(client: GraphQLClient) -> None:
    await events.append([event("before")])
    await events._take(1)  # a writer took 2, then died
    await events.append([event("after")])
    reader = EventReader(0, gap_grace=0.3)

    early = await reader.read()
    await asyncio.sleep(0.35)
    late = await reader.read()
    another = await EventReader(0, gap_grace=60).read()

    assert [e.event_id for e in early] == ["before"]  # waits: number 2 may still be written
    assert [e.event_id for e in late] == ["after"]
    assert [e.event_id for e in another] == ["before", "after"]  # the gap is marked for all


async def test_old_events_are_pruned_and_a_reader_behind_skips_them(client: GraphQLClient) -> None:
    old = datetime.now(UTC) - timedelta(days=30)
    await events.append(
        [
            event("old-1").model_copy(update={"at": old}),
            event("old-2").model_copy(update={"at": old}),
        ]
    )
    await events.append([event("new")])
    reader = EventReader(0, gap_grace=0)

    # The app's own upkeep may prune them first: either way they are gone, once.
    await events.prune(before=datetime.now(UTC) - timedelta(days=14))
    found = await reader.read()

    assert await events.bounds() == (2, 3)
    assert await events.StoredEvent.find_all().count() == 1
    assert [e.event_id for e in found] == ["new"]
    assert reader.position == 3


async def test_a_vote_announces_the_rating_change(client: GraphQLClient) -> None:
    article = await make_article(slug="voted")

    await client.data(VOTE, {"articleId": global_id(article), "stars": 3})

    (changed,) = [e for e in await all_events() if e.type is EventType.RATING_CHANGED]
    assert changed.subject == str(article.id)
    assert changed.data == {"stars": 3}


async def test_a_slow_but_living_process_is_never_swept(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = await make_article(slug="slow", status=ArticleStatus.DRAFT)

    async def crash(*_: object, **__: object) -> None:
        raise ConnectionError("still working on it")

    with monkeypatch.context() as patch:
        patch.setattr(events, "append", crash)
        with pytest.raises(ConnectionError):
            await workflow.transition_article(
                actor=FACTORY, article_id=str(article.id), to=ArticleStatus.PUBLISHED
            )

    # This process is alive (the app beats): its entry is its own to finish, however old.
    assert await journal.sweep(older_than=timedelta(0)) == 0
    assert await Operation.find_all().count() == 1
