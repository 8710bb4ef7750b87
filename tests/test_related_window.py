"""Related articles are ranked among those published within a year of each other, so a writing
process holds the profiles of the last two years (and every pinning one), and reads older ones
while a change reaches them: the lists it writes are still exactly a rebuild's."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId
from hypothesis import given
from hypothesis import strategies as st

from cms.related import state as related_state
from cms.related.score import WINDOW_DAYS
from cms.related.store import EPOCH, STATS, STATS_ID, collection
from tests.exactness import assert_exact
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import update_article_operation
from tests.test_discovery_writes import related

UPDATE = update_article_operation("__typename ... on InvalidInput { problems { field message } }")
NOW = datetime.now(UTC)
WINDOW = timedelta(days=WINDOW_DAYS)


async def floods(prefix: str, at: datetime, count: int = 3) -> list[Any]:
    """Articles about one flood, days apart from `at`."""
    return [
        await make_article(
            slug=f"{prefix}-{index}",
            headline=f"Flood Report {index}",
            body=f"The river flooded the valley. Levees broke. Rescue {index}.",
            published_at=at + timedelta(days=index),
        )
        for index in range(count)
    ]


async def edit(editor: GraphQLClient, article: Any, edits: int = 0, **patch: Any) -> None:
    """Save `patch` over `article`, edited `edits` times since it was made."""
    variables = {"id": global_id(article), "version": article.version + edits, "input": patch}
    result = await editor.data(UPDATE, variables)
    assert result["updateArticle"]["__typename"] == "ArticleSaved", result


async def test_articles_further_apart_than_the_window_are_not_related(
    editor: GraphQLClient,
) -> None:
    await floods("now", NOW - timedelta(days=5), 2)
    await floods("within", NOW - WINDOW + timedelta(days=2), 1)
    await floods("beyond", NOW - 2 * WINDOW - timedelta(days=10), 1)

    assert await related(editor, "now-0") == ["now-1", "within-0"]
    assert await related(editor, "beyond-0") == []
    await assert_exact()


async def test_a_process_holds_two_windows_and_reads_older_profiles_a_change_reaches(
    editor: GraphQLClient,
) -> None:
    recent = await floods("recent", NOW - timedelta(days=20))
    old = await floods("old", NOW - 4 * WINDOW)
    related_state.forget()

    await edit(editor, recent[0], headline="Flood Report Updated")
    state = await related_state.current()
    assert state.since is not None
    assert state.since < NOW - 2 * WINDOW + timedelta(minutes=5)
    held = state.model.profiles.keys()
    assert {article.id for article in recent} <= held
    assert not {article.id for article in old} & held

    # An old article changed, and one moved into the present: each reaches the lists around
    # it, read for the change, and kept for the next (as many as `KEPT_OLDER`).
    since = state.since
    await edit(editor, old[0], headline="Flood Report Revisited")
    assert {article.id for article in old} <= state.model.profiles.keys()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(related_state, "KEPT_OLDER", 0)
        await edit(editor, old[1], publishedAt=(NOW - timedelta(days=1)).isoformat())
    assert state.since == since
    assert old[1].id in state.model.profiles
    assert not {old[0].id, old[2].id} & state.model.profiles.keys()

    assert await related(editor, "old-0") == ["old-2"]
    assert sorted(await related(editor, "old-1")) == ["recent-0", "recent-1", "recent-2"]
    await assert_exact()


async def test_an_old_article_saved_again_reads_no_profile_again(editor: GraphQLClient) -> None:
    old = await floods("old", NOW - 4 * WINDOW)
    related_state.forget()
    await edit(editor, old[0], headline="Flood Report Revisited")
    state = await related_state.current()
    reads: list[int] = []
    hold_ids = state._hold_ids

    async def counted(ids: Iterable[ObjectId]) -> None:
        reads.append(len(list(ids)))
        await hold_ids(ids)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(state, "_hold_ids", counted)
        await edit(editor, old[0], 1, headline="Flood Report Revisited Again")
        assert reads == []
        await edit(editor, old[2], headline="Flood Report Revisited Too")
        assert reads == []
    await assert_exact()


SPANS = st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=6).map(
    lambda pairs: [
        (EPOCH + timedelta(days=low), EPOCH + timedelta(days=high)) for low, high in pairs
    ]
)


@given(span=SPANS.filter(lambda spans: len(spans) == 1), spans=SPANS)
def test_the_part_of_a_span_left_to_read_is_what_no_held_span_covers(
    span: list[tuple[datetime, datetime]], spans: list[tuple[datetime, datetime]]
) -> None:
    (whole,) = span
    left = related_state._uncovered(whole, spans)
    for day in range(51):
        at = EPOCH + timedelta(days=day, hours=12)
        inside = whole[0] <= at < whole[1]
        covered = any(low <= at < high for low, high in spans)
        assert sum(low <= at < high for low, high in left) == (inside and not covered)

    # Each point once at most: the parts do not overlap.
    assert all(low < high for low, high in left)


async def test_a_pin_of_an_article_older_than_the_profiles_held(editor: GraphQLClient) -> None:
    (old,) = await floods("old", NOW - 5 * WINDOW, 1)
    source, *_ = await floods("recent", NOW - timedelta(days=3), 2)
    related_state.forget()
    await edit(editor, source, headline="Flood Report Again")
    assert old.id not in (await related_state.current()).model.profiles

    await edit(editor, source, 1, related=["old-0"])

    assert await related(editor, "recent-0") == ["old-0", "recent-1"]
    await assert_exact()


async def test_lists_ranked_before_windows_are_ranked_among_every_article(
    editor: GraphQLClient,
) -> None:
    """Statistics measured before windows existed (no `window`) keep every list as it was made,
    among every article, until the next rebuild that measures them."""
    source, *_ = await floods("recent", NOW - timedelta(days=3), 2)
    await floods("old", NOW - 5 * WINDOW, 1)
    await collection(STATS).update_one(
        {"_id": STATS_ID}, {"$unset": {"window": ""}, "$set": {"epoch": "before-windows"}}
    )

    await edit(editor, source, headline="Flood Report Again")

    state = await related_state.current()
    assert state.since is None
    assert await related(editor, "recent-0") == ["recent-1", "old-0"]
