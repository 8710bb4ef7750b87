"""What a GraphQL document must pass before it runs, each refusal with its own code.

One operation must be chosen without guessing, Newsroom's limits come first (a document over
one is refused before the costlier rules run), then the specification's rules. Results are
cached per document text: frontends send the same few documents over and over.
"""

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    ValuesOfCorrectTypeRule,
    validate,
)
from strawberry.extensions import SchemaExtension

from web import exchange
from web.codes import RequestCode

type Rules = tuple[type[ASTValidationRule], ...]


@dataclass(frozen=True)
class _Document:
    """A parsed document, cached by its text (hashing the syntax tree would cost more)."""

    text: str
    node: DocumentNode = field(compare=False)


class DocumentRules:
    """The checks one schema applies, as its introspection and suggestion settings say."""

    def __init__(
        self,
        *,
        limits: Rules,
        introspection: bool,
        suggestions: bool,
        cache_size: int = 1024,
    ) -> None:
        self.limits = limits
        self.introspection = introspection
        self.hide_suggestions = not suggestions
        self._cached = functools.lru_cache(maxsize=cache_size)(self._validate)

    def validate(
        self, schema: GraphQLSchema, text: str, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        return self._cached(schema, _Document(text, document), rules)

    def _validate(
        self, schema: GraphQLSchema, document: _Document, rules: Rules
    ) -> list[GraphQLError]:
        for limit in self.limits:
            # Each limit's errors carry their own code (depth, aliases, ...).
            if errors := self._run(
                schema, document, (limit,), RequestCode.GRAPHQL_VALIDATION_FAILED
            ):
                return errors
        values = tuple(rule for rule in rules if rule is ValuesOfCorrectTypeRule)
        others = tuple(rule for rule in rules if rule is not ValuesOfCorrectTypeRule)
        if not self.introspection:
            others += (NoSchemaIntrospectionCustomRule,)
        return [
            *self._run(schema, document, others, RequestCode.GRAPHQL_VALIDATION_FAILED),
            *self._run(schema, document, values, RequestCode.BAD_USER_INPUT),
        ]

    def _run(
        self, schema: GraphQLSchema, document: _Document, rules: Rules, code: RequestCode
    ) -> list[GraphQLError]:
        if not rules:
            return []
        errors = validate(schema, document.node, rules, hide_suggestions=self.hide_suggestions)
        for error in errors:
            # What a rule reports is the document's fault, even when a scalar's parser raised
            # on the way (`int()` on a 5,000-digit literal): a bad request, never a bug.
            error.original_error = None
            # A rule may know better (a cost limit, say): its own code stays.
            if not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": code}
        return errors


def _unresolved(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": RequestCode.OPERATION_RESOLUTION_FAILURE})


class CheckDocument(SchemaExtension):
    """Choose the operation to run, then validate with codes (instead of Strawberry's pass)."""

    def __init__(self, rules: DocumentRules) -> None:
        self.rules = rules

    def on_parse(self) -> Iterator[None]:
        yield
        document = self.execution_context.graphql_document
        if document is not None:
            self._choose_operation(document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        assert context.query is not None
        assert context.graphql_document is not None
        # Set before Strawberry's own validation, which then does not run again.
        context.pre_execution_errors = self.rules.validate(
            context.schema._schema,
            context.query,
            context.graphql_document,
            tuple(context.validation_rules),
        )
        yield

    def _choose_operation(self, document: DocumentNode) -> None:
        """Strawberry would run the first of several operations when none is named: refuse."""
        operations = [
            definition
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ]
        # The name the request sent; `operation_name` falls back to the first operation's.
        requested: str | None = self.execution_context._provided_operation_name
        if requested is None:
            if not operations:
                raise _unresolved("The document has no operation to run.")
            if len(operations) > 1:
                raise _unresolved(
                    f"The document has {len(operations)} operations: "
                    "name the one to run in `operationName`."
                )
            chosen = operations[0]
        else:
            found = [op for op in operations if op.name and op.name.value == requested]
            if not found:
                raise _unresolved(f"The document has no operation named '{requested}'.")
            chosen = found[0]
        current = exchange.current()
        if current is not None:
            current.operation = chosen.name.value if chosen.name else "anonymous"
