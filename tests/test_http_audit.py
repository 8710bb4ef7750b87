"""GraphQL over HTTP as the specification's own audit checks it, against `newsroom serve`."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.servers import served

AUDIT = REPO / "tests" / "http_audit"


@pytest.mark.processes
def test_the_server_passes_every_graphql_over_http_audit(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    node = shutil.which("node")
    assert node, "`make test` installs Node.js"
    assert (AUDIT / "node_modules" / "graphql-http").is_dir(), "`make test` installs the audit"

    with served(cli_env, tmp_path / "server.log") as url:
        audit = subprocess.run(
            [node, str(AUDIT / "audit.mjs"), f"{url}/graphql"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    assert audit.returncode == 0, audit.stderr
    results = [json.loads(line) for line in audit.stdout.splitlines()]
    # graphql-http 1.23.1 has 61 server audits; every one must pass, none merely warn.
    assert len(results) == 61, audit.stdout
    assert [result for result in results if result["status"] != "ok"] == []
