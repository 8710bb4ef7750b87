"""Hostile fixture folders: each hazard is one problem of its file, found fast, never a crash."""

import os
import time
from pathlib import Path

import pytest

from cms.content import MAX_BODY
from tests.cli import newsroom
from tests.graphql_client import GraphQLClient
from tests.test_fixtures_cli import GOOD_ARTICLE, TAGS, write_set

BODY = "A powerful earthquake struck **central Myanmar** on Friday."
FRONT_END = "excerpt: A 7.7 magnitude earthquake struck central Myanmar.\n"


def _with(extra: str) -> str:
    """The good article with `extra` front matter lines added after its excerpt."""
    return GOOD_ARTICLE.replace(FRONT_END, FRONT_END + extra)


def _laughs(levels: int = 9) -> str:
    """Anchors nested "billion laughs" style: 9**levels strings once expanded."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]" for n in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


# File name -> what `validate` must say about it (one line each).
HAZARDS = {
    "laughs.md": "anchors (&l0) are not allowed",
    "huge-body.md": f"at most {MAX_BODY:,} are allowed",
    "dangling.md": "is a symbolic link",
    "loop.md": "is a symbolic link",
    "outside.md": "is a symbolic link",
    "folder.md": "is a directory, not a regular file",
    "pipe.md": "is a named pipe, not a regular file",
    "binary.md": "the tag !!binary is not allowed",
    "python.md": "the tag !!python/object/apply:os.system is not allowed",
    "custom-tag.md": "the tag !private is not allowed",
    "twice.md": "the key 'headline' is given twice",
    "deep.md": "nests deeper than 20 levels",
}


def hazard_folder(root: Path, outside: Path) -> Path:
    articles = {
        "laughs.md": GOOD_ARTICLE.replace("---\n", "---\n" + _laughs(), 1),
        "huge-body.md": GOOD_ARTICLE.replace(BODY, "x" * (MAX_BODY + 1)),
        "binary.md": _with("credit_note: !!binary aGVsbG8=\n"),
        "python.md": _with("x: !!python/object/apply:os.system ['true']\n"),
        "custom-tag.md": _with("x: !private value\n"),
        "twice.md": _with("headline: A second headline, silently kept\n"),
        "deep.md": _with("tags: " + "[" * 5000 + "]" * 5000 + "\n"),
        "bom-crlf.md": "\ufeff"
        + GOOD_ARTICLE.replace("slug: quake-hits-myanmar", "slug: bom").replace("\n", "\r\n"),
    }
    write_set(root, articles)
    folder = root / "articles"
    outside.write_text(GOOD_ARTICLE.replace("slug: quake-hits-myanmar", "slug: secret"))
    (folder / "dangling.md").symlink_to(root / "nowhere" / "at-all.md")
    (folder / "loop.md").symlink_to("loop.md")
    (folder / "outside.md").symlink_to(outside)
    (folder / "folder.md").mkdir()
    os.mkfifo(folder / "pipe.md")
    return root


def test_validate_reports_each_hazard_on_one_line_quickly(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    root = hazard_folder(tmp_path / "content", tmp_path / "secret.txt")

    started = time.monotonic()
    result = newsroom("fixtures", "validate", str(root), env=cli_env)
    seconds = time.monotonic() - started

    assert result.returncode == 1
    assert seconds < 5
    assert "Traceback" not in result.stderr
    assert f"{len(HAZARDS)} problems" in result.stderr
    lines = result.stderr.splitlines()
    for name, message in HAZARDS.items():
        (line,) = [line for line in lines if f"articles/{name}" in line]
        assert message in line, line
    # The byte order mark and Windows line ends are not a problem; nothing outside was read.
    assert "bom-crlf.md" not in result.stderr
    assert "slug: secret" not in result.stderr


def test_load_refuses_a_hazardous_folder_without_writing(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    root = hazard_folder(tmp_path / "content", tmp_path / "secret.txt")

    result = newsroom("fixtures", "load", str(root), env=cli_env)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{len(HAZARDS)} problems" in result.stderr


@pytest.mark.slow
async def test_a_file_with_a_byte_order_mark_and_windows_line_ends_loads(
    tmp_path: Path, cli_env: dict[str, str], client: GraphQLClient
) -> None:
    text = "\ufeff" + GOOD_ARTICLE.replace("\n", "\r\n")
    root = write_set(tmp_path / "content", {"quake-hits-myanmar.md": text})

    result = newsroom("fixtures", "load", str(root), env=cli_env)
    article = await client.data(
        'query { article(slug: "quake-hits-myanmar") { headline body(format: MARKDOWN) } }'
    )

    assert result.returncode == 0, result.stderr
    assert article == {"article": {"headline": "Quake hits Myanmar", "body": BODY}}


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (_laughs() + "tags:\n  - slug: a\n    name: A\n", "anchors (&l0) are not allowed"),
        (TAGS + "  name: Twice\n", "the key 'name' is given twice"),
        ("- slug: bytes\n  name: !!binary aGVsbG8=\n", "the tag !!binary is not allowed"),
        (None, "is a symbolic link"),
    ],
    ids=["anchors", "duplicate-key", "binary-tag", "symlink"],
)
def test_tags_file_hazards_are_refused(
    tmp_path: Path, cli_env: dict[str, str], tags: str | None, message: str
) -> None:
    root = write_set(tmp_path / "content", {"quake-hits-myanmar.md": GOOD_ARTICLE})
    if tags is None:
        (tmp_path / "elsewhere.yaml").write_text(TAGS)
        (root / "tags.yaml").unlink()
        (root / "tags.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    else:
        (root / "tags.yaml").write_text(tags)

    result = newsroom("fixtures", "validate", str(root), env=cli_env)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    # Each problem is `file:line`, the file within the set.
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("tags.yaml:")]
    assert message in line
