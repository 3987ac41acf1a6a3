"""A field a client is not granted does not exist for it: every query shape is refused at
validation, before any resolver runs, and no error names what the client cannot see."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from graphql import GraphQLObjectType, GraphQLSchema
from starlette.applications import Starlette

from tests.factories import online_lpa
from tests.spy import ResolverSpy

pytestmark = pytest.mark.anyio

UID = "M-1234-5678-9018"
VALIDATE = f'validateLpa(uid: "{UID}") {{ valid }}'

# Documents `opg.poas.use` may not run: validateLpa belongs to other clients.
DENIED_SHAPES = {
    "direct": f"{{ {VALIDATE} }}",
    "aliased": f"{{ v: {VALIDATE} }}",
    "named fragment": f"query {{ ...F }} fragment F on Query {{ {VALIDATE} }}",
    "nested named fragment": (
        f"query {{ ...A }} fragment A on Query {{ ...B }} fragment B on Query {{ {VALIDATE} }}"
    ),
    "inline fragment": f"{{ ... on Query {{ {VALIDATE} }} }}",
    "mixed with an allowed field": (f'{{ lpaStatus(uid: "{UID}") {{ isRegistered }} {VALIDATE} }}'),
    "typename-only probe": f'{{ validateLpa(uid: "{UID}") {{ __typename }} }}',
    "typename probe of a hidden type": "{ ... on Validity { __typename } }",
    "introspection of a hidden type": '{ __type(name: "Validity") { name } }',
    "introspection of the schema": "{ __schema { types { name } } }",
    "a mutation": ('mutation { createLpa(input: {}, idempotencyKey: "k") { accepted } }'),
}


def names_in(schema: GraphQLSchema) -> set[str]:
    names = set()
    for named in schema.type_map.values():
        names.add(named.name)
        if isinstance(named, GraphQLObjectType):
            names.update(named.fields)
            for field in named.fields.values():
                names.update(field.args)
    return names


def hidden_names(app: Starlette, client: str) -> set[str]:
    full = app.state.gateway.views["developer"].schema
    view = app.state.gateway.views[client].schema
    return {n for n in names_in(full) - names_in(view) if not n.startswith("__")}


def assert_refused_without_naming_hidden_things(
    response: Any, document: str, hidden: set[str]
) -> None:
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}
    for error in errors:
        assert "Did you mean" not in error["message"]
        for name in hidden:  # graphql-core quotes every name it mentions
            if not re.search(rf"\b{name}\b", document):
                assert f"'{name}'" not in error["message"], (name, error)
                assert f'"{name}"' not in error["message"], (name, error)


@pytest.mark.parametrize("document", DENIED_SHAPES.values(), ids=DENIED_SHAPES.keys())
async def test_every_shape_of_a_denied_field_is_refused_before_any_resolver(
    gql: Any, app: Starlette, spy: ResolverSpy, document: str
) -> None:
    response = await gql("opg.poas.use", document)

    assert_refused_without_naming_hidden_things(
        response, document, hidden_names(app, "opg.poas.use")
    )
    assert spy.calls == []


async def test_the_allowed_twin_runs(gql: Any, spy: ResolverSpy) -> None:
    response = await gql("opg.poas.use", f'{{ lpaStatus(uid: "{UID}") {{ isRegistered }} }}')
    assert response.json() == {"data": {"lpaStatus": None}}
    assert spy.calls == ["Query.lpaStatus"]


async def test_the_same_document_runs_for_the_client_that_is_granted_it(
    gql: Any, spy: ResolverSpy
) -> None:
    response = await gql("opg.poas.makeregister", DENIED_SHAPES["nested named fragment"])
    assert response.json() == {"data": {"validateLpa": None}}
    assert spy.calls == ["Query.validateLpa"]


def drop_grant(file: str, coordinate: str) -> Callable[[dict[str, str]], None]:
    """Take a grant away; if no client has it any more, withhold it explicitly."""

    def edit(texts: dict[str, str]) -> None:
        line = f'  "{coordinate}",\n'
        assert line in texts[file]
        texts[file] = texts[file].replace(line, "")
        if not any(f'"{coordinate}"' in text for text in texts.values()):
            texts["_withheld.toml"] = f'withheld = ["{coordinate}"]\n'

    return edit


async def test_a_field_denied_on_a_granted_type_is_refused_through_the_relation(
    policy_copy: Any, app_with_policy: Any, token: Any
) -> None:
    folder = policy_copy(drop_grant("opg.poas.use.toml", "LpaStatus.registrationDate"))
    async with app_with_policy(folder) as (app, http):
        recorder = ResolverSpy()
        recorder.install([v.schema for v in app.state.gateway.views.values()])
        headers = {"Authorization": f"Bearer {token('opg.poas.use')}"}
        denied = f'{{ lpaStatus(uid: "{UID}") {{ isRegistered registrationDate }} }}'
        allowed = f'{{ lpaStatus(uid: "{UID}") {{ isRegistered }} }}'

        refused = await http.post("/graphql", json={"query": denied}, headers=headers)
        assert refused.status_code == 400
        assert recorder.calls == []
        works = await http.post("/graphql", json={"query": allowed}, headers=headers)
        assert works.json() == {"data": {"lpaStatus": None}}


async def test_a_field_denied_inside_a_mutation_payload_stops_the_mutation(
    policy_copy: Any, app_with_policy: Any, token: Any
) -> None:
    folder = policy_copy(drop_grant("opg.poas.makeregister.toml", "MutationResult.version"))
    async with app_with_policy(folder) as (app, http):
        recorder = ResolverSpy()
        recorder.install([v.schema for v in app.state.gateway.views.values()])
        headers = {"Authorization": f"Bearer {token('opg.poas.makeregister')}"}
        document = (
            'mutation($i: CreateLpaInput!) { createLpa(input: $i, idempotencyKey: "k")'
            " { accepted version } }"
        )
        body = {"query": document, "variables": {"i": online_lpa()}}

        refused = await http.post("/graphql", json=body, headers=headers)
        assert refused.status_code == 400
        assert recorder.calls == []
        body["query"] = document.replace(" version", "")
        works = await http.post("/graphql", json=body, headers=headers)
        assert works.json()["data"]["createLpa"]["accepted"] is True


async def test_a_denied_input_field_is_refused(
    policy_copy: Any, app_with_policy: Any, token: Any
) -> None:
    folder = policy_copy(drop_grant("opg.poas.makeregister.toml", "DonorInput.otherNamesKnownBy"))
    async with app_with_policy(folder) as (_app, http):
        headers = {"Authorization": f"Bearer {token('opg.poas.makeregister')}"}
        lpa = online_lpa()
        lpa["donor"]["otherNamesKnownBy"] = "Dot"
        document = (
            'mutation($i: CreateLpaInput!) { createLpa(input: $i, idempotencyKey: "k")'
            " { accepted } }"
        )
        refused = await http.post(
            "/graphql", json={"query": document, "variables": {"i": lpa}}, headers=headers
        )
        assert refused.status_code == 400
        assert "Dot" not in refused.text
        del lpa["donor"]["otherNamesKnownBy"]
        works = await http.post(
            "/graphql", json={"query": document, "variables": {"i": lpa}}, headers=headers
        )
        assert works.json()["data"]["createLpa"]["accepted"] is True


async def test_introspection_where_granted_shows_only_that_view(
    policy_copy: Any, app_with_policy: Any, token: Any
) -> None:
    def grant_introspection(texts: dict[str, str]) -> None:
        texts["opg.poas.use.toml"] = texts["opg.poas.use.toml"].replace(
            "introspection = false", "introspection = true"
        )

    async with app_with_policy(policy_copy(grant_introspection)) as (_app, http):
        headers = {"Authorization": f"Bearer {token('opg.poas.use')}"}
        query = "{ __schema { types { name fields { name } } mutationType { name } } }"
        response = await http.post("/graphql", json={"query": query}, headers=headers)
        schema = response.json()["data"]["__schema"]
        types = {t["name"]: t for t in schema["types"] if not t["name"].startswith("__")}
        assert schema["mutationType"] is None
        assert set(types) == {
            "Query",
            "LpaStatus",
            "LpaType",
            "Date",
            "LpaUid",
            "Boolean",
            "String",
        }
        assert [f["name"] for f in types["Query"]["fields"]] == [
            "lpaStatus",
            "donorIdentityMatches",
        ]


async def test_the_developer_sees_everything_and_may_introspect(gql: Any) -> None:
    response = await gql("developer", "{ __schema { queryType { fields { name } } } }")
    names = {f["name"] for f in response.json()["data"]["__schema"]["queryType"]["fields"]}
    assert {"lpaStatus", "validateLpa"} <= names


async def test_views_are_built_per_client_and_differ(app: Starlette) -> None:
    views = app.state.gateway.views
    assert set(views) == {"developer", "opg.poas.makeregister", "opg.poas.sirius", "opg.poas.use"}
    assert views["opg.poas.use"].schema.mutation_type is None
    assert set(views["opg.poas.makeregister"].schema.query_type.fields) == {
        "validateLpa",
        "readyForStatutoryWaitingPeriod",
        "feeReductionReadyForDecision",
    }
    assert views["opg.poas.use"].executor is not views["opg.poas.sirius"].executor


async def test_a_document_cached_for_one_client_is_never_served_to_another(gql: Any) -> None:
    sirius_only = '{ lpa(uid: "M-1234-5678-9018") { uid } }'
    for _ in range(3):  # the first run fills each executor's cache; later ones read it
        allowed = await gql("opg.poas.sirius", sirius_only)
        assert allowed.json() == {"data": {"lpa": None}}
        refused = await gql("opg.poas.use", sirius_only)
        assert refused.status_code == 400
        assert refused.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_view_narrows_input_types_and_changes_nothing_else_about_them() -> None:
    """Strawberry reads an input's extensions and graphql-core its out_type to build the
    value a resolver gets; descriptions reach the client's SDL. A view keeps all of them."""
    from graphql import GraphQLInputObjectType

    from app.authz.policy import load_policy
    from app.authz.views import build_view
    from app.graphql.schema import build_schema

    full = build_schema()._schema
    view = build_view(full, load_policy().clients["opg.poas.makeregister"])
    inputs = [t for t in view.type_map.values() if isinstance(t, GraphQLInputObjectType)]
    assert inputs
    for narrowed in inputs:
        original = full.type_map[narrowed.name]
        assert isinstance(original, GraphQLInputObjectType)
        assert narrowed.description == original.description
        assert narrowed.out_type == original.out_type
        assert narrowed.extensions == original.extensions
        for name, field in narrowed.fields.items():
            was = original.fields[name]
            kept = (field.description, field.out_name, field.extensions, field.default_value)
            assert kept == (was.description, was.out_name, was.extensions, was.default_value)
    described = [t for t in inputs if any(f.description for f in t.fields.values())]
    assert described  # the check above meets a description that could be lost


