"""Mutations answer verdicts, never data: walking the schema from every mutation's payload
reaches only the verdict types, whose leaves carry no personal value."""

from __future__ import annotations

import strawberry
from graphql import GraphQLObjectType, GraphQLSchema, get_named_type

from app.graphql.schema import build_schema

VERDICT_TYPES = {"MutationResult", "Problem"}
# What a verdict may hold: whether it was accepted, the LPA reference and version, and
# problem codes with JSON pointers.
VERDICT_LEAVES = {
    ("MutationResult", "accepted"): "Boolean",
    ("MutationResult", "uid"): "LpaUid",
    ("MutationResult", "version"): "Int",
    ("Problem", "source"): "String",
    ("Problem", "code"): "String",
}


def reachable_from_mutations(
    schema: GraphQLSchema,
) -> tuple[set[str], set[tuple[str, str, str]]]:
    assert schema.mutation_type is not None
    types: set[str] = set()
    leaves: set[tuple[str, str, str]] = set()
    pending = [get_named_type(f.type) for f in schema.mutation_type.fields.values()]
    while pending:
        named = pending.pop()
        if not isinstance(named, GraphQLObjectType) or named.name in types:
            continue
        types.add(named.name)
        for name, field in named.fields.items():
            inner = get_named_type(field.type)
            if isinstance(inner, GraphQLObjectType):
                pending.append(inner)
            else:
                leaves.add((named.name, name, inner.name))
    return types, leaves


def test_every_mutation_returns_a_mutation_result() -> None:
    schema = build_schema()._schema
    assert schema.mutation_type is not None
    for name, field in schema.mutation_type.fields.items():
        assert str(field.type) == "MutationResult!", name


def test_no_mutation_payload_reaches_personal_data() -> None:
    types, leaves = reachable_from_mutations(build_schema()._schema)
    assert types == VERDICT_TYPES
    assert {(t, f): kind for t, f, kind in leaves} == VERDICT_LEAVES


@strawberry.type
class Donor:
    last_name: str


@strawberry.type
class Leaky:
    accepted: bool
    donor: Donor


@strawberry.type
class LeakyQuery:
    ok: bool = True


@strawberry.type
class LeakyMutation:
    @strawberry.mutation
    def leak(self) -> Leaky:
        return Leaky(accepted=True, donor=Donor(last_name="x"))


def test_the_walk_would_see_a_leak() -> None:
    leaky = strawberry.Schema(query=LeakyQuery, mutation=LeakyMutation)._schema
    types, leaves = reachable_from_mutations(leaky)
    assert types == {"Leaky", "Donor"}
    assert ("Donor", "lastName", "String") in leaves
