"""The policy matrix, generated from the policy and the schema: for every client and every
coordinate (root operation and `Type.field`), allowed means a request reaching it works, and
denied means the request is refused at validation. The number of cells is asserted, so a new
field or client changes the count and cannot slip through untested."""

from __future__ import annotations

import itertools
from collections import deque
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from starlette.applications import Starlette

from app.authz.coordinates import (
    is_required_argument,
    is_required_input_field,
    schema_coordinates,
)
from tests.factories import online_lpa

pytestmark = pytest.mark.anyio

# 4 clients x (30 root operations + 160 fields). Update it when the schema or policy grows:
# the diff then shows, in review, that new cells were checked.
EXPECTED_CELLS = 760

_keys = itertools.count()


SCALARS: dict[str, Any] = {
    "LpaUid": "M-1234-5678-9018",
    "Int": 0,
    "Boolean": False,
    "Date": "2000-01-01",
    "DateTime": "2026-01-05T10:00:00Z",
}


def sample(type_: Any) -> Any:
    """A value of `type_` that coerces: realistic for createLpa, minimal elsewhere."""
    named = get_named_type(type_)
    if is_list_type(type_) or (is_non_null_type(type_) and is_list_type(type_.of_type)):
        return [sample(named)]
    if named.name == "CreateLpaInput":
        return online_lpa()
    if named.name == "String":
        return f"matrix-{next(_keys)}"
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    if isinstance(named, GraphQLInputObjectType):
        return {
            name: sample(field.type)
            for name, field in named.fields.items()
            if is_required_input_field(field)
        }
    return SCALARS[named.name]


def path_to(schema: GraphQLSchema, target: str) -> list[tuple[GraphQLObjectType, str]] | None:
    """Shortest chain of (type, field) from a root type down to object type `target`."""
    roots = [t for t in (schema.query_type, schema.mutation_type) if t is not None]
    queue = deque((root, []) for root in roots)
    seen: set[str] = set()
    while queue:
        current, path = queue.popleft()
        if current.name == target:
            return path
        if current.name in seen:
            continue
        seen.add(current.name)
        for name, field in current.fields.items():
            named = get_named_type(field.type)
            if isinstance(named, GraphQLObjectType):
                queue.append((named, [*path, (current, name)]))
    return None


def document_for(schema: GraphQLSchema, coordinate: str) -> tuple[str, dict[str, Any]] | None:
    type_name, field_name = coordinate.split(".")
    path = path_to(schema, type_name)
    owner = schema.get_type(type_name)
    if path is None or not isinstance(owner, GraphQLObjectType):
        return None
    if field_name not in owner.fields:
        return None
    variables: dict[str, Any] = {}
    declarations: list[str] = []

    def call(parent: GraphQLObjectType, name: str) -> str:
        args = []
        for arg_name, arg in parent.fields[name].args.items():
            if is_required_argument(arg):
                var = f"v{len(variables)}"
                variables[var] = sample(arg.type)
                declarations.append(f"${var}: {arg.type}")
                args.append(f"{arg_name}: ${var}")
        return f"{name}({', '.join(args)})" if args else name

    leaf = is_leaf_type(get_named_type(owner.fields[field_name].type))
    selection = call(owner, field_name) + ("" if leaf else " { __typename }")
    for parent, name in reversed(path):
        selection = f"{call(parent, name)} {{ {selection} }}"
    root = path[0][0] if path else owner
    operation = "mutation" if root is schema.mutation_type else "query"
    header = f"({', '.join(declarations)})" if declarations else ""
    return f"{operation} Matrix{header} {{ {selection} }}", variables


async def test_policy_matrix(app: Starlette, gql: Any) -> None:
    views = app.state.gateway.views
    full = views["developer"].schema
    coordinates = schema_coordinates(full)
    cells, failures = 0, []
    for client, view in sorted(views.items()):
        granted = view.policy.grants
        for coordinate in sorted(coordinates.operations | coordinates.fields):
            cells += 1
            allowed = granted.everything or coordinate in granted.readable
            built = document_for(view.schema if allowed else full, coordinate)
            if built is None:
                failures.append(f"{client} {coordinate}: no document reaches it")
                continue
            document, variables = built
            response = await gql(client, document, variables)
            # Write the audit rows now: the matrix asks what each client may do, not whether
            # the batch's thread keeps up on a loaded machine (tests/http/test_audit_keeps_up).
            await app.state.gateway.audit.flush()
            body = response.json()
            if allowed and (response.status_code != 200 or "errors" in body):
                failures.append(f"{client} {coordinate}: allowed but failed: {body}")
            if not allowed and response.status_code != 400:
                failures.append(f"{client} {coordinate}: denied but answered: {body}")
    assert failures == []
    assert cells == len(views) * len(coordinates.operations | coordinates.fields)
    assert cells == EXPECTED_CELLS
