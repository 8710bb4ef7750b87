"""The README tells the truth about what can be set."""

from api.settings import Settings
from tests.conftest import REPO


def test_every_setting_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()

    missing = [
        f"NEWSROOM_{name.upper()}"
        for name in Settings.model_fields
        if f"NEWSROOM_{name.upper()}" not in readme
    ]

    assert missing == [], "run `python scripts/settings_table.py` and update the README"
