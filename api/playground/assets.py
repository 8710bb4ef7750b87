"""The playground's files: pinned npm releases (committed under `assets/`) and its own script.

Upstream files live at `/graphql/assets/<package>@<version>/<file>`, so a new version is a new
URL; Newsroom's own script and style are named by a hash of their content. Either way a URL never
changes what it serves, and browsers may keep every file for a year without asking again.

`scripts/fetch_playground.py` fetches the releases listed here with npm, checks each tarball
against the `integrity` (sha512) recorded below and the registry's own, and writes the files.
"""

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

HERE = Path(__file__).parent
ASSETS = HERE / "assets"
STATIC = HERE / "static"
PREFIX = "/graphql/assets/"
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    version: str
    # The registry's `dist.integrity` of the release's tarball.
    integrity: str
    # What the page uses, as paths inside the tarball's `package/` folder; licences included.
    files: tuple[str, ...]

    @property
    def folder(self) -> str:
        return f"{self.name}@{self.version}"

    def url(self, file: str) -> str:
        return f"{PREFIX}{self.folder}/{file}"


# The versions Strawberry's own GraphiQL page uses, which work together as UMD bundles.
REACT = Package(
    "react",
    "18.2.0",
    "sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==",
    ("umd/react.production.min.js", "LICENSE"),
)
REACT_DOM = Package(
    "react-dom",
    "18.2.0",
    "sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==",
    ("umd/react-dom.production.min.js", "LICENSE"),
)
GRAPHIQL = Package(
    "graphiql",
    "3.8.3",
    "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
    ("graphiql.min.js", "graphiql.min.css", "LICENSE"),
)
# Ships no LICENSE file: its package.json says MIT, the licence of the graphiql monorepo it is
# published from (graphiql's LICENSE above).
EXPLORER = Package(
    "@graphiql/plugin-explorer",
    "1.0.2",
    "sha512-9j+kg2UjtLZD5EBmGjeWHkoVVxtbShYg2DzbUVebibnZYZM/iMBEF4vaccXJIAm5KaomIPLx0aoNs4LbODyc3Q==",
    ("dist/index.umd.js", "dist/style.css", "package.json"),
)
PACKAGES = (REACT, REACT_DOM, GRAPHIQL, EXPLORER)


def _hashed(file: Path) -> str:
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
    return f"newsroom/{file.stem}.{digest}{file.suffix}"


def _files() -> dict[str, Path]:
    """Every file served, by its path under `PREFIX`."""
    files = {
        f"{package.folder}/{file}": ASSETS / package.folder / file
        for package in PACKAGES
        for file in package.files
    }
    files |= {_hashed(file): file for file in sorted(STATIC.iterdir())}
    return files


FILES = _files()
OWN = {path.name: f"{PREFIX}{name}" for name, path in FILES.items() if path.parent == STATIC}


async def serve_asset(request: Request) -> Response:
    """One of the playground's files; anything else is not found."""
    file = FILES.get(request.path_params["path"])
    if file is None:
        raise HTTPException(404)
    media_type, _ = mimetypes.guess_type(file.name)
    return FileResponse(
        file,
        media_type=media_type or "text/plain; charset=utf-8",
        headers={"Cache-Control": IMMUTABLE},
    )
