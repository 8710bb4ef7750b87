"""docker-compose.yml and the Dockerfile wire MongoDB, the fixture loader and the API together.

Docker can't run here, so these tests read the files instead of starting the stack.
"""

import json
import re
import shlex
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import yaml

ROOT = Path(__file__).parent.parent
DOCKERFILE = ROOT / "Dockerfile"


def _compose() -> dict[str, Any]:
    compose: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose


def _dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's (INSTRUCTION, arguments) pairs, continuation lines joined."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = (line.strip() for line in text.splitlines())
    return [
        (keyword.upper(), arguments.strip())
        for keyword, _, arguments in (
            line.partition(" ") for line in lines if line and not line.startswith("#")
        )
    ]


def _command(arguments: str) -> list[str]:
    """A CMD / HEALTHCHECK CMD's argv, from its exec (JSON) or shell form."""
    if arguments.startswith("["):
        argv: list[str] = json.loads(arguments)
        return argv
    return shlex.split(arguments)


def _service_command(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else list(command)


def test_mongodb_runs_mongo_8_with_a_healthcheck_and_a_named_volume() -> None:
    compose = _compose()
    mongodb = compose["services"]["mongodb"]

    assert re.fullmatch(r"mongo:8(\.[\d.]+)?", mongodb["image"])
    assert "mongosh" in mongodb["healthcheck"]["test"]
    assert "ping" in " ".join(mongodb["healthcheck"]["test"])
    assert "mongodb-data:/data/db" in mongodb["volumes"]
    assert "mongodb-data" in compose["volumes"]


def test_fixtures_and_api_build_the_image_and_use_the_mongodb_service() -> None:
    services = _compose()["services"]

    for name in ("fixtures", "api"):
        service = services[name]
        assert service["build"] == "."
        assert (ROOT / service["build"] / "Dockerfile").is_file()
        uri = urlsplit(service["environment"]["MONGODB_URI"])
        assert uri.scheme == "mongodb"
        assert uri.hostname == "mongodb"
        assert service["environment"]["NEWSROOM_DATABASE"] == "newsroom"


def test_fixtures_load_once_mongodb_is_healthy() -> None:
    fixtures = _compose()["services"]["fixtures"]

    assert _service_command(fixtures)[:3] == ["newsroom", "fixtures", "load"]
    assert fixtures["depends_on"]["mongodb"]["condition"] == "service_healthy"
    assert fixtures["restart"] == "no"


def test_api_starts_after_mongodb_is_healthy_and_fixtures_are_loaded() -> None:
    api = _compose()["services"]["api"]

    assert api["depends_on"]["mongodb"]["condition"] == "service_healthy"
    assert api["depends_on"]["fixtures"]["condition"] == "service_completed_successfully"
    assert api["environment"]["NEWSROOM_HOST"] == "0.0.0.0"
    assert "8000:8000" in api["ports"]


def test_dockerfile_serves_the_api_and_checks_its_health() -> None:
    instructions = _dockerfile()
    cmd = [arguments for keyword, arguments in instructions if keyword == "CMD"]
    healthcheck = [arguments for keyword, arguments in instructions if keyword == "HEALTHCHECK"]

    assert _command(cmd[-1]) == ["newsroom", "serve"]
    assert len(healthcheck) == 1
    assert "http://127.0.0.1:8000/healthz" in healthcheck[0]
    assert ("EXPOSE", "8000") in instructions
    assert any(keyword == "USER" and arguments != "root" for keyword, arguments in instructions)


def test_dockerfile_copies_the_fixtures_the_loader_reads() -> None:
    # Given the directory the compose command loads, relative to the image's WORKDIR
    fixtures_path = PurePosixPath(_service_command(_compose()["services"]["fixtures"])[-1])
    instructions = _dockerfile()
    workdir = PurePosixPath([args for keyword, args in instructions if keyword == "WORKDIR"][-1])

    # When listing (source, absolute destination) for each COPY
    copied: set[tuple[PurePosixPath, PurePosixPath]] = set()
    for keyword, arguments in instructions:
        if keyword == "COPY":
            *sources, destination = [a for a in shlex.split(arguments) if not a.startswith("--")]
            copied |= {(PurePosixPath(source), workdir / destination) for source in sources}

    # Then the repository's fixtures land where the loader looks, and aren't docker-ignored
    assert (fixtures_path, workdir / fixtures_path) in copied
    assert (ROOT / fixtures_path / "tags.yaml").is_file()
    ignored = {
        line.strip().strip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if not line.startswith("#")
    }
    assert str(fixtures_path) not in ignored


def test_installs_come_from_the_lock_files() -> None:
    import re
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {
        "runtime": project["dependencies"],
        "dev": project["dependencies"] + project["optional-dependencies"]["dev"],
    }
    locks = {"runtime": "requirements.lock", "dev": "requirements-dev.lock"}
    for kind, lock in locks.items():
        pinned = {
            match.group(1).lower().replace("_", "-")
            for match in re.finditer(
                r"^([A-Za-z0-9_.-]+)==\S+ \\$", (ROOT / lock).read_text(), re.M
            )
        }
        for requirement in wanted[kind]:
            name = re.split(r"[<>=!~\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
            assert name in pinned, f"{name} is not pinned in {lock}: run `make lock`"
    dockerfile = DOCKERFILE.read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "--require-hashes -r $(LOCK)" in makefile
