"""Schema coordinates: the names a policy grants, as graphql-core sees them."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    GraphQLArgument,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    is_non_null_type,
)
from graphql.pyutils import Undefined


@dataclass(frozen=True, slots=True)
class Coordinates:
    operations: frozenset[str]
    fields: frozenset[str]
    arguments: frozenset[str]
    inputs: frozenset[str]

    def of_kind(self, kind: str) -> frozenset[str]:
        return frozenset(getattr(self, kind))


def schema_coordinates(schema: GraphQLSchema) -> Coordinates:
    roots = {t.name for t in (schema.query_type, schema.mutation_type) if t is not None}
    operations: set[str] = set()
    fields: set[str] = set()
    arguments: set[str] = set()
    inputs: set[str] = set()
    for name, named in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(named, GraphQLObjectType):
            for field_name, field in named.fields.items():
                coordinate = f"{name}.{field_name}"
                (operations if name in roots else fields).add(coordinate)
                arguments.update(f"{coordinate}.{arg}" for arg in field.args)
        elif isinstance(named, GraphQLInputObjectType):
            inputs.update(f"{name}.{f}" for f in named.fields)
    return Coordinates(
        frozenset(operations), frozenset(fields), frozenset(arguments), frozenset(inputs)
    )


def is_required_argument(arg: GraphQLArgument) -> bool:
    return is_non_null_type(arg.type) and arg.default_value is Undefined


def is_required_input_field(field: GraphQLInputField) -> bool:
    return is_non_null_type(field.type) and field.default_value is Undefined
