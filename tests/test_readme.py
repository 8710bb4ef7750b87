"""The README and the docs tell the truth about what can be set, and the README stays short."""

import subprocess
import sys

from api.settings import Settings
from tests.conftest import REPO

CONFIGURATION = REPO / "docs" / "operations" / "configuration.md"


def test_every_setting_is_in_the_docs_configuration_table() -> None:
    page = CONFIGURATION.read_text()

    missing = [
        f"NEWSROOM_{name.upper()}"
        for name in Settings.model_fields
        if f"NEWSROOM_{name.upper()}" not in page
    ]

    assert missing == [], "run `python scripts/settings_table.py` and update the page"


def test_the_configuration_table_is_the_one_the_script_prints() -> None:
    printed = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "settings_table.py")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert printed in CONFIGURATION.read_text(), (
        "docs/operations/configuration.md: paste what `python scripts/settings_table.py` prints"
    )


def test_the_readme_is_one_short_page_with_the_two_commands_on_its_first_screen() -> None:
    lines = (REPO / "README.md").read_text().splitlines()

    assert len(lines) <= 200
    first_screen = "\n".join(lines[:24])
    assert "make serve" in first_screen
    assert "make test" in first_screen
