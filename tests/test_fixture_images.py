"""Fixture files with images: `image: {file: kursk.jpg, ...}`, validated, loaded all or nothing
into the media library (one image per file), and exported back beside the article."""

import os
from pathlib import Path

import pytest

from cms.articles import Article
from cms.fixtures.exporter import export_fixtures
from cms.fixtures.loader import load_fixtures
from cms.fixtures.reader import FixtureSet, read_fixtures
from cms.media.files import chunk_count
from cms.media.model import LibraryImage
from tests import images
from tests.cli import load_counts, newsroom
from tests.factories import FACTORY
from tests.graphql_client import GraphQLClient

TAGS = "- slug: world\n  name: World\n"


def article(slug: str, image: str, status: str = "published") -> str:
    return (
        f"---\nheadline: {slug.title()}\nslug: {slug}\ndate: 2025-03-28T06:20:00Z\n"
        f"author: Staff\nsection: world\nstatus: {status}\ntags: [world]\n{image}---\nBody.\n"
    )


KURSK = (
    "image:\n  file: kursk.jpg\n  alt: A submarine\n  caption: The Kursk\n  credit: AP\n"
    "  focal: [0.4, 0.3]\n"
)


def content(root: Path, articles: dict[str, str], files: dict[str, bytes]) -> Path:
    (root / "articles").mkdir(parents=True)
    (root / "tags.yaml").write_text(TAGS)
    for name, text in articles.items():
        (root / "articles" / name).write_text(text)
    for name, data in files.items():
        (root / "articles" / name).write_bytes(data)
    return root


async def stored_counts() -> list[int]:
    database = LibraryImage.get_pymongo_collection().database
    names = ("images", "media.files", "media.chunks", "media_pending", "articles")
    return [await database[name].count_documents({}) for name in names]


async def load(fixtures: FixtureSet) -> dict[str, dict[str, int]]:
    assert not fixtures.problems, fixtures.problems
    return (await load_fixtures(fixtures, actor=FACTORY)).counts


