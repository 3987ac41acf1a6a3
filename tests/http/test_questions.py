"""Yes/no questions for the online service: ready for the statutory waiting period, fee
reduction ready for a decision."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import insert, select
from starlette.applications import Starlette

from app.db.models import FeeReductionDecision, FeeReductionRequest, Lpa, table
from tests.factories import CREATE_LPA, online_lpa

pytestmark = pytest.mark.anyio

READY = "query($uid: LpaUid!) { readyForStatutoryWaitingPeriod(uid: $uid) }"
FEES = "query($uid: LpaUid!) { feeReductionReadyForDecision(uid: $uid) }"
SIGN = """mutation($uid: LpaUid!, $v: Int!, $key: String!, $at: DateTime!) {
  signCertificateProvider(uid: $uid, expectedVersion: $v, idempotencyKey: $key,
                          input: {signedAt: $at}) { accepted }
}"""
SIGN_ATTORNEY = """mutation($uid: LpaUid!, $v: Int!, $key: String!, $at: DateTime!) {
  signAttorney(uid: $uid, expectedVersion: $v, idempotencyKey: $key,
               input: {attorney: 0, signedAt: $at}) { accepted }
}"""
AT = "2026-02-01T09:00:00Z"


async def created(gql: Any, client: str = "opg.poas.makeregister", key: str = "c") -> str:
    response = await gql(client, CREATE_LPA, {"input": online_lpa(), "key": key})
    uid: str = response.json()["data"]["createLpa"]["uid"]
    return uid


async def answer(gql: Any, query: str, uid: str, client: str = "opg.poas.makeregister") -> Any:
    body = (await gql(client, query, {"uid": uid})).json()
    return body["data"][next(iter(body["data"]))]


async def test_ready_for_the_waiting_period_once_everyone_has_signed(gql: Any) -> None:
    uid = await created(gql)
    assert await answer(gql, READY, uid) is False
    await gql("opg.poas.makeregister", SIGN, {"uid": uid, "v": 1, "key": "a", "at": AT})
    assert await answer(gql, READY, uid) is False  # the attorney has not signed
    await gql("opg.poas.makeregister", SIGN_ATTORNEY, {"uid": uid, "v": 2, "key": "b", "at": AT})
    assert await answer(gql, READY, uid) is True
    assert await answer(gql, READY, uid, "opg.poas.sirius") is True


async def test_questions_about_invisible_or_unknown_lpas_answer_null(gql: Any) -> None:
    theirs = await created(gql, "developer")
    for query in (READY, FEES):
        assert await answer(gql, query, theirs) is None
        assert await answer(gql, query, "M-1234-5678-9018") is None


async def test_use_an_lpa_may_not_ask(gql: Any) -> None:
    for query in (READY, FEES):
        response = await gql("opg.poas.use", query, {"uid": "M-1234-5678-9018"})
        assert response.status_code == 400


async def test_fee_reduction_ready_until_decided(gql: Any, app: Starlette) -> None:
    uid = await created(gql)
    assert await answer(gql, FEES, uid) is False
    requests, decisions = table(FeeReductionRequest), table(FeeReductionDecision)
    request_id = uuid.uuid4()
    now = datetime.now(UTC)
    async with app.state.gateway.engine.begin() as conn:
        lpa_id = (await conn.execute(select(Lpa.id).where(Lpa.uid == uid))).scalar_one()
        await conn.execute(
            insert(requests).values(
                id=request_id,
                lpa_id=lpa_id,
                requested_type="half",
                evidence_delivery="upload",
                previous_application_number=None,
                requested_at=now,
            )
        )
    assert await answer(gql, FEES, uid) is True
    for outcome, ready in (("more-evidence-required", True), ("approved", False)):
        async with app.state.gateway.engine.begin() as conn:
            await conn.execute(
                insert(decisions).values(
                    request_id=request_id,
                    outcome=outcome,
                    approved_type="half" if outcome == "approved" else None,
                    decided_at=now,
                    decided_by="urn:x:y",
                )
            )
        assert await answer(gql, FEES, uid) is ready
