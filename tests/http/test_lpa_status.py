from __future__ import annotations

from typing import Any

import pytest

from tests.factories import LPA_STATUS

pytestmark = pytest.mark.anyio


def demo_with(demo: list[dict[str, Any]], status: str, lpa_type: str) -> str:
    return next(d["uid"] for d in demo if d["status"] == status and d["lpaType"] == lpa_type)


async def test_registered_lpa_answers_its_flags(gql: Any, demo: list[dict[str, Any]]) -> None:
    uid = demo_with(demo, "REGISTERED", "PROPERTY_AND_AFFAIRS")
    response = await gql("opg.poas.use", LPA_STATUS, {"uid": uid})
    status = response.json()["data"]["lpaStatus"]
    assert status["isRegistered"] is True
    assert status["isCancelled"] is False
    assert status["hasRestrictionsAndConditions"] is True
    assert status["lpaType"] == "PROPERTY_AND_AFFAIRS"
    assert status["registrationDate"] is not None


async def test_cancelled_lpa_answers_its_flags(gql: Any, demo: list[dict[str, Any]]) -> None:
    uid = demo_with(demo, "CANCELLED", "PERSONAL_WELFARE")
    response = await gql("opg.poas.use", LPA_STATUS, {"uid": uid})
    status = response.json()["data"]["lpaStatus"]
    assert (status["isRegistered"], status["isCancelled"]) == (False, True)
    assert status["hasRestrictionsAndConditions"] is False
    assert status["lpaType"] == "PERSONAL_WELFARE"


async def test_unknown_and_unregistered_lpas_answer_the_same_bytes(
    gql: Any, demo: list[dict[str, Any]]
) -> None:
    in_progress = demo_with(demo, "IN_PROGRESS", "PROPERTY_AND_AFFAIRS")
    waiting = demo_with(demo, "STATUTORY_WAITING_PERIOD", "PROPERTY_AND_AFFAIRS")
    unknown = "M-1234-5678-9018"
    bodies = [
        (await gql("opg.poas.use", LPA_STATUS, {"uid": uid})).content
        for uid in (in_progress, waiting, unknown)
    ]
    assert bodies[0] == b'{"data":{"lpaStatus":null}}'
    assert bodies[0] == bodies[1] == bodies[2]


@pytest.mark.parametrize("uid", ["M-1111-2222-3333", "M-1234", "7000-0000-0054", ""])
async def test_malformed_uid_is_bad_input(gql: Any, uid: str) -> None:
    response = await gql("opg.poas.use", LPA_STATUS, {"uid": uid})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
