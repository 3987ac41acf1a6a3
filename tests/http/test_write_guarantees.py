"""Writes happen once, whole, and in order: idempotency under concurrency, optimistic
concurrency, one transaction per mutation, append-only history and outbox."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette

from app.db.models import Change, IdempotencyRecord, Lpa, OutboxEvent
from tests.factories import CREATE_LPA, online_lpa

pytestmark = pytest.mark.anyio

SIGN_CP = """
mutation Sign($uid: LpaUid!, $version: Int!, $key: String!) {
  signCertificateProvider(uid: $uid, expectedVersion: $version, idempotencyKey: $key,
                          input: {signedAt: "2026-02-01T09:00:00Z"}) {
    accepted uid version problems { source code }
  }
}
"""


async def count(app: Starlette, model: Any) -> int:
    async with app.state.gateway.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())


async def created(gql: Any, key: str = "create") -> str:
    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": online_lpa(), "key": key})
    uid: str = response.json()["data"]["createLpa"]["uid"]
    return uid


async def test_concurrent_requests_with_one_key_execute_once(gql: Any, app: Starlette) -> None:
    variables = {"input": online_lpa(), "key": "same-key"}
    responses = await asyncio.gather(
        *(gql("opg.poas.makeregister", CREATE_LPA, variables) for _ in range(5))
    )
    answers = [r.json()["data"]["createLpa"] for r in responses]
    assert all(a == answers[0] for a in answers)
    assert answers[0]["accepted"] is True
    assert await count(app, Lpa) == 1
    assert await count(app, Change) == 1
    assert await count(app, OutboxEvent) == 1


async def test_a_stale_expected_version_is_a_conflict_and_writes_nothing(
    gql: Any, app: Starlette
) -> None:
    uid = await created(gql)
    before = await count(app, Change)

    stale = await gql("opg.poas.makeregister", SIGN_CP, {"uid": uid, "version": 7, "key": "s"})

    assert stale.json()["data"]["signCertificateProvider"] == {
        "accepted": False,
        "uid": uid,
        "version": None,
        "problems": [{"source": "/expectedVersion", "code": "CONFLICT"}],
    }
    assert await count(app, Change) == before
    fresh = await gql("opg.poas.makeregister", SIGN_CP, {"uid": uid, "version": 1, "key": "f"})
    assert fresh.json()["data"]["signCertificateProvider"]["version"] == 2


@pytest.mark.postgres_only
async def test_fifty_concurrent_updates_at_one_version_accept_exactly_one(
    gql: Any, app: Starlette
) -> None:
    uid = await created(gql)
    responses = await asyncio.gather(
        *(
            gql("opg.poas.makeregister", SIGN_CP, {"uid": uid, "version": 1, "key": f"k{i}"})
            for i in range(50)
        )
    )
    verdicts = [r.json()["data"]["signCertificateProvider"] for r in responses]
    accepted = [v for v in verdicts if v["accepted"]]
    assert len(accepted) == 1
    assert accepted[0]["version"] == 2
    refused = {
        tuple((p["source"], p["code"]) for p in v["problems"])
        for v in verdicts
        if not v["accepted"]
    }
    assert refused == {(("/expectedVersion", "CONFLICT"),)}
    assert await count(app, Change) == 2  # the create and the one signature
    assert await count(app, IdempotencyRecord) == 51


async def test_a_failure_mid_mutation_leaves_nothing_behind(
    gql: Any, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def outbox_down(*_: Any, **__: Any) -> None:
        raise ConnectionError("outbox write failed")

    monkeypatch.setattr("app.db.repository.writes.record_change", outbox_down)
    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": online_lpa(), "key": "x"})

    assert response.json()["errors"][0]["extensions"]["code"] == "INTERNAL"
    for model in (Lpa, Change, OutboxEvent, IdempotencyRecord):
        assert await count(app, model) == 0
    monkeypatch.undo()
    retried = await gql("opg.poas.makeregister", CREATE_LPA, {"input": online_lpa(), "key": "x"})
    assert retried.json()["data"]["createLpa"]["accepted"] is True


@pytest.mark.parametrize("table", ["changes", "outbox"])
async def test_history_and_outbox_refuse_update_and_delete(
    gql: Any, app: Starlette, table: str
) -> None:
    await created(gql)
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
        with pytest.raises(DBAPIError, match="append-only"):
            async with app.state.gateway.engine.begin() as conn:
                await conn.execute(text(statement))
    assert await count(app, Change) == 1
