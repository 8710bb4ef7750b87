"""Running `newsroom` as a user types it: the installed console script, in its own process."""

import re
import subprocess
import sys
import tempfile
from pathlib import Path

NEWSROOM = str(Path(sys.executable).parent / "newsroom")


def newsroom(
    *args: str, env: dict[str, str], input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run in an empty directory, so that no developer's `.env` redirects the command; `input`
    is its standard input."""
    return subprocess.run(
        [NEWSROOM, *args],
        env=env,
        input=input,
        cwd=tempfile.gettempdir(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_counts(output: str, kind: str) -> tuple[int, int, int]:
    """(created, updated, unchanged) for `kind` from the table `fixtures load` prints."""
    match = re.search(rf"{kind}\s*\W\s*(\d+)\s*\W\s*(\d+)\s*\W\s*(\d+)", output)
    assert match, output
    created, updated, unchanged = (int(group) for group in match.groups())
    return created, updated, unchanged
