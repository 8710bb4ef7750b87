"""What the desk's pages cost at 46 and at 10,000 articles: the articles list and the editor.

Each size gets a database of its own with a generated archive, the app in-process and an editor
logged in; each page reports its median over many requests and the floor's (one `find` by `_id`
through the same client), and the 10,000-article median is divided by the 46-article one: the
desk's lists come from the catalog and the editor reads one article, so that ratio should stay
at most 2.

    python -m bench.desk [--rounds N]
"""

import argparse
import asyncio
import contextlib
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager
from starlette.types import ASGIApp

from api.settings import Settings
from bench.api import median_seconds
from cms.access import Actor, Role
from cms.articles import Article
from cms.fixtures.synthetic import generate_archive
from cms.people import passwords
from cms.people.accounts import create_person
from cms.store.embedded import embedded_server
from cms.workflow.imports import import_content
from newsroom.app import create_app

SIZES = (46, 10_000)
PASSWORD = "a benchmark password"
LIMIT = 2.0


@contextlib.asynccontextmanager
async def editor_session(app: ASGIApp) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the app in-process, logged in to the desk as a new editor."""
    hashed = await passwords.hash_password(PASSWORD)
    await create_person(
        actor=Actor.local("bench"),
        email="ed@example.com",
        name="Ed",
        role=Role.EDITOR,
        password_hash=hashed,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
        form = (await http.get("/desk/login")).text
        token = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        await http.post(
            "/desk/login", data={"csrf": token, "email": "ed@example.com", "password": PASSWORD}
        )
        yield http


async def measure(uri: str, size: int, rounds: int) -> dict[str, float]:
    settings = Settings(
        mongodb_uri=uri, database=f"bench_desk_{size}_{time.time_ns()}", log_level="warning"
    )
    app = create_app(settings)
    async with LifespanManager(app, startup_timeout=300) as manager:
        archive = generate_archive(size)
        actor = Actor.local("bench")
        await import_content(actor=actor, tags=archive.tags, articles=archive.articles)
        catalog = app.state.catalog
        while len(catalog) < size:  # the catalog follows the load through the event log
            await asyncio.sleep(0.1)
        async with editor_session(manager.app) as http:
            middle = archive.articles[len(archive.articles) // 2].content.slug
            article = await Article.find_one({"slug": middle})
            assert article is not None
            collection = Article.get_pymongo_collection()

            async def get(path: str) -> None:
                response = await http.get(path)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code}")

            cases = {
                "floor: find_one by _id": lambda: collection.find_one({"_id": article.id}),
                "articles list": lambda: get("/desk/articles"),
                "editor page": lambda: get(f"/desk/articles/{article.id}"),
            }
            results = {name: await median_seconds(case, rounds) for name, case in cases.items()}
        await collection.database.client.drop_database(settings.database)
    return results


async def run(rounds: int, mongodb_uri: str | None) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        if mongodb_uri is None:
            async with embedded_server(Path(data_dir)) as uri:
                found = {size: await measure(uri, size, rounds) for size in SIZES}
        else:
            found = {size: await measure(mongodb_uri, size, rounds) for size in SIZES}
    small, large = (found[size] for size in SIZES)
    print(f"{'desk page':<24}{'46 ms':>10}{'10,000 ms':>12}{'ratio':>8}")
    for name in small:
        ratio = large[name] / small[name]
        verdict = "" if name.startswith("floor") else ("  ok" if ratio <= LIMIT else "  OVER 2x")
        print(
            f"{name:<24}{small[name] * 1000:>10.2f}{large[name] * 1000:>12.2f}"
            f"{ratio:>8.2f}{verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--mongodb-uri", default=None, help="Measure on this server instead.")
    args = parser.parse_args()
    asyncio.run(run(args.rounds, args.mongodb_uri))


if __name__ == "__main__":
    main()
