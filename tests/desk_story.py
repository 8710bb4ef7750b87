"""The steps the desk's quick start gives for the browser, read from its table as written, so that
the browser test does what a reader does; any row it cannot do fails the page.

A row is one of: `Open the link the command printed`; `**Label**: \\`text\\`` or
`**Label**: a password of 8 to 128 characters` (or `the same password`): type into the field
labelled Label; `Press **Name**`: press the button named Name; `See **Heading**: \\`text\\``: the
page's heading and a text it shows.
"""

import json
import re
import subprocess
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from tests.docs_blocks import PageError

SECTION = "In the browser"
_ROWS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Open the link the command printed"), "open"),
    (re.compile(r"\*\*(?P<label>[^*]+)\*\*: `(?P<text>[^`]+)`"), "type"),
    (
        re.compile(
            r"\*\*(?P<label>[^*]+)\*\*: (?:a password of 8 to 128 characters|the same password)"
        ),
        "password",
    ),
    (re.compile(r"Press \*\*(?P<name>[^*]+)\*\*"), "press"),
    (re.compile(r"See \*\*(?P<heading>[^*]+)\*\*: `(?P<text>[^`]+)`"), "see"),
]


def browser_steps(markdown: str) -> list[dict[str, Any]]:
    """The table's rows under the heading "In the browser", as actions."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    inside = False
    cells: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            inside = tokens[index + 1].content == SECTION
        elif inside and token.type == "inline" and tokens[index - 1].type == "td_open":
            cells.append(token.content)
    # Two cells a row: its number, then what to do.
    steps = []
    for number, row in zip(cells[::2], cells[1::2], strict=True):
        for pattern, action in _ROWS:
            found = pattern.fullmatch(row.strip())
            if found:
                steps.append({"step": number, "do": action, **found.groupdict()})
                break
        else:
            raise PageError(f"step {number} of the browser steps cannot be done by the test: {row}")
    if not steps:
        raise PageError(f"no table under a heading {SECTION!r}")
    return steps


def quick_start(root: Path) -> str:
    return (root / "docs" / "editors" / "quickstart.md").read_text()


def run_story(
    node: str,
    script: Path,
    plan: dict[str, Any],
    folder: Path,
    screenshot: Path,
    env: dict[str, str],
) -> dict[str, Any]:
    """A browser script (tests/frontend/) run on `plan`: its JSON report, or the failure with
    what it printed and where its screenshot is."""
    (folder / "plan.json").write_text(json.dumps(plan))
    story = subprocess.run(
        [node, str(script), str(folder / "plan.json"), str(screenshot)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**env, "CHROMIUM": "/usr/bin/chromium"},
    )
    assert story.returncode == 0, f"{story.stdout}\n{story.stderr}\nscreenshot: {screenshot}"
    report: dict[str, Any] = json.loads(story.stdout)
    return report


def serious_violations(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """What axe-core found serious or critical on the pages a story saw: (who, page, what)."""
    return [
        (entry["who"], entry["url"], violation)
        for entry in report["axe"]
        for violation in entry["violations"]
        if violation["impact"] in {"serious", "critical"}
    ]
