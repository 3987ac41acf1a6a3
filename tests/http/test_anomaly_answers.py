"""Anomalies are stored for caseworkers and never change the writer's answer."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from app.db.models import Anomaly, Lpa
from tests.factories import CREATE_LPA, online_lpa

pytestmark = pytest.mark.anyio


async def test_the_writers_answer_is_the_same_whether_an_anomaly_was_raised(
    gql: Any, app: Starlette
) -> None:
    plain = online_lpa()
    related = online_lpa()
    related["certificateProvider"]["lastName"] = related["donor"]["lastName"]

    quiet = await gql("opg.poas.makeregister", CREATE_LPA, {"input": plain, "key": "a"})
    flagged = await gql("opg.poas.makeregister", CREATE_LPA, {"input": related, "key": "b"})

    first, second = quiet.json()["data"]["createLpa"], flagged.json()["data"]["createLpa"]
    assert {**first, "uid": None} == {**second, "uid": None}
    assert quiet.status_code == flagged.status_code
    assert set(quiet.headers) == set(flagged.headers)
    async with app.state.gateway.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(Lpa.uid, Anomaly.code).join(Anomaly, Anomaly.lpa_id == Lpa.id)
            )
        ).all()
    assert rows == [(second["uid"], "CERTIFICATE_PROVIDER_SHARES_LAST_NAME")]


async def test_anomalies_are_computed_again_on_later_writes(gql: Any, app: Starlette) -> None:
    lpa = online_lpa(signedAt="2020-01-01T10:00:00Z")
    created = await gql("opg.poas.makeregister", CREATE_LPA, {"input": lpa, "key": "c"})
    uid = created.json()["data"]["createLpa"]["uid"]
    sign = """mutation($uid: LpaUid!) {
      signCertificateProvider(uid: $uid, expectedVersion: 1, idempotencyKey: "s",
                              input: {signedAt: "2023-06-01T10:00:00Z"}) {
        accepted problems { code }
      }
    }"""
    answer = await gql("opg.poas.makeregister", sign, {"uid": uid})
    assert answer.json()["data"]["signCertificateProvider"] == {"accepted": True, "problems": []}
    async with app.state.gateway.engine.connect() as conn:
        codes = (await conn.execute(select(Anomaly.code, Anomaly.source))).all()
    assert codes == [("SIGNED_OVER_2_YEARS_AFTER_DONOR", "/certificateProvider/signedAt")]
