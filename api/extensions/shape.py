"""What a document's shape may be: depth, introspection depth, aliases and repeated fields.

Checked before the specification's rules, which are slow on some shapes (graphql-core compares
every pair of same-named fields). A fragment is measured once, however often it is spread: a
chain of fragments that each spread the next twice doubles at every level, and opening each
spread again would take seconds for a 700-byte request.
"""

from collections import Counter
from dataclasses import dataclass
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
)

from web.codes import RequestCode

# The article page needs a depth of 4 (article > related > tags > name).
MAX_DEPTH = 8
# From `__schema` or `__type` down: GraphiQL's and GraphQL Code Generator's introspection queries
# go 14 deep (__schema > types > fields > args > type > ofType x 9).
MAX_INTROSPECTION_DEPTH = 15
MAX_ALIASES = 20
# The same field (by response name) written more than this many times in one selection set.
MAX_REPEATS = 5
INTROSPECTION_ROOTS = frozenset({"__schema", "__type"})


@dataclass(frozen=True, slots=True)
class Shape:
    """One selection set's measures, fragments opened."""

    # Fields with a selection, on the deepest path, not counting introspection (as Strawberry's
    # depth limiter counts).
    depth: int = 0
    # The same, counting every field with a selection (for what lies under `__schema`).
    full_depth: int = 0
    # The deepest introspection: from `__schema` or `__type` down.
    introspection_depth: int = 0
    # Aliased fields, each fragment counted as often as it is spread.
    aliases: int = 0

    def merge(self, other: "Shape") -> "Shape":
        return Shape(
            max(self.depth, other.depth),
            max(self.full_depth, other.full_depth),
            max(self.introspection_depth, other.introspection_depth),
            self.aliases + other.aliases,
        )


class _Repeated(Exception):
    def __init__(self, name: str, count: int) -> None:
        self.name = name
        self.count = count


class _Measure:
    def __init__(self, document: DocumentNode) -> None:
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        self.measured: dict[str, Shape] = {}
        self.opening: set[str] = set()

    def fragment(self, name: str) -> Shape:
        if name in self.measured:
            return self.measured[name]
        fragment = self.fragments.get(name)
        if fragment is None or name in self.opening:
            # Unknown fragments and cycles are the specification's rules to report.
            return Shape()
        self.opening.add(name)
        shape = self.selections(fragment.selection_set)
        self.opening.discard(name)
        self.measured[name] = shape
        return shape

    def selections(self, selection_set: SelectionSetNode) -> Shape:
        names: Counter[str] = Counter()
        shape = self._gather(selection_set, names)
        if names and (most := names.most_common(1)[0])[1] > MAX_REPEATS:
            raise _Repeated(*most)
        return shape

    def _gather(self, selection_set: SelectionSetNode, names: Counter[str]) -> Shape:
        """Inline fragments' fields are merged with their parent's, as graphql-core compares
        them: they count as written in the parent selection set."""
        shape = Shape()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                names[(selection.alias or selection.name).value] += 1
                shape = shape.merge(self.field(selection))
            elif isinstance(selection, InlineFragmentNode):
                shape = shape.merge(self._gather(selection.selection_set, names))
            elif isinstance(selection, FragmentSpreadNode):
                shape = shape.merge(self.fragment(selection.name.value))
        return shape

    def field(self, node: FieldNode) -> Shape:
        aliases = 1 if node.alias else 0
        if node.selection_set is None:
            return Shape(aliases=aliases)
        inner = self.selections(node.selection_set)
        name = node.name.value
        return Shape(
            depth=0 if name.startswith("__") else inner.depth + 1,
            full_depth=inner.full_depth + 1,
            introspection_depth=(
                inner.full_depth + 1 if name in INTROSPECTION_ROOTS else inner.introspection_depth
            ),
            aliases=aliases + inner.aliases,
        )


def _refusal(code: RequestCode, message: str, node: Any) -> GraphQLError:
    return GraphQLError(message, node, extensions={"code": code})


class DocumentShape(ASTValidationRule):
    """Refuse an operation too deep, too deep into introspection, with too many aliases, or
    repeating a field over and over; each with its own code."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        measure = _Measure(context.document)
        aliases = 0
        for definition in context.document.definitions:
            if not isinstance(definition, OperationDefinitionNode):
                continue
            name = definition.name.value if definition.name else "anonymous"
            try:
                shape = measure.selections(definition.selection_set)
            except _Repeated as repeated:
                context.report_error(
                    _refusal(
                        RequestCode.QUERY_TOO_COMPLEX,
                        f"'{repeated.name}' is selected {repeated.count} times in one selection "
                        f"set (at most {MAX_REPEATS}): select it once.",
                        definition,
                    )
                )
                continue
            except RecursionError:
                shape = Shape(depth=MAX_DEPTH + 1)
            if shape.depth > MAX_DEPTH:
                context.report_error(
                    _refusal(
                        RequestCode.QUERY_TOO_DEEP,
                        f"'{name}' exceeds maximum operation depth of {MAX_DEPTH}",
                        definition,
                    )
                )
            if shape.introspection_depth > MAX_INTROSPECTION_DEPTH:
                context.report_error(
                    _refusal(
                        RequestCode.QUERY_TOO_DEEP,
                        f"'{name}' nests introspection {shape.introspection_depth} levels deep; "
                        f"the limit is {MAX_INTROSPECTION_DEPTH}.",
                        definition,
                    )
                )
            aliases += shape.aliases
        if aliases > MAX_ALIASES:
            context.report_error(
                _refusal(
                    RequestCode.TOO_MANY_ALIASES,
                    f"{aliases} aliases found. Allowed: {MAX_ALIASES}",
                    None,
                )
            )
