"""Two gateways on one database, one answering through graphql-core and one through the
compiled plans (tests/plan_twins.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from starlette.applications import Starlette

from app.db.demo import seed_demo
from app.settings import Settings
from tests.plan_twins import Twins, twins


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # donorIdentityMatches spends a budget in the database both gateways share: never let
    # the first run of a pair use up what the second would have had
    return replace(settings, oracle_failure_budget=1_000_000)


@pytest.fixture
async def pair(app: Starlette, settings: Settings) -> AsyncIterator[Twins]:
    await seed_demo(app.state.gateway.engine)
    async with twins(app, settings) as made:
        yield made
