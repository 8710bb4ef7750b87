"""What an article's ratings page costs with 10 votes and with 10,000: its chart is read from
counters (the article's, and one per day) by `_id`, so the two should cost the same.

One database on the embedded store (or `--mongodb-uri`), the app in-process and an editor logged
in; each page's median over many requests, the floor's (one `find` by `_id` through the same
client), and the ratio of the 10,000-vote median to the 10-vote one, which should stay at most
1.5.

    python -m bench.desk_ratings [--rounds N]
"""

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from asgi_lifespan import LifespanManager

from api.settings import Settings
from bench.api import median_seconds
from bench.desk import editor_session
from cms.access import Actor
from cms.articles import Article
from cms.clock import utcnow
from cms.content import ArticleContent
from cms.engagement.ratings import ArticleRating, Tally
from cms.engagement.vote_days import VoteDay, day_id
from cms.engagement.votes import Vote, ledger_id
from cms.status import ArticleStatus
from cms.store.embedded import embedded_server
from cms.workflow.imports import ImportedArticle, import_article
from newsroom.app import create_app

VOTES = (10, 10_000)
LIMIT = 1.5


async def seed_votes(article: Article, count: int) -> None:
    """`count` votes as the write path leaves them (ledger entries, counters, days: 1 to 5 stars
    in turn, over the last 30 days), written in bulk."""
    assert article.id is not None
    now = utcnow()
    entries: list[dict[str, Any]] = [
        {
            "_id": ledger_id(article.id, f"voter-{n}"),
            "article": article.id,
            "voter": f"voter-{n}",
            "stars": n % 5 + 1,
            "at": now - timedelta(days=n % 30),
        }
        for n in range(count)
    ]
    ledger = Vote.get_pymongo_collection()
    for start in range(0, count, 1000):  # in parts: each command stays short
        await ledger.insert_many(entries[start : start + 1000])
    tally = Tally.of({stars: sum(e["stars"] == stars for e in entries) for stars in range(1, 6)})
    await ArticleRating.get_pymongo_collection().insert_one(
        {"_id": article.id, **tally.counters(), "baseline": Tally().fields()}
    )
    per_day = Counter(entry["at"].date() for entry in entries)
    await VoteDay.get_pymongo_collection().insert_many(
        [
            {
                "_id": day_id(article.id, day),
                "article": article.id,
                "day": day.isoformat(),
                "votes": votes,
                "first": votes,
            }
            for day, votes in per_day.items()
        ]
    )


async def measure(uri: str, rounds: int) -> dict[str, float]:
    settings = Settings(
        mongodb_uri=uri, database=f"bench_ratings_{time.time_ns()}", log_level="warning"
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=300) as manager:
        actor = Actor.local("bench")
        articles = {}
        for count in VOTES:
            content = ArticleContent.model_validate(
                {
                    "slug": f"voted-{count}",
                    "headline": f"{count} votes",
                    "author": "Bench",
                    "section": "world",
                    "body": "Voted on.",
                    "published_at": utcnow(),
                }
            )
            imported = ImportedArticle(
                content=content, status=ArticleStatus.PUBLISHED, updated_at=utcnow()
            )
            articles[count] = await import_article(actor=actor, article=imported)
            await seed_votes(articles[count], count)
        while any(app.state.catalog.get(a.id) is None for a in articles.values()):
            await asyncio.sleep(0.1)  # the catalog follows the writes through the event log
        async with editor_session(manager.app) as http:
            collection = Article.get_pymongo_collection()
            first = articles[VOTES[0]]

            async def get(path: str) -> None:
                response = await http.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code}")

            cases: dict[str, Callable[[], Awaitable[object]]] = {
                "floor: find_one by _id": lambda: collection.find_one({"_id": first.id})
            }
            for count, article in articles.items():
                cases[f"chart, {count:,} votes"] = partial(get, f"/desk/ratings/{article.id}")
            results = {name: await median_seconds(case, rounds) for name, case in cases.items()}
        await collection.database.client.drop_database(settings.database)
    return results


async def run(rounds: int, mongodb_uri: str | None) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        if mongodb_uri is None:
            async with embedded_server(Path(data_dir)) as uri:
                found = await measure(uri, rounds)
        else:
            found = await measure(mongodb_uri, rounds)
    print(f"{'ratings page':<26}{'median ms':>10}")
    for name, seconds in found.items():
        print(f"{name:<26}{seconds * 1000:>10.2f}")
    few, many = (found[f"chart, {count:,} votes"] for count in VOTES)
    ratio = many / few
    print(f"10,000 votes / 10 votes: {ratio:.2f}{'  ok' if ratio <= LIMIT else '  OVER 1.5x'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--mongodb-uri", default=None, help="Measure on this server instead.")
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.mongodb_uri))


if __name__ == "__main__":
    main()
