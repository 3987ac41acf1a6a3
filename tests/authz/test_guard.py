"""The second wall: a field wired into a view by mistake is still refused when it resolves."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from starlette.applications import Starlette

from app.authz.views import build_view
from app.graphql.client_view import ClientView
from app.graphql.executor import Executor
from app.graphql.guard import FieldGuard
from tests.spy import ResolverSpy

pytestmark = pytest.mark.anyio

QUERY = '{ validateLpa(uid: "M-1234-5678-9018") { valid } }'


def miswire(app: Starlette, client: str) -> None:
    """Rebuild `client`'s view with validateLpa wired in, as a buggy view builder might."""
    gateway = app.state.gateway
    view = gateway.views[client]
    grants = view.policy.grants
    wrong = replace(
        view.policy,
        grants=replace(
            grants,
            operations=grants.operations | {"Query.validateLpa"},
            arguments=grants.arguments | {"Query.validateLpa.uid"},
            fields=grants.fields
            | {"Validity.valid", "Validity.problems", "Problem.source", "Problem.code"},
        ),
    )
    schema = build_view(gateway.views["developer"].schema, wrong)
    executor = Executor(schema, max_tokens=1000, middleware=[FieldGuard(view.policy)])
    gateway.views[client] = ClientView(view.policy, schema, executor)


async def test_a_miswired_field_is_refused_at_run_time_and_its_resolver_never_runs(
    app: Starlette, gql: Any
) -> None:
    before = await gql("opg.poas.use", QUERY)
    assert before.status_code == 400  # the correct view has no such field

    miswire(app, "opg.poas.use")
    spy = ResolverSpy()
    spy.install([app.state.gateway.views["opg.poas.use"].schema])
    response = await gql("opg.poas.use", QUERY)

    body = response.json()
    assert body["data"] == {"validateLpa": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert [e["message"] for e in body["errors"]] == ["Not permitted."]
    assert spy.calls == []


async def test_the_guard_lets_granted_fields_through(app: Starlette, gql: Any) -> None:
    miswire(app, "opg.poas.use")
    response = await gql("opg.poas.use", '{ lpaStatus(uid: "M-1234-5678-9018") { isRegistered } }')
    assert response.json() == {"data": {"lpaStatus": None}}


def test_guard_decisions(full_policy: Any) -> None:
    use = FieldGuard(full_policy.clients["opg.poas.use"])
    assert use.allows("Query", "lpaStatus")
    assert use.allows("LpaStatus", "lpaType")
    assert use.allows("Query", "__typename")
    assert not use.allows("Query", "validateLpa")
    assert not use.allows("Query", "__schema")  # introspection not granted
    assert not use.allows("__Type", "name")
    developer = FieldGuard(full_policy.clients["developer"])
    assert developer.allows("Query", "validateLpa")
    assert developer.allows("__Type", "name")