def test_a_view_narrows_object_types_and_changes_nothing_else_about_them() -> None:
    from graphql import GraphQLObjectType

    from app.authz.policy import load_policy
    from app.authz.views import build_view
    from app.graphql.schema import build_schema

    full = build_schema()._schema
    compared = {"description": 0, "deprecation": 0}
    for client in load_policy().clients.values():
        view = build_view(full, client)
        for narrowed in view.type_map.values():
            if not isinstance(narrowed, GraphQLObjectType) or narrowed.name.startswith("__"):
                continue
            original = full.type_map[narrowed.name]
            assert isinstance(original, GraphQLObjectType)
            assert narrowed.extensions == original.extensions
            assert narrowed.description == original.description
            for name, field in narrowed.fields.items():
                was = original.fields[name]
                assert field.description == was.description
                assert field.deprecation_reason == was.deprecation_reason
                assert field.extensions == was.extensions
                compared["description"] += field.description is not None
                compared["deprecation"] += field.deprecation_reason is not None
                for arg_name, arg in field.args.items():
                    old = was.args[arg_name]
                    kept = (arg.out_name, arg.extensions, arg.default_value)
                    assert kept == (old.out_name, old.extensions, old.default_value)
                    assert arg.description == old.description
    assert compared["description"]  # the check above meets a description to lose


def test_a_view_without_a_query_operation_is_refused() -> None:
    from dataclasses import replace

    from app.authz.policy import PolicyError, load_policy
    from app.authz.views import build_view
    from app.graphql.schema import build_schema

    use = load_policy().clients["opg.poas.use"]
    none = replace(use, grants=replace(use.grants, operations=frozenset()))
    with pytest.raises(PolicyError) as refused:
        build_view(build_schema()._schema, none)
    assert str(refused.value) == (
        "opg.poas.use.toml: grants no Query operation; every view needs one"
    )
