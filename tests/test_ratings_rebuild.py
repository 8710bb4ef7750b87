"""`newsroom ratings rebuild`: counters recounted from the vote ledger, old votes kept."""

import re
from typing import Any

import pytest

from api.settings import Settings
from cms.access import Actor
from cms.engagement.ratings import ArticleRating, Tally
from cms.engagement.recount import set_baselines
from cms.spine import journal, loads
from cms.spine.journal import Change
from tests.cli import newsroom
from tests.factories import global_id, make_article
from tests.graphql_client import GraphQLClient
from tests.operations import VOTE

RATING = (
    "query ($slug: String!) { article(slug: $slug) { rating { count distribution { count } } } }"
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"vote_limit_per_address": 0})


async def cast(client: GraphQLClient, article_id: str, *stars: int) -> None:
    for each in stars:
        await client.new_reader().data(VOTE, {"articleId": article_id, "stars": each})


async def counts(client: GraphQLClient, slug: str) -> tuple[int, list[int]]:
    rating = (await client.data(RATING, {"slug": slug}))["article"]["rating"]
    return rating["count"], [bucket["count"] for bucket in rating["distribution"]]


def rows(output: str, slug: str) -> list[list[str]]:
    """The cells of the table rows about `slug`."""
    found = []
    for line in output.splitlines():
        cells = [cell.strip() for cell in re.split(r"[│|]", line) if cell.strip()]
        if cells and cells[0] == slug:
            found.append(cells)
    return found


@pytest.mark.slow
async def test_rebuild_repairs_drift_and_keeps_votes_from_before_the_ledger(
    client: GraphQLClient, cli_env: dict[str, str]
) -> None:
    drifted = await make_article(slug="drifted")
    legacy = await make_article(slug="legacy")
    clean = await make_article(slug="clean")
    await cast(client, global_id(drifted), 5, 4, 2)
    await cast(client, global_id(clean), 3)
    ratings = ArticleRating.get_pymongo_collection()
    # Counted twice by some accident: the counters say more than the ledger.
    await ratings.update_one(
        {"_id": drifted.id}, {"$inc": {"votes": 7, "star_total": 35, "stars_5": 7}}
    )
    # Written by the code before the ledger: four votes of 3 stars, no baseline field.
    await ratings.insert_one({"_id": legacy.id, "votes": 4, "star_total": 12, "stars_3": 4})
    await cast(client, global_id(legacy), 5)

    dry = newsroom("ratings", "rebuild", "--dry-run", env=cli_env)
    after_dry = await counts(client, "drifted")
    real = newsroom("ratings", "rebuild", env=cli_env)
    again = newsroom("ratings", "rebuild", env=cli_env)

    assert dry.returncode == 0, dry.stderr
    assert "Checked 3 article ratings against 5 ledger votes." in dry.stdout
    assert rows(dry.stdout, "drifted") == [
        ["drifted", "votes", "3", "10"],
        ["drifted", "star_total", "11", "46"],
        ["drifted", "stars_5", "1", "8"],
    ]
    assert rows(dry.stdout, "legacy") == [["legacy", "4", "0", "0", "4", "0", "0"]]
    assert rows(dry.stdout, "clean") == []
    assert "Dry run: nothing was written." in dry.stdout
    assert after_dry == (10, [0, 1, 0, 1, 8])

    assert real.returncode == 0, real.stderr
    assert "Repaired 1 article rating." in real.stdout
    assert await counts(client, "drifted") == (3, [0, 1, 0, 1, 1])
    assert await counts(client, "legacy") == (5, [0, 0, 4, 0, 1])  # the old votes are kept
    assert await counts(client, "clean") == (1, [0, 0, 1, 0, 0])
    legacy_counters = await ratings.find_one({"_id": legacy.id})
    assert legacy_counters is not None
    assert legacy_counters["baseline"] == {f"stars_{s}": 4 if s == 3 else 0 for s in range(1, 6)}

    assert again.returncode == 0, again.stderr
    assert "No drift: every rating matches the ledger." in again.stdout
    assert rows(again.stdout, "legacy") == []


@pytest.mark.slow
async def test_rebuild_completes_votes_in_flight_instead_of_reporting_them(
    client: GraphQLClient, cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    article = await make_article(slug="in-flight")
    await cast(client, global_id(article), 4)
    original = journal._apply_one

    async def crash(change: Change, op_id: str) -> dict[str, Any] | None:
        if change.collection == "ratings":
            raise ConnectionError("the process died here")
        return await original(change, op_id)

    with monkeypatch.context() as patch:
        patch.setattr(journal, "_apply_one", crash)
        await client.new_reader().execute(VOTE, {"articleId": global_id(article), "stars": 2})

    dry = newsroom("ratings", "rebuild", "--dry-run", env=cli_env)
    real = newsroom("ratings", "rebuild", env=cli_env)

    assert "Not checked, votes in flight (a dry run leaves them be): in-flight" in dry.stdout
    assert rows(dry.stdout, "in-flight") == []
    assert "Completed 1 vote left in flight." in real.stdout
    assert "No drift" in real.stdout
    assert await counts(client, "in-flight") == (2, [0, 1, 0, 1, 0])


@pytest.mark.slow
async def test_baselines_set_in_bulk_keep_votes_and_redo_an_article_a_vote_reaches_meanwhile(
    client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    voted, quiet, reached = [
        await make_article(slug=slug) for slug in ("voted", "quiet", "reached")
    ]
    await cast(client, global_id(voted), 5)
    original = loads.run_load

    async def vote_first(*args: Any, **kwargs: Any) -> list[Any]:
        # A reader votes after the baselines were read and before they are written.
        await cast(client, global_id(reached), 1)
        return await original(*args, **kwargs)

    totals = [(voted.id, 7, 30), (quiet.id, 7, 30), (reached.id, 2, 8)]
    baselines = {
        article_id: Tally(unsorted=count, unsorted_stars=stars)
        for article_id, count, stars in totals
        if article_id is not None
    }
    with monkeypatch.context() as patch:
        patch.setattr(loads, "run_load", vote_first)
        changed = await set_baselines(baselines, actor=Actor.local("import"))
    again = await set_baselines(baselines, actor=Actor.local("import"))

    assert changed == 3
    assert await counts(client, "voted") == (8, [0, 0, 0, 0, 1])  # 7 from before, and the vote
    assert await counts(client, "quiet") == (7, [0, 0, 0, 0, 0])
    assert await counts(client, "reached") == (3, [1, 0, 0, 0, 0])
    assert again == 0  # as they are: nothing written