async def test_a_load_adds_each_file_once_and_articles_show_it(
    client: GraphQLClient, tmp_path: Path
) -> None:
    photo = images.noise_jpeg(1300, 1000)
    chunks = chunk_count(len(photo))
    assert chunks > 1
    root = content(
        tmp_path / "content",
        {
            "one.md": article("one", KURSK),
            # The same file, named again: its own caption; the library's alt text.
            "two.md": article("two", "image:\n  file: kursk.jpg\n  caption: Raised\n"),
            # The same bytes under another name, in a folder beside the articles.
            "three.md": article("three", "image:\n  file: ../pictures/copy.jpg\n  alt: Same\n"),
        },
        {"kursk.jpg": photo},
    )
    (root / "pictures").mkdir()
    (root / "pictures" / "copy.jpg").write_bytes(photo)

    first = await load(read_fixtures(root))
    again = await load(read_fixtures(root))
    shown = await client.data(
        '{ article(slug: "two") { image { caption alt credit width height focalPoint { x y } } } }'
    )

    assert first["images"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert first["articles"]["created"] == 3
    assert again["articles"] == {"created": 0, "updated": 0, "unchanged": 3}
    assert again["images"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert await stored_counts() == [1, 1, chunks, 0, 3]
    assert shown["article"]["image"] == {
        "caption": "Raised",
        "alt": "A submarine",
        "credit": "AP",
        "width": 1300,
        "height": 1000,
        "focalPoint": {"x": 0.4, "y": 0.3},
    }


async def test_export_writes_the_file_beside_the_article_and_loads_back_unchanged(
    client: GraphQLClient, tmp_path: Path
) -> None:
    photo = images.jpeg(120, 90)
    root = content(tmp_path / "source", {"one.md": article("one", KURSK)}, {"kursk.jpg": photo})
    await load(read_fixtures(root))

    await export_fixtures(tmp_path / "exported")
    reloaded = await load(read_fixtures(tmp_path / "exported"))

    exported = tmp_path / "exported" / "articles"
    assert (exported / "kursk.jpg").read_bytes() == photo
    assert (
        "image:\n  file: kursk.jpg\n  caption: The Kursk\n  credit: AP\n  alt: A submarine\n"
        "  focal:\n  - 0.4\n  - 0.3\n" in (exported / "one.md").read_text()
    )
    assert reloaded["articles"] == {"created": 0, "updated": 0, "unchanged": 1}


async def test_a_load_that_writes_nothing_leaves_no_image(
    client: GraphQLClient, tmp_path: Path
) -> None:
    root = content(tmp_path / "content", {"one.md": article("one", "")}, {})
    await load(read_fixtures(root))
    stored = await Article.find_one({"slug": "one"})
    assert stored is not None
    await stored.set({"version": 5})  # changed elsewhere since the load: a conflict
    (root / "articles" / "one.md").write_text(article("one", KURSK))
    (root / "articles" / "kursk.jpg").write_bytes(images.jpeg())

    report = await load_fixtures(read_fixtures(root), actor=FACTORY)

    assert report.conflicts
    assert await stored_counts() == [0, 0, 0, 0, 1]


BAD = [
    pytest.param(
        {"kursk.jpg": images.SVG}, KURSK, "image.file", "SVG images are not accepted", id="svg"
    ),
    pytest.param(
        {"kursk.jpg": images.jpeg()[:-200]}, KURSK, "image.file", "damaged or cut short", id="cut"
    ),
    pytest.param({}, KURSK, "image.file", "cannot be read", id="missing"),
    pytest.param(
        {},
        "image:\n  file: ../../etc/passwd\n",
        "image.file",
        "leads out of the fixture folder",
        id="escape",
    ),
    pytest.param(
        {"kursk.jpg": images.jpeg()},
        "image:\n  file: kursk.jpg\n  focal: [2, 0]\n",
        "image.focal",
        "from 0 to 1",
        id="focal",
    ),
    pytest.param(
        {"kursk.jpg": images.jpeg()},
        "image:\n  file: kursk.jpg\n  url: https://x.test/a.jpg\n",
        "image.url",
        "Extra inputs",
        id="both",
    ),
]


@pytest.mark.parametrize(("files", "image", "field", "message"), BAD)
def test_a_bad_image_is_a_problem_of_the_article_that_names_it(
    tmp_path: Path, files: dict[str, bytes], image: str, field: str, message: str
) -> None:
    root = content(tmp_path / "content", {"one.md": article("one", image)}, files)

    (problem,) = read_fixtures(root).problems

    assert problem.file.name == "one.md"
    assert problem.field == field
    assert message in problem.message


def test_an_image_reached_through_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    root = content(
        tmp_path / "content", {"one.md": article("one", "image:\n  file: linked/kursk.jpg\n")}, {}
    )
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "kursk.jpg").write_bytes(images.jpeg())
    os.symlink(tmp_path / "elsewhere", root / "articles" / "linked")

    (problem,) = read_fixtures(root).problems

    assert "symbolic link" in problem.message


def test_validate_warns_of_a_published_image_without_alt_text(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    no_alt = "image:\n  file: kursk.jpg\n"
    root = content(
        tmp_path / "content",
        {"one.md": article("one", no_alt), "two.md": article("two", no_alt, status="draft")},
        {"kursk.jpg": images.jpeg()},
    )

    result = newsroom("fixtures", "validate", str(root), env=cli_env)

    assert result.returncode == 0, result.stderr
    assert "OK: 2 articles, 1 image and 1 tags are valid (1 warning)." in result.stdout
    (warning,) = result.stderr.strip().splitlines()
    assert "one.md" in warning
    assert "image.alt" in warning
    assert "no alt text" in warning


@pytest.mark.slow
async def test_the_cli_loads_images_in_the_same_load(
    client: GraphQLClient, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    root = content(
        tmp_path / "content", {"one.md": article("one", KURSK)}, {"kursk.jpg": images.jpeg()}
    )

    result = newsroom("fixtures", "load", str(root), env=cli_env)

    assert result.returncode == 0, result.stderr
    assert load_counts(result.stdout, "images") == (1, 0, 0)
    assert await stored_counts() == [1, 1, 1, 0, 1]


@pytest.mark.slow
async def test_one_bad_image_keeps_the_whole_load_out(
    client: GraphQLClient, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    root = content(
        tmp_path / "content",
        {
            "one.md": article("one", KURSK),
            "two.md": article("two", "image:\n  file: cut.jpg\n  alt: Cut\n"),
        },
        {"kursk.jpg": images.jpeg(), "cut.jpg": images.jpeg(200, 200)[:-400]},
    )

    result = newsroom("fixtures", "load", str(root), env=cli_env)

    assert result.returncode == 1
    assert "two.md" in result.stderr
    assert "damaged or cut short" in result.stderr
    assert await stored_counts() == [0, 0, 0, 0, 0]
