"""`Article.blocks` against `body(format: HTML)`, for an article holding every block type.

Both through the API in this process (httpx on the ASGI app, the embedded store, the response
cache off so that every request is resolved): one query asks for the body as HTML (its library
images and related card filled in for the reader), the other for every field of every block
(images with a URL and srcset, the related card's article). Each figure is the median of
`--rounds` timings of `--requests` requests, after one warm-up request each (a body is parsed
once per process and kept, for both). Target: blocks at most 1.5x the HTML.

    python -m bench.blocks [--rounds 7] [--requests 50]
"""

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from api.settings import Settings
from cms.access import Actor
from cms.content import ArticleContent
from cms.media import library
from cms.media.library import Limits
from cms.status import ArticleStatus
from cms.store.embedded import embedded_server
from cms.text.urls import HOSTS_VARIABLE
from cms.workflow.imports import ImportedArticle, import_article
from newsroom.app import create_app
from tests import images
from tests.test_blocks_api import BLOCK_FIELDS, every_block

HTML = "query ($slug: String!) { article(slug: $slug) { body(format: HTML) } }"
BLOCKS = f"query ($slug: String!) {{ article(slug: $slug) {{ blocks {{ {BLOCK_FIELDS} }} }} }}"
TARGET = 1.5
ACTOR = Actor.local("bench")


async def _article(slug: str, body: str, status: ArticleStatus) -> None:
    content = ArticleContent(
        slug=slug,
        headline=slug.replace("-", " ").capitalize(),
        credit="Bench",
        section="world",
        published_at=datetime(2026, 1, 1, tzinfo=UTC),
        body=body,
    )
    imported = ImportedArticle(content=content, status=status, updated_at=content.published_at)
    await import_article(actor=ACTOR, article=imported)


async def _timed(http: httpx.AsyncClient, query: str, variables: dict[str, str], n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        answer = await http.post("/graphql", json={"query": query, "variables": variables})
        answer.raise_for_status()
        assert "errors" not in answer.json(), answer.json()
    return time.perf_counter() - started


async def run(rounds: int, requests: int) -> tuple[float, float]:
    os.environ[HOSTS_VARIABLE] = "charts.example.org"
    with tempfile.TemporaryDirectory() as data_dir:
        async with embedded_server(Path(data_dir)) as uri:
            settings = Settings(
                mongodb_uri=uri,
                database=f"bench_{time.time_ns()}",
                response_cache=False,
                log_level="warning",
            )
            app = create_app(settings)
            async with LifespanManager(app, startup_timeout=120, shutdown_timeout=120) as manager:
                limits = Limits.of(settings)
                shown = []
                for colour in ("red", "blue"):
                    added = await library.add_image(
                        actor=ACTOR,
                        data=images.jpeg(colour=colour),
                        filename="a.jpg",
                        limits=limits,
                    )
                    shown.append(added.image.id)
                await _article("public-one", "Text.", ArticleStatus.PUBLISHED)
                await _article("draft-one", "Text.", ArticleStatus.DRAFT)
                body = every_block(shown[0], shown[1], "public-one", "draft-one")
                await _article("blocks", body, ArticleStatus.PUBLISHED)
                transport = httpx.ASGITransport(app=manager.app)
                async with httpx.AsyncClient(transport=transport, base_url="http://b") as http:
                    variables = {"slug": "blocks"}
                    await _timed(http, HTML, variables, 1)
                    await _timed(http, BLOCKS, variables, 1)
                    html, blocks = [], []
                    for _ in range(rounds):
                        html.append(await _timed(http, HTML, variables, requests))
                        blocks.append(await _timed(http, BLOCKS, variables, requests))
    return statistics.median(html) / requests, statistics.median(blocks) / requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    html, blocks = asyncio.run(run(args.rounds, args.requests))
    print("An article holding every block type (median ms per request):")
    print(f"  {'body(format: HTML)':<40}{html * 1000:>8.2f} ms  1.00x")
    print(
        f"  {'blocks, every field':<40}{blocks * 1000:>8.2f} ms{blocks / html:>6.2f}x"
        f"  (target <= {TARGET}x)"
    )


if __name__ == "__main__":
    main()
