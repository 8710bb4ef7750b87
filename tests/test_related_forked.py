"""A rebuild's lists ranked beside a forked process are those ranked here, bit for bit, even if
that process dies half way."""

import multiprocessing
import os
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cms.fixtures.synthetic import generate_archive
from cms.related import forked
from cms.related import rebuild as related_rebuild
from cms.workflow.imports import import_content
from tests.exactness import assert_exact
from tests.factories import FACTORY
from tests.graphql_client import GraphQLClient

ARCHIVE = generate_archive(120, seed=3)


def forking(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Rank every rebuild's lists beside a forked process, seven at a time; the parts each
    forked process was given, as each was started."""
    monkeypatch.setattr(forked, "FORKED_FROM", 10)
    monkeypatch.setattr(related_rebuild, "RANKED_AT_ONCE", 7)
    started: list[int] = []
    start = forked._Helper.start

    def counted(model: Any, parts: list[Any]) -> Any:
        started.append(len(parts))
        return start(model, parts)

    monkeypatch.setattr(forked._Helper, "start", counted)
    return started


async def loaded_and_checked(monkeypatch: pytest.MonkeyPatch, started: list[int]) -> None:
    # The archive more than doubles: the load ranks every list again.
    await import_content(actor=FACTORY, tags=ARCHIVE.tags, articles=ARCHIVE.articles[:50])
    await import_content(actor=FACTORY, tags=[], articles=ARCHIVE.articles[50:])
    assert started
    assert all(parts > 1 for parts in started)
    # Checked by ranking every list here alone.
    monkeypatch.setattr(forked, "FORKED_FROM", 10**9)
    await assert_exact()


@pytest.mark.slow
async def test_lists_ranked_beside_a_forked_process_are_those_ranked_here(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    await loaded_and_checked(monkeypatch, forking(monkeypatch))


@pytest.mark.slow
async def test_what_a_forked_process_that_died_did_not_rank_is_ranked_here(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = forking(monkeypatch)
    ranked_apart = forked._ranked_apart

    def dies_after_a_part(model: Any, parts: list[Any], claims: Any, connection: Any) -> None:
        # It sends the first part it takes, then takes a second and dies before sending it.
        first, taken = claims.first, list[int | None]()

        def once() -> int | None:
            if taken:
                first()
                os._exit(1)
            taken.append(first())
            return taken[0]

        claims.first = once
        ranked_apart(model, parts, claims, connection)

    monkeypatch.setattr(forked, "_ranked_apart", dies_after_a_part)
    await loaded_and_checked(monkeypatch, started)


@given(st.integers(min_value=0, max_value=40), st.lists(st.booleans(), max_size=60))
def test_parts_taken_from_either_end_are_each_taken_once(parts: int, fronts: list[bool]) -> None:
    claims = forked._Claims(multiprocessing.get_context("fork"), parts)
    taken = []
    for front in [*fronts, *[True] * parts]:
        index = claims.first() if front else claims.last()
        if index is None:
            break
        taken.append(index)
    assert sorted(taken) == list(range(parts))
    assert claims.first() is None
    assert claims.last() is None
