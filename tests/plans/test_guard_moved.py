"""The field guard, moved to plan-building time, still refuses: a view wired wrongly gets no
plan for the field it should lack, and the request is refused FORBIDDEN at run time by
graphql-core's guard, its resolver never run; the granted twin runs through its plan."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from graphql import MiddlewareManager

from app.graphql.bounds import InputBounds
from app.graphql.guard import FieldGuard
from app.graphql.plans.cache import Plans
from tests.authz.test_guard import QUERY, miswire
from tests.plan_twins import Twins
from tests.spy import ResolverSpy

pytestmark = pytest.mark.anyio
CLIENT = "opg.poas.use"
GRANTED = '{ lpaStatus(uid: "M-8437-7464-3309") { isRegistered } }'


def miswire_with_plans(pair: Twins) -> Plans:
    miswire(pair.planned, CLIENT)  # validateLpa wired into the view, the guard from the policy
    gateway = pair.planned.state.gateway
    view = gateway.views[CLIENT]
    guard = FieldGuard(view.policy)
    plans = Plans(view.schema, guard.allows, MiddlewareManager(InputBounds()))
    gateway.views[CLIENT] = replace(view, plans=plans)
    return plans


async def test_a_miswired_field_gets_no_plan_and_is_refused(pair: Twins) -> None:
    plans = miswire_with_plans(pair)
    spy = ResolverSpy()
    spy.install([pair.planned.state.gateway.views[CLIENT].schema])
    answer = await pair.ask(pair.planned, CLIENT, {"query": QUERY})
    body = json.loads(answer.content)
    assert body["data"] == {"validateLpa": None}
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert spy.calls == []
    assert len(plans) == 1  # remembered as having no plan


async def test_the_granted_twin_runs_through_its_plan(pair: Twins) -> None:
    plans = miswire_with_plans(pair)
    answer = await pair.ask(pair.planned, CLIENT, {"query": GRANTED})
    assert json.loads(answer.content) == {"data": {"lpaStatus": {"isRegistered": True}}}
    document = pair.planned.state.gateway.views[CLIENT].executor.prepare(GRANTED).document
    assert document is not None
    assert plans.get(document, None) is not None
