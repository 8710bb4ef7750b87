"""Messages say `null`, as GraphQL does, never Python's `None`.

graphql-core words a null given for a non-null type as "... not to be None." (in validation and
in variable coercion alike); a client wrote `null`, so that is the word it reads.
"""

import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

PYTHON_NONE = re.compile(r"\bNone\b")


def _reworded(errors: list[GraphQLError] | None) -> None:
    for error in errors or ():
        if "None" in error.message:
            error.message = PYTHON_NONE.sub("null", error.message)


class NullNotNone(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        _reworded(context.pre_execution_errors)
        if context.result is not None:
            _reworded(context.result.errors)
