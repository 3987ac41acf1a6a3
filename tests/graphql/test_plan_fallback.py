"""A document without a plan runs through graphql-core with every control as before: here a
failure inside graphql-core's executor is masked, audited and numbered like any other."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from tests.security.test_every_request_ends_well import MASKED, async_boom

pytestmark = pytest.mark.anyio
CLIENT = "opg.poas.sirius"
PLANNED = "query Probe { __typename }"
UNPLANNED = "query Probe { __typename @include(if: true) }"  # any directive: no plan


async def test_a_failing_executor_is_reached_only_without_a_plan(
    app: Starlette, gql: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert app.state.gateway.settings.compiled_plans
    monkeypatch.setattr(app.state.gateway.views[CLIENT].executor, "run", async_boom)
    unplanned = await gql(CLIENT, UNPLANNED)
    assert (unplanned.status_code, unplanned.json()) == (500, MASKED)
    planned = await gql(CLIENT, PLANNED)  # the twin: its plan never calls the executor
    assert (planned.status_code, planned.json()) == (200, {"data": {"__typename": "Query"}})
