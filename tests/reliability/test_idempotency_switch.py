"""LPA_GATEWAY_UNSAFE_DISABLE_IDEMPOTENCY: a test-only switch for the fault storm's negative
control. Development honours it (retries run again); production refuses to start with it."""

from __future__ import annotations

import dataclasses
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.authz.tokens import mint_dev_token
from app.db.models import IdempotencyRecord, Lpa
from app.http.app import create_app
from app.settings import Settings, SettingsError
from tests.conftest import SUBS
from tests.factories import CREATE_LPA, online_lpa

SWITCH = "LPA_GATEWAY_UNSAFE_DISABLE_IDEMPOTENCY"


def test_production_refuses_the_switch() -> None:
    environ = {
        "LPA_GATEWAY_ENV": "production",
        "LPA_GATEWAY_DATABASE_URL": "postgresql+asyncpg://gateway@db/lpa",
        SWITCH: "true",
    }
    with pytest.raises(SettingsError, match="test-only"):
        Settings.from_env(environ)
    with pytest.raises(SettingsError, match="test-only"):
        Settings(env="production", unsafe_disable_idempotency=True)


def test_it_is_off_unless_switched_on() -> None:
    assert Settings.from_env({}).unsafe_disable_idempotency is False
    assert Settings.from_env({SWITCH: "true"}).unsafe_disable_idempotency is True
    with pytest.raises(SettingsError):
        Settings.from_env({SWITCH: "yes please"})


@pytest.mark.anyio
@pytest.mark.parametrize(("unsafe", "lpas"), [(False, 1), (True, 2)])
async def test_a_retry_runs_again_only_when_switched_off(
    settings: Settings, unsafe: bool, lpas: int
) -> None:
    app = create_app(dataclasses.replace(settings, unsafe_disable_idempotency=unsafe))
    token = mint_dev_token(settings, "opg.poas.makeregister", SUBS["opg.poas.makeregister"])
    body: dict[str, Any] = {"query": CREATE_LPA, "variables": {"input": online_lpa(), "key": "k"}}
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            for _ in range(2):
                answer = await http.post(
                    "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
                )
                assert answer.json()["data"]["createLpa"]["accepted"] is True
        async with app.state.gateway.engine.connect() as conn:
            count = select(func.count()).select_from(Lpa)
            records = select(func.count()).select_from(IdempotencyRecord)
            assert (await conn.execute(count)).scalar_one() == lpas
            assert (await conn.execute(records)).scalar_one() == (0 if unsafe else 1)
