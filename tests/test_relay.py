"""relay-compiler (pinned in tests/frontend) accepts the schema as Relay needs it: `@refetchable`
fragments on `Article` and on `Tag` (which need `Query.node(id: ID!): Node` exactly), and a
connection paged backwards (`last`/`before`)."""

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import REPO

FRONTEND = REPO / "tests" / "frontend"


def test_relay_compiles_refetchable_fragments_and_a_backward_connection(tmp_path: Path) -> None:
    compiler = FRONTEND / "node_modules" / ".bin" / "relay-compiler"
    assert compiler.exists(), "`make test` installs relay-compiler (tests/frontend)"
    shutil.copytree(FRONTEND / "relay", tmp_path / "src")
    (tmp_path / "__generated__").mkdir()
    config = {
        "src": "./src",
        "schema": str(REPO / "schema.graphql"),
        "language": "typescript",
        "artifactDirectory": "./__generated__",
    }
    (tmp_path / "relay.config.json").write_text(json.dumps(config))

    run = subprocess.run(
        [str(compiler), "relay.config.json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    made = sorted(path.name for path in (tmp_path / "__generated__").iterdir())
    assert made == [
        "FragmentsArticleRefetchQuery.graphql.ts",
        "FragmentsArticle_article.graphql.ts",
        "FragmentsTagPaginationQuery.graphql.ts",
        "FragmentsTag_tag.graphql.ts",
    ]
    generated = tmp_path / "__generated__"
    fragment = (generated / "FragmentsTag_tag.graphql.ts").read_text()
    pagination = (generated / "FragmentsTagPaginationQuery.graphql.ts").read_text()
    assert '"direction": "backward"' in fragment  # the connection pages backwards
    assert "hasPreviousPage" in pagination
    assert "node(id: $id)" in pagination  # refetched through Relay's `node`
