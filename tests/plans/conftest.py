"""Two gateways on one database, one answering through graphql-core and one through the
compiled plans (tests/plan_twins.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from starlette.applications import Starlette

from app.db.demo import seed_demo
from app.settings import Settings
from tests.conftest import migrated_database
from tests.plan_twins import Twins, twins


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # donorIdentityMatches spends a budget in the database both gateways share: never let
    # the first run of a pair use up what the second would have had; `app` is graphql-core's
    return replace(settings, oracle_failure_budget=1_000_000, compiled_plans=False)


@pytest.fixture
async def pair(app: Starlette, settings: Settings) -> AsyncIterator[Twins]:
    await seed_demo(app.state.gateway.engine)
    async with twins(app, settings) as made:
        yield made


@pytest.fixture
def second_database_url(backend: str, templates: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """Another migrated database, for the gateway that answers through plans."""
    with migrated_database(backend, templates, tmp_path / "planned.sqlite3") as url:
        yield url


@pytest.fixture
async def apart(
    app: Starlette, settings: Settings, second_database_url: str
) -> AsyncIterator[Twins]:
    """The twins on two databases made alike: each seeded with the demo LPAs, so that a
    mutation changes each the same way."""
    async with twins(app, settings, second_database_url) as made:
        for each in (made.core, made.planned):
            await seed_demo(each.state.gateway.engine)
        yield made
