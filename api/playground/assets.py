"""The playground's files: pinned npm releases (committed under `assets/`) and its own script and
style (`static/`), served at `/graphql/assets/` as `web.assets` serves every face's files.

To upgrade a release, change its version and integrity here and run `scripts/fetch_assets.py`.
"""

from pathlib import Path

from web.assets import Assets, Package

HERE = Path(__file__).parent
PREFIX = "/graphql/assets/"

# The versions Strawberry's own GraphiQL page uses, which work together as UMD bundles.
REACT = Package(
    "react",
    "18.2.0",
    "sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==",
    ("umd/react.production.min.js", "LICENSE"),
    PREFIX,
)
REACT_DOM = Package(
    "react-dom",
    "18.2.0",
    "sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==",
    ("umd/react-dom.production.min.js", "LICENSE"),
    PREFIX,
)
GRAPHIQL = Package(
    "graphiql",
    "3.8.3",
    "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
    ("graphiql.min.js", "graphiql.min.css", "LICENSE"),
    PREFIX,
)
# Ships no LICENSE file: its package.json says MIT, the licence of the graphiql monorepo it is
# published from (graphiql's LICENSE above).
EXPLORER = Package(
    "@graphiql/plugin-explorer",
    "1.0.2",
    "sha512-9j+kg2UjtLZD5EBmGjeWHkoVVxtbShYg2DzbUVebibnZYZM/iMBEF4vaccXJIAm5KaomIPLx0aoNs4LbODyc3Q==",
    ("dist/index.umd.js", "dist/style.css", "package.json"),
    PREFIX,
)
PACKAGES = (REACT, REACT_DOM, GRAPHIQL, EXPLORER)

PLAYGROUND = Assets(
    prefix=PREFIX, releases=HERE / "assets", own_folder=HERE / "static", packages=PACKAGES
)
FILES = PLAYGROUND.files
OWN = PLAYGROUND.own
serve_asset = PLAYGROUND.endpoint()
