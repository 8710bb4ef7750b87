"""A face's static files: pinned npm releases committed to the repository, and its own files.

Upstream files are served at `<prefix><package>@<version>/<file>`, so a new version is a new URL;
a face's own files (its script, its style) are named by a hash of their content. Either way a URL
never changes what it serves, and browsers may keep every file for a year without asking again.
Nothing is fetched at run time: `scripts/fetch_assets.py` fetches the releases with npm, checks
each tarball against the `integrity` (sha512) recorded with it and the registry's own, and writes
the files, which are committed. Serving needs no Node.js.
"""

import hashlib
import mimetypes
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True, slots=True)
class Package:
    """An npm release, as a face serves it."""

    name: str
    version: str
    # The registry's `dist.integrity` of the release's tarball.
    integrity: str
    # What the face uses, as paths inside the tarball's `package/` folder; licences included.
    files: tuple[str, ...]
    # Where the face serves its files.
    prefix: str

    @property
    def folder(self) -> str:
        return f"{self.name}@{self.version}"

    def url(self, file: str) -> str:
        return f"{self.prefix}{self.folder}/{file}"


def _hashed(file: Path) -> str:
    digest = hashlib.sha256(file.read_bytes()).hexdigest()[:16]
    return f"newsroom/{file.stem}.{digest}{file.suffix}"


@dataclass(frozen=True)
class Assets:
    """Every file one face serves under `prefix`: its packages' (committed under `releases`) and
    its own (in `own_folder`)."""

    prefix: str
    releases: Path
    own_folder: Path
    packages: tuple[Package, ...]
    # Every file served, by its path under `prefix`.
    files: dict[str, Path] = field(init=False)
    # The face's own files by name, as the URL that serves them now.
    own: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        files = {
            f"{package.folder}/{file}": self.releases / package.folder / file
            for package in self.packages
            for file in package.files
        }
        own = sorted(self.own_folder.iterdir()) if self.own_folder.is_dir() else []
        files |= {_hashed(file): file for file in own}
        object.__setattr__(self, "files", files)
        object.__setattr__(
            self,
            "own",
            {path.name: f"{self.prefix}{name}" for name, path in files.items() if path in own},
        )

    @property
    def route_path(self) -> str:
        return self.prefix + "{path:path}"

    def endpoint(self) -> Callable[[Request], Awaitable[Response]]:
        """The route's endpoint: one of these files; anything else is not found."""

        async def serve(request: Request) -> Response:
            file = self.files.get(request.path_params["path"])
            if file is None:
                raise HTTPException(404)
            media_type, _ = mimetypes.guess_type(file.name)
            return FileResponse(
                file,
                media_type=media_type or "text/plain; charset=utf-8",
                headers={"Cache-Control": IMMUTABLE},
            )

        return serve
