"""A WordPress import against a fixtures load of the same articles, in the same run.

Each round, in fresh embedded stores: a generated archive (`cms.fixtures.synthetic`) is loaded
through the load path as `fixtures load` loads it (the files already read: the floor pays no YAML),
and, in another store, the same articles written as a WordPress export (WXR 1.2, bodies as HTML
paragraphs, sections as categories, tags as tags) are imported by `newsroom import wordpress`'s
code, reading and converting included. The bodies are the posts' markup of WordPress's theme
test export (`../shared/wordpress/`), when it is there, and the floor's articles hold what they
convert to, so both load the same articles. As on a real site, each post has a permalink and a
`?p=` guid (two old addresses to record) and most have Rate My Post totals (a rating baseline
each). Printed: the medians and the ratio (each round's own).

    python -m bench.wordpress [--size 10000] [--repeats 3]
"""

import argparse
import asyncio
import dataclasses
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from cms.access import Actor
from cms.config import Settings
from cms.database import open_store
from cms.fixtures.synthetic import Archive, generate_archive
from cms.store.embedded import embedded_server
from cms.wordpress.convert import convert
from cms.wordpress.importer import import_wordpress
from cms.wordpress.posts import RATING_COUNT, RATING_SUM
from cms.wordpress.synthetic import ExportAuthor, ExportPost, write_export
from cms.wordpress.wxr import Item, read_export
from cms.workflow.imports import import_content

ACTOR = Actor.local("bench")
SHARED = "shared/wordpress/themeunittestdata.wordpress.xml"
THEME = Path(__file__).resolve().parents[2] / SHARED
TARGET = 1.5


def theme_bodies() -> list[str]:
    """The posts' markup of WordPress's theme test export (classic and block editor, every
    construct), when it is here: conversion then has real work."""
    for candidate in (THEME, Path("/work") / SHARED):
        if candidate.is_file():
            return [
                record.content
                for record in read_export(candidate)
                if isinstance(record, Item) and record.post_type == "post" and record.content
            ]
    return []


def with_bodies(archive: Archive, bodies: list[str]) -> tuple[Archive, list[str]]:
    """The archive with each article's body the Markdown its WordPress markup becomes (the
    floor loads that), and the markup (the export holds that)."""
    if not bodies:
        markup = [
            "\n".join(f"<p>{part}</p>" for part in item.content.body.split("\n\n"))
            for item in archive.articles
        ]
        return archive, markup
    markup = [bodies[number % len(bodies)] for number in range(len(archive.articles))]
    articles = [
        dataclasses.replace(
            item, content=item.content.model_copy(update={"body": convert(html).markdown})
        )
        for item, html in zip(archive.articles, markup, strict=True)
    ]
    return Archive(tags=archive.tags, articles=articles), markup


def votes_of(number: int) -> int:
    """Rate My Post votes of the post numbered `number` (one in 40 has none)."""
    return number % 40


def posts(archive: Archive, markup: list[str]) -> Iterator[ExportPost]:
    names = {tag.slug: tag.name for tag in archive.tags}
    for number, item in enumerate(archive.articles, start=1):
        content = item.content
        moment = content.published_at.strftime("%Y-%m-%d %H:%M:%S")
        day = content.published_at.strftime("%Y/%m/%d")
        votes = votes_of(number)
        yield ExportPost(
            post_id=number,
            title=content.headline,
            slug=content.slug,
            content=markup[number - 1],
            excerpt=content.excerpt,
            creator="reporter",
            date=moment,
            date_gmt=moment,
            categories=[(content.section, content.section.title())],
            tags=[(slug, names[slug]) for slug in content.tags],
            link=f"https://news.example/{day}/{content.slug}/",
            meta={RATING_COUNT: str(votes), RATING_SUM: str(votes * 4)} if votes else {},
        )


async def fixtures_load(data_dir: Path, archive: Archive) -> float:
    async with (
        embedded_server(data_dir) as uri,
        open_store(Settings(mongodb_uri=uri, database="fixtures")),
    ):
        started = time.perf_counter()
        await import_content(actor=ACTOR, tags=archive.tags, articles=archive.articles)
        return time.perf_counter() - started


async def wordpress_import(data_dir: Path, export: Path) -> float:
    async with (
        embedded_server(data_dir) as uri,
        open_store(Settings(mongodb_uri=uri, database="wordpress")),
    ):
        started = time.perf_counter()
        report = await import_wordpress(export, actor=ACTOR, zone=ZoneInfo("UTC"))
        elapsed = time.perf_counter() - started
        assert report.outcomes() == {"new": len(report.posts)}, report.outcomes()
        assert report.ratings == sum(1 for n in range(1, len(report.posts) + 1) if votes_of(n))
        return elapsed


async def one_round(size: int) -> tuple[float, float]:
    archive, markup = with_bodies(generate_archive(size), theme_bodies())
    with tempfile.TemporaryDirectory(prefix="newsroom-bench-wp-") as folder:
        root = Path(folder)
        export = root / "export.xml"
        with export.open("w", encoding="utf-8") as out:
            write_export(
                out, posts(archive, markup), authors=[ExportAuthor("reporter", "A. Reporter")]
            )
        floor = await fixtures_load(root / "fixtures", archive)
        imported = await wordpress_import(root / "wordpress", export)
    return floor, imported


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rounds = [asyncio.run(one_round(args.size)) for _ in range(args.repeats)]
    floor = statistics.median(round_[0] for round_ in rounds)
    imported = statistics.median(round_[1] for round_ in rounds)
    ratio = statistics.median(round_[1] / round_[0] for round_ in rounds)
    print(f"WordPress import of {args.size:,} posts, medians of {args.repeats} rounds")
    print(f"  {'fixtures load of the same articles (floor)':<48}{floor:>8.1f} s")
    print(f"  {'import wordpress':<48}{imported:>8.1f} s{ratio:>7.2f}x  (target {TARGET}x)")


if __name__ == "__main__":
    main()
