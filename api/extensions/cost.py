"""What a query may cost: computed from the page sizes it asks for, before any of it runs.

Every object the answer would hold costs a point, an article body ten (it is the bulk of an
answer), and a list multiplies what is inside it by its page size: `last` or `first` when given,
else `first`'s default, else the most the list can hold. So `tags(first: 100) { articles(first:
100) { ... } }` costs their product, as GitHub's node limit and Contentful's complexity limit
count. A query over the budget is refused before it runs, with its cost and the limit.

Questions about the schema itself count too, by the sizes of the schema being served
(`api.extensions.introspection_sizes`). A fragment is costed once for each type it is spread on,
however often it is spread. Subscriptions pass the same limit: their cost is that of one event.
"""

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    get_named_type,
    value_from_ast,
)
from strawberry.extensions import SchemaExtension

from api.extensions.introspection_sizes import IntrospectionSizes, sizes_of

# Fields worth more than one point each time they appear in the answer.
WEIGHTS = {("Article", "body"): 10, ("RevisionContent", "body"): 10, ("Article", "blocks"): 10}
# The most items a list without a `first` argument can hold. Connection lists (`edges`,
# `nodes`) hold the page their connection's `first` already counted.
FANOUT = {
    ("Article", "tags"): 20,
    ("Rating", "distribution"): 5,
    ("InvalidInput", "problems"): 20,
    # The body as blocks is costed as the body is, once, whatever the number of its blocks and
    # of their items: it is one article's text, parsed once and kept (`cms.text.body`).
    ("Article", "blocks"): 1,
    ("ListBlock", "items"): 1,
    ("TableBlock", "header"): 1,
    ("TableBlock", "rows"): 1,
    ("GalleryBlock", "images"): 1,
}
PER_ITEM = {"edges", "nodes"}
UNKNOWN_LIST = 100
# Costs beyond this are reported as "more than" it: the exact figure says nothing more.
MAX_REPORTED = 10**15
# Introspection fields that reach a named type (whose `ofType` is null), and those whose items
# are one each of everything listed (so the average length applies below them).
NAMED_TYPES = {"__type", "queryType", "mutationType", "subscriptionType", "types"}
NAMED_TYPES |= {"interfaces", "possibleTypes"}
LISTING_ALL = {"types", "directives", "fields", "args", "inputFields", "enumValues"}


class QueryTooCostly(GraphQLError):
    def __init__(self, cost: int, limit: int) -> None:
        shown = f"{cost:,}" if cost <= MAX_REPORTED else f"more than {MAX_REPORTED:,}"
        super().__init__(
            f"This query would cost {shown} points; the limit is {limit:,}. Ask for fewer "
            "items (smaller `first`), or split it into several queries.",
            extensions={
                "code": "QUERY_TOO_COSTLY",
                "cost": min(cost, MAX_REPORTED),
                "limit": limit,
            },
        )


def _is_list(field_type: Any) -> bool:
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)


@dataclass(frozen=True, slots=True)
class _Where:
    """Where in an introspection answer an object is: one of a listing of everything, and how
    many `ofType` below a field's type (beyond the schema's deepest wrapping, all are null)."""

    listed: bool = False
    wraps: int = 0


_TOP = _Where()


