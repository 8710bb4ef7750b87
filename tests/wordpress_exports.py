"""WordPress exports for the importer's tests: the real one in ../shared, and small ones written
here for what it lacks (pending, private and password-protected posts, zero dates, Rate My Post
totals, hostile XML)."""

import os
from pathlib import Path
from typing import Any

import pytest

from cms.wordpress.posts import Converted, Skipped, convert_all
from cms.wordpress.synthetic import ExportPost, write_export
from cms.wordpress.wxr import Item

# A file whose absence makes the next `convert_or_die_once` end its process.
DIE_ONCE = "NEWSROOM_TEST_CONVERTER_DIES_UNLESS"

_SHARED = "shared/wordpress/themeunittestdata.wordpress.xml"


def theme_test_export() -> Path:
    """WordPress's own Theme Unit Test export, read where the project's data is handed over (the
    folder beside the checkout), or at `NEWSROOM_WORDPRESS_EXPORT`."""
    given = os.environ.get("NEWSROOM_WORDPRESS_EXPORT")
    root = Path(__file__).resolve().parents[1]
    for candidate in (
        *([Path(given)] if given else []),
        root.parent / _SHARED,
        Path("/work") / _SHARED,
    ):
        if candidate.is_file():
            return candidate
    pytest.skip(f"WordPress's theme test export is not here (../{_SHARED})")


def small_export(tmp_path: Path, posts: list[ExportPost], name: str = "small.xml") -> Path:
    path = tmp_path / name
    with path.open("w", encoding="utf-8") as out:
        write_export(out, posts)
    return path


def convert_or_die_once(items: list[Item], *arguments: Any) -> list[Converted | Skipped]:
    """`convert_all`, except the first call (in any process) ends its process without a word,
    as the kernel's out-of-memory killer would: for the importer's converters."""
    marker = Path(os.environ[DIE_ONCE])
    if not marker.exists():
        marker.touch()
        os._exit(1)
    return convert_all(items, *arguments)
