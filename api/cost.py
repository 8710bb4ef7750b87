"""What a query may cost: computed from the page sizes it asks for, before any of it runs.

Every object the answer would hold costs a point, an article body ten (it is the bulk of an
answer), and a list multiplies what is inside it by its page size: `last` or `first` when given,
else `first`'s default, else the most the list can hold. So `tags(first: 100) { articles(first:
100) { ... } }` costs their product, as GitHub's node limit and Contentful's complexity limit
count. A query over the budget is refused before it runs, with its cost and the limit.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast,
)
from graphql.execution import ExecutionResult as GraphQLExecutionResult
from strawberry.extensions import SchemaExtension

# Fields worth more than one point each time they appear in the answer.
WEIGHTS = {("Article", "body"): 10, ("RevisionContent", "body"): 10}
# The most items a list without a `first` argument can hold. Connection lists (`edges`,
# `nodes`) hold the page their connection's `first` already counted.
FANOUT = {
    ("Article", "tags"): 20,
    ("Rating", "distribution"): 5,
    ("InvalidInput", "problems"): 20,
}
PER_ITEM = {"edges", "nodes"}
UNKNOWN_LIST = 100


class QueryTooCostly(GraphQLError):
    def __init__(self, cost: int, limit: int) -> None:
        super().__init__(
            f"This query would cost {cost:,} points; the limit is {limit:,}. Ask for fewer "
            "items (smaller `first`), or split it into several queries.",
            extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": limit},
        )


def _is_list(field_type: Any) -> bool:
    if isinstance(field_type, GraphQLNonNull):
        field_type = field_type.of_type
    return isinstance(field_type, GraphQLList)


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

    def _given(self, node: FieldNode, field: Any, name: str) -> Any:
        """The argument's value in this request: None when left out or null."""
        given = next((arg for arg in node.arguments or () if arg.name.value == name), None)
        if given is None:
            return None
        return value_from_ast(given.value, field.args[name].type, dict(self.variables))

    def _fanout(self, parent: str, node: FieldNode, field: Any) -> int:
        if "first" in field.args:
            # `last` pages backwards instead; a null `first` is its default.
            value = self._given(node, field, "last") if "last" in field.args else None
            if value is None:
                value = self._given(node, field, "first")
            if value is None:
                value = field.args["first"].default_value
            return max(int(value), 0) if isinstance(value, int) else UNKNOWN_LIST
        if not _is_list(field.type) or node.name.value in PER_ITEM:
            return 1
        return FANOUT.get((parent, node.name.value), UNKNOWN_LIST)

    def _selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType
    ) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
        """Every field selected on `parent`, fragments opened, with the type it belongs to."""
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                named = self.schema.get_type(condition.name.value) if condition else parent
                yield from self._selections(selection.selection_set, named or parent)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    named = self.schema.get_type(fragment.type_condition.name.value)
                    yield from self._selections(fragment.selection_set, named or parent)

    def cost(self, selection_set: SelectionSetNode, parent: GraphQLNamedType, times: int) -> int:
        total = 0
        for node, owner in self._selections(selection_set, parent):
            if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
                continue  # `__typename` on a union
            field = owner.fields.get(node.name.value)
            if field is None:
                continue  # introspection: small, and switched off in production
            composite = node.selection_set is not None
            weight = WEIGHTS.get((owner.name, node.name.value), 1 if composite else 0)
            fanout = self._fanout(owner.name, node, field) if composite else 1
            # A list's items each cost; a connection is one object whose page costs inside it.
            total += times * (fanout if _is_list(field.type) else 1) * weight
            if node.selection_set is not None:
                named = get_named_type(field.type)
                total += self.cost(node.selection_set, named, times * fanout)
        return total


def query_cost(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
) -> int:
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    return _Costing(schema, fragments, variables or {}).cost(operation.selection_set, root, 1)


class QueryCostLimiter(SchemaExtension):
    """Refuse, before execution, an operation over the request's budget (`Context.max_cost`)."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        limit = getattr(context.context, "max_cost", None)
        if document is not None and limit is not None:
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
                context.result = GraphQLExecutionResult(
                    data=None, errors=[QueryTooCostly(cost, limit)]
                )
        yield
