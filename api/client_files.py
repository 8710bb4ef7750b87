"""Files a frontend project takes from Newsroom: its example operations and `possibleTypes`.

`newsroom schema examples --output examples` writes them; a test fails when the committed ones
drift from the code, as it does for `schema.graphql`.
"""

import json
import re
from pathlib import Path

from graphql import GraphQLSchema, is_abstract_type

from api.examples import EDITOR_QUERY, EXAMPLES, SUBSCRIPTIONS, UPLOAD_IMAGE_MUTATION

OPERATION_NAME = re.compile(r"^(?:query|mutation|subscription) (\w+)", re.MULTILINE)


def _file_name(document: str) -> str:
    found = OPERATION_NAME.search(document)
    assert found is not None, document
    # ArticlePage -> article-page.graphql
    return re.sub(r"(?<!^)(?=[A-Z])", "-", found.group(1)).lower() + ".graphql"


def operation_files() -> dict[str, str]:
    """The documented operations, by file name."""
    return {
        _file_name(document): document
        for document in (*EXAMPLES, *SUBSCRIPTIONS, EDITOR_QUERY, UPLOAD_IMAGE_MUTATION)
    }


def possible_types(schema: GraphQLSchema) -> dict[str, list[str]]:
    """For Apollo Client's `InMemoryCache({ possibleTypes })`: each union's and interface's
    object types, so fragments on them match."""
    return {
        name: sorted(kind.name for kind in schema.get_possible_types(named))
        for name, named in sorted(schema.type_map.items())
        if not name.startswith("__") and is_abstract_type(named)
    }


def possible_types_json(schema: GraphQLSchema) -> str:
    # The shape GraphQL Code Generator's fragment-matcher plugin writes, so either may make it.
    return json.dumps({"possibleTypes": possible_types(schema)}, indent=2) + "\n"


def write(folder: Path, schema: GraphQLSchema) -> list[Path]:
    written = [folder / "possibleTypes.json"]
    written[0].write_text(possible_types_json(schema))
    operations = folder / "operations"
    operations.mkdir(parents=True, exist_ok=True)
    for name, document in operation_files().items():
        (operations / name).write_text(document)
        written.append(operations / name)
    return written
