"""How many items each introspection list holds in the schema being served: what
`api.extensions.cost` multiplies by when a query asks about the schema itself.

An element reached by listing them all (`__schema { types { fields { args } } }`) counts the
average, so the whole listing costs exactly what it holds; an element reached by reference
(`type`, `ofType`, `interfaces`, `__type(name:)`) may be the largest, so it counts the most.
"""

import functools
from dataclasses import dataclass
from fractions import Fraction

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    GraphQLUnionType,
)


@dataclass(frozen=True, slots=True)
class Spread:
    """A list's length: on average over every owner, and at most."""

    mean: Fraction
    most: int

    @classmethod
    def of(cls, lengths: list[int], owners: int) -> "Spread":
        return cls(Fraction(sum(lengths), max(owners, 1)), max(lengths, default=0))


@dataclass(frozen=True, slots=True)
class IntrospectionSizes:
    types: int
    directives: int
    # Keyed by (introspection type, list field), e.g. ("__Type", "fields").
    lists: dict[tuple[str, str], Spread]
    # The most wrappers (`[Tag!]!` has three) around any type a field or argument has: below
    # that many `ofType`, every answer is null.
    wrapping: int


def _wrappers(type_: GraphQLType) -> int:
    count = 0
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
        count += 1
    return count


@functools.cache
def sizes_of(schema: GraphQLSchema) -> IntrospectionSizes:
    types = list(schema.type_map.values())
    with_fields = [t for t in types if isinstance(t, GraphQLObjectType | GraphQLInterfaceType)]
    fields: list[GraphQLField] = [f for t in with_fields for f in t.fields.values()]
    inputs: list[GraphQLInputField] = [
        f for t in types if isinstance(t, GraphQLInputObjectType) for f in t.fields.values()
    ]
    arguments: list[GraphQLArgument] = [a for f in fields for a in f.args.values()]
    directive_arguments = [a for d in schema.directives for a in d.args.values()]
    typed: list[GraphQLType] = [
        *(f.type for f in fields),
        *(f.type for f in inputs),
        *(a.type for a in (*arguments, *directive_arguments)),
    ]
    return IntrospectionSizes(
        types=len(types),
        directives=len(schema.directives),
        lists={
            ("__Type", "fields"): Spread.of([len(t.fields) for t in with_fields], len(types)),
            ("__Type", "interfaces"): Spread.of(
                [len(t.interfaces) for t in with_fields], len(types)
            ),
            ("__Type", "possibleTypes"): Spread.of(
                [
                    len(schema.get_possible_types(t))
                    for t in types
                    if isinstance(t, GraphQLInterfaceType | GraphQLUnionType)
                ],
                len(types),
            ),
            ("__Type", "enumValues"): Spread.of(
                [len(t.values) for t in types if isinstance(t, GraphQLEnumType)], len(types)
            ),
            ("__Type", "inputFields"): Spread.of(
                [len(t.fields) for t in types if isinstance(t, GraphQLInputObjectType)],
                len(types),
            ),
            ("__Field", "args"): Spread.of([len(f.args) for f in fields], len(fields)),
            ("__Directive", "args"): Spread.of(
                [len(d.args) for d in schema.directives], len(schema.directives)
            ),
        },
        wrapping=max((_wrappers(type_) for type_ in typed), default=0),
    )