class _Costing:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.sizes: IntrospectionSizes = sizes_of(schema)
        self.costed: dict[tuple[str, str, _Where], Fraction | int] = {}
        self.opening: set[tuple[str, str, _Where]] = set()

    def _given(self, node: FieldNode, field: GraphQLField, name: str) -> Any:
        """The argument's value in this request: None when left out or null."""
        given = next((arg for arg in node.arguments or () if arg.name.value == name), None)
        if given is None:
            return None
        return value_from_ast(given.value, field.args[name].type, dict(self.variables))

    def _fanout(
        self, parent: str, node: FieldNode, field: GraphQLField, where: _Where
    ) -> Fraction | int:
        name = node.name.value
        if parent == "__Schema" and name == "types":
            return self.sizes.types
        if parent == "__Schema" and name == "directives":
            return self.sizes.directives
        if (spread := self.sizes.lists.get((parent, name))) is not None:
            return spread.mean if where.listed else spread.most
        if "first" in field.args:
            # `last` pages backwards instead; a null `first` is its default.
            value = self._given(node, field, "last") if "last" in field.args else None
            if value is None:
                value = self._given(node, field, "first")
            if value is None:
                value = field.args["first"].default_value
            return max(value, 0) if isinstance(value, int) else UNKNOWN_LIST
        if not _is_list(field.type) or name in PER_ITEM:
            return 1
        return FANOUT.get((parent, name), UNKNOWN_LIST)

    def _field(self, owner: GraphQLNamedType, name: str) -> GraphQLField | None:
        if owner is self.schema.query_type and name == "__schema":
            return SchemaMetaFieldDef
        if owner is self.schema.query_type and name == "__type":
            return TypeMetaFieldDef
        if isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
            found: GraphQLField | None = owner.fields.get(name)
            return found
        return None  # `__typename` (free), or a field on a union: validation refuses it

    def _below(self, parent: str, name: str, where: _Where) -> _Where:
        """Where the objects a field answers with stand."""
        if not parent.startswith("__") and name not in ("__schema", "__type"):
            return _TOP
        if name == "ofType":
            return _Where(wraps=where.wraps + 1)
        if name in NAMED_TYPES:
            return _Where(listed=name == "types", wraps=self.sizes.wrapping)
        if name in LISTING_ALL:
            return _Where(listed=where.listed)
        return _Where()

    def fragment(
        self, fragment: FragmentDefinitionNode, parent: GraphQLNamedType, where: _Where
    ) -> Fraction | int:
        named = self.schema.get_type(fragment.type_condition.name.value) or parent
        key = (fragment.name.value, named.name, where)
        if key in self.costed:
            return self.costed[key]
        if key in self.opening:
            return 0  # a cycle: the specification's rules refuse it
        self.opening.add(key)
        cost = self.unit(fragment.selection_set, named, where)
        self.opening.discard(key)
        self.costed[key] = cost
        return cost

    def unit(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, where: _Where
    ) -> Fraction | int:
        """What one object of type `parent` answering this selection set costs."""
        total: Fraction | int = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self._cost_field(selection, parent, where)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                named = self.schema.get_type(condition.name.value) if condition else parent
                total += self.unit(selection.selection_set, named or parent, where)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    total += self.fragment(fragment, parent, where)
        return total

    def _cost_field(
        self, node: FieldNode, owner: GraphQLNamedType, where: _Where
    ) -> Fraction | int:
        name = node.name.value
        field = self._field(owner, name)
        if field is None:
            return 0  # `__typename`
        if node.selection_set is None:
            return WEIGHTS.get((owner.name, name), 0)  # most leaves are part of their object
        if name == "ofType" and where.wraps >= self.sizes.wrapping:
            return 0  # always null this deep
        weight = WEIGHTS.get((owner.name, name), 1)
        fanout = self._fanout(owner.name, node, field, where)
        below = self.unit(
            node.selection_set, get_named_type(field.type), self._below(owner.name, name, where)
        )
        # A list's items each cost; a connection is one object whose page costs inside it.
        return (fanout if _is_list(field.type) else 1) * weight + fanout * below


def query_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
) -> int:
    """What the operation's answer would hold (for a subscription, each event's)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    costing = _Costing(schema, fragments, variables or {})
    return math.ceil(costing.unit(operation.selection_set, root, _TOP))


class QueryCostLimiter(SchemaExtension):
    """Refuse, with the validation errors, an operation over the request's budget
    (`Context.max_cost`): over HTTP and at subscribe time alike."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        limit = getattr(context.context, "max_cost", None)
        # After the document's own rules (`CheckDocument`, listed before): only a valid
        # document is costed.
        if document is not None and limit is not None and not context.pre_execution_errors:
            operations = [
                definition
                for definition in document.definitions
                if isinstance(definition, OperationDefinitionNode)
                and (
                    context.operation_name is None
                    or (definition.name and definition.name.value == context.operation_name)
                )
            ]
            fragments = {
                definition.name.value: definition
                for definition in document.definitions
                if isinstance(definition, FragmentDefinitionNode)
            }
            schema = context.schema._schema
            cost = max(
                (query_cost(schema, op, fragments, context.variables) for op in operations),
                default=0,
            )
            if cost > limit:
                context.pre_execution_errors = [QueryTooCostly(cost, limit)]
        yield
