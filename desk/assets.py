"""The desk's files: htmx, a pinned npm release (committed under `assets/`), and the desk's own
stylesheet (`static/`), served at `/desk/assets/` as `web.assets` serves every face's files.

htmx 2 is the stable major the desk is written for (htmx 4, a rewrite, came out in late 2026;
2.0 is maintained beside it). To upgrade, change the version and integrity here and run
`scripts/fetch_assets.py`.
"""

from pathlib import Path

from web.assets import Assets, Package

HERE = Path(__file__).parent
PREFIX = "/desk/assets/"

HTMX = Package(
    "htmx.org",
    "2.0.11",
    "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
    ("dist/htmx.min.js", "LICENSE"),
    PREFIX,
)
PACKAGES = (HTMX,)

DESK = Assets(
    prefix=PREFIX, releases=HERE / "assets", own_folder=HERE / "static", packages=PACKAGES
)
