"""Fetch every face's pinned npm releases, integrity-checked: GraphiQL's into
api/playground/assets/, htmx into desk/assets/.

    .venv/bin/python scripts/fetch_assets.py          # fetch and write the files
    .venv/bin/python scripts/fetch_assets.py --check  # compare with the committed files

Each release listed in `api/playground/assets.py` and `desk/assets.py` is downloaded with `npm
pack` (from whatever registry npm is configured for), and its tarball's sha512 must equal both the
integrity recorded there and the registry's `dist.integrity`. Only then are the listed files
(licences included) taken out of it. To upgrade: change a version there, set its integrity to what
`npm view NAME@VERSION dist.integrity` prints, run this script, and commit the files it writes.

Needs npm; serving the playground and the desk does not (the files are committed).
"""

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from api.playground.assets import PLAYGROUND
from desk.assets import DESK
from web.assets import Assets, Package

FACES = (PLAYGROUND, DESK)
REPO = Path(__file__).resolve().parent.parent


def _npm(*args: str, cwd: Path) -> str:
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is needed to fetch the pinned releases (apt-get install npm).")
    done = subprocess.run(
        [npm, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )
    if done.returncode != 0:
        sys.exit(f"npm {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def _sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def fetch(package: Package, work: Path) -> dict[str, bytes]:
    """The listed files of the release, after its tarball passed both integrity checks."""
    spec = f"{package.name}@{package.version}"
    registry = json.loads(_npm("view", spec, "dist.integrity", "--json", cwd=work))
    packed = json.loads(_npm("pack", spec, "--json", "--pack-destination", str(work), cwd=work))
    tarball = work / packed[0]["filename"]
    actual = _sha512(tarball.read_bytes())
    if not actual == package.integrity == registry:
        sys.exit(
            f"{spec}: the tarball's sha512 is {actual}, the registry says {registry}, "
            f"and Newsroom pins {package.integrity}. Not using it."
        )
    files = {}
    with tarfile.open(tarball) as archive:
        for name in package.files:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                sys.exit(f"{spec} has no file {name}")
            files[name] = member.read()
    return files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="Fail if the committed files differ from the fetched."
    )
    arguments = parser.parse_args()
    stale = []
    with tempfile.TemporaryDirectory() as temporary:
        for face in FACES:
            stale += write(face, Path(temporary), check=arguments.check)
    if stale:
        sys.exit("Differ from the pinned releases:\n" + "\n".join(stale))


def write(face: Assets, work: Path, *, check: bool) -> list[str]:
    """Fetch one face's releases into its folder (or compare, `check`); the files that differ."""
    stale = []
    for package in face.packages:
        for name, data in fetch(package, work).items():
            target = face.releases / package.folder / name
            if check:
                if not target.is_file() or target.read_bytes() != data:
                    stale.append(str(target))
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            print(f"{target.relative_to(REPO)}: {len(data):,} bytes")
    kept = {face.releases / package.folder for package in face.packages}
    # `name@version` folders (a scope such as `@graphiql` is not one).
    releases = (folder for folder in face.releases.glob("**/*@*") if "@" in folder.name[1:])
    for folder in sorted(releases):
        if folder.is_dir() and folder not in kept and not check:
            shutil.rmtree(folder)  # an earlier version's files
            print(f"removed {folder.relative_to(REPO)}")
    return stale


if __name__ == "__main__":
    main()
