"""Variables for the difference test, made from an operation's variable definitions: a valid
set (demo UIDs, in-range values), invalid sets (a required one missing or null, the wrong
type) and hostile ones (over every cap, deep nesting, unknown names, huge numbers)."""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    type_from_ast,
)

DEMO_UID = "M-8437-7464-3309"
SCALARS: dict[str, Any] = {
    "LpaUid": DEMO_UID,
    "String": "plan-difference",
    "ID": "1",
    "Int": 1,
    "Float": 1.5,
    "Boolean": True,
    "Date": "1970-01-01",
    "DateTime": "2026-01-01T00:00:00Z",
    "UUID": "00000000-0000-4000-8000-000000000000",
}


def valid(type_: GraphQLInputType, depth: int = 0) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return valid(type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        return [valid(type_.of_type, depth + 1)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        if depth > 4:
            return {}
        return {
            name: valid(field.type, depth + 1)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) or depth < 2
        }
    assert isinstance(type_, GraphQLScalarType)
    return SCALARS.get(type_.name, "x")


def hostile(type_: GraphQLInputType) -> list[Any]:
    """Values a careless or malicious caller sends in place of one of this type."""
    nested: Any = "x"
    for _ in range(60):
        nested = [nested]
    return [None, "x" * 20_000, 2**70, -1, 1.5e308, {"__proto__": {}}, nested, [], True, ""]


def variable_sets(
    schema: GraphQLSchema, operation: OperationDefinitionNode
) -> list[dict[str, Any]]:
    """A valid set first, then for each variable each invalid and hostile value in turn."""
    types = {
        d.variable.name.value: type_from_ast(schema, d.type)
        for d in operation.variable_definitions or ()
    }
    base = {name: valid(t) for name, t in types.items() if t is not None}  # type: ignore[arg-type]
    sets: list[dict[str, Any]] = [base, {}, {**base, "unknown": 1}]
    for name, type_ in types.items():
        missing = {k: v for k, v in base.items() if k != name}
        sets.append(missing)
        for value in hostile(type_):  # type: ignore[arg-type]
            sets.append({**base, name: value})
    return sets
