"""Row rules: makeregister sees only its own LPAs, use only registered or cancelled ones,
sirius all. What a rule hides answers byte for byte as what does not exist."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import CREATE_LPA, LPA_STATUS, online_lpa

pytestmark = pytest.mark.anyio

VALIDATE = "query($uid: LpaUid!) { validateLpa(uid: $uid) { valid problems { source code } } }"
UNKNOWN = "M-1234-5678-9018"


async def created_by(gql: Any, client: str, key: str) -> str:
    response = await gql(client, CREATE_LPA, {"input": online_lpa(), "key": key})
    uid: str = response.json()["data"]["createLpa"]["uid"]
    return uid


async def test_makeregister_sees_only_the_lpas_it_created(gql: Any) -> None:
    own = await created_by(gql, "opg.poas.makeregister", "own")
    other = await created_by(gql, "developer", "other")

    mine = await gql("opg.poas.makeregister", VALIDATE, {"uid": own})
    theirs = await gql("opg.poas.makeregister", VALIDATE, {"uid": other})
    unknown = await gql("opg.poas.makeregister", VALIDATE, {"uid": UNKNOWN})

    assert mine.json()["data"]["validateLpa"]["valid"] is False  # not signed yet
    assert theirs.content == unknown.content == b'{"data":{"validateLpa":null}}'


async def test_sirius_sees_every_lpa(gql: Any) -> None:
    for client, key in (("opg.poas.makeregister", "a"), ("developer", "b")):
        uid = await created_by(gql, client, key)
        response = await gql("opg.poas.sirius", VALIDATE, {"uid": uid})
        assert response.json()["data"]["validateLpa"] is not None


async def test_use_sees_registered_and_cancelled_lpas_only(
    gql: Any, demo: list[dict[str, Any]]
) -> None:
    unknown = await gql("opg.poas.use", LPA_STATUS, {"uid": UNKNOWN})
    for lpa in demo:
        response = await gql("opg.poas.use", LPA_STATUS, {"uid": lpa["uid"]})
        if lpa["status"] in ("REGISTERED", "CANCELLED"):
            assert response.json()["data"]["lpaStatus"]["lpaType"] == lpa["lpaType"]
        else:
            assert response.content == unknown.content


async def test_validity_lists_what_stands_between_the_lpa_and_registration(gql: Any) -> None:
    uid = await created_by(gql, "opg.poas.makeregister", "fresh")
    response = await gql("opg.poas.makeregister", VALIDATE, {"uid": uid})
    assert response.json()["data"]["validateLpa"] == {
        "valid": False,
        "problems": [
            {"source": "/attorneys/0/signedAt", "code": "NOT_SIGNED"},
            {"source": "/certificateProvider/signedAt", "code": "NOT_SIGNED"},
        ],
    }
