"""Caseworker reads: the full record, loaded in batches, and the outbox after a cursor."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from app.http.app import create_app
from app.settings import Settings
from tests.factories import CREATE_LPA, attorney, online_lpa

pytestmark = pytest.mark.anyio

RECORD = """
query Record($uid: LpaUid!) {
  lpa(uid: $uid) {
    uid status lpaType channel version registrationDate restrictionsAndConditions
    donor { uid firstNames lastName dateOfBirth address { line1 postcode country }
            identityChecks { type checkedAt } }
    attorneys { uid firstNames status appointmentType address { postcode } }
    trustCorporations { name signatories { lastName } }
    certificateProvider { lastName phone identityChecks { type } }
    peopleToNotify { lastName }
    history { version changeType author fields { field old new } }
    anomalies { source code status }
    feeReductionRequests { requestedType decisions { outcome } }
    payments { amountPence }
    feeDue
    progress { donorSigned certificateProviderSigned signaturesOutstanding
               readyForStatutoryWaitingPeriod problems { source code } }
  }
}
"""


async def created(gql: Any, lpa: dict[str, Any], key: str) -> str:
    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": lpa, "key": key})
    uid: str = response.json()["data"]["createLpa"]["uid"]
    return uid


def with_attorneys(n: int) -> dict[str, Any]:
    people = [attorney(firstNames=f"Attorney{i}") for i in range(n)]
    decisions = "JOINTLY" if n > 1 else None
    return online_lpa(attorneys=people, howAttorneysMakeDecisions=decisions)


async def test_a_caseworker_reads_the_whole_record(gql: Any) -> None:
    uid = await created(gql, online_lpa(restrictionsAndConditions="No gifts."), "a")
    record = (await gql("opg.poas.sirius", RECORD, {"uid": uid})).json()["data"]["lpa"]

    assert record["uid"] == uid
    assert record["status"] == "IN_PROGRESS"
    assert record["donor"]["lastName"] == "Donor"
    assert record["donor"]["address"] == {
        "line1": "1 High Street",
        "postcode": "SW1A 1AA",
        "country": "GB",
    }
    assert record["attorneys"][0]["status"] == "ACTIVE"
    assert record["certificateProvider"]["phone"] == "07700900001"
    assert record["restrictionsAndConditions"] == "No gifts."
    assert record["feeDue"] == 9200  # the full fee in effect today, nothing paid
    [created_entry] = record["history"]
    assert created_entry["changeType"] == "CREATE"
    assert created_entry["author"].startswith("urn:opg:poas:makeregister:users:")
    assert {"field": "/donor/lastName", "old": "null", "new": '"Donor"'} in created_entry["fields"]
    assert record["progress"] == {
        "donorSigned": True,
        "certificateProviderSigned": False,
        "signaturesOutstanding": 2,
        "readyForStatutoryWaitingPeriod": False,
        "problems": [
            {"source": "/attorneys/0/signedAt", "code": "NOT_SIGNED"},
            {"source": "/certificateProvider/signedAt", "code": "NOT_SIGNED"},
        ],
    }


async def test_anomalies_are_visible_to_caseworkers(gql: Any) -> None:
    lpa = online_lpa()
    lpa["certificateProvider"]["lastName"] = "Donor"
    uid = await created(gql, lpa, "b")
    record = (await gql("opg.poas.sirius", RECORD, {"uid": uid})).json()["data"]["lpa"]
    assert record["anomalies"] == [
        {
            "source": "/certificateProvider/lastName",
            "code": "CERTIFICATE_PROVIDER_SHARES_LAST_NAME",
            "status": "DETECTED",
        }
    ]


async def test_other_clients_cannot_read_the_record(gql: Any) -> None:
    for client in ("opg.poas.makeregister", "opg.poas.use"):
        response = await gql(client, RECORD, {"uid": "M-1234-5678-9018"})
        assert response.status_code == 400


async def test_unknown_lpa_is_null(gql: Any) -> None:
    response = await gql("opg.poas.sirius", RECORD, {"uid": "M-1234-5678-9018"})
    assert response.json() == {"data": {"lpa": None}}


@contextmanager
def statements(app: Starlette) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engine = app.state.gateway.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_one_and_five_attorneys_cost_the_same_statements(gql: Any, app: Starlette) -> None:
    one = await created(gql, with_attorneys(1), "one")
    five = await created(gql, with_attorneys(5), "five")
    reads = []
    for uid in (one, five):
        with statements(app) as seen:
            response = await gql("opg.poas.sirius", RECORD, {"uid": uid})
        lpa = response.json()["data"]["lpa"]
        reads.append((len(lpa["attorneys"]), len([s for s in seen if "audit_events" not in s])))
    assert reads[0][0] == 1
    assert reads[1][0] == 5
    assert reads[0][1] == reads[1][1]


async def test_two_records_at_once_on_a_cold_pool(settings: Settings, token: Any) -> None:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        headers = {"Authorization": f"Bearer {token('opg.poas.makeregister')}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            uids = []
            for key in ("x", "y"):
                body = {"query": CREATE_LPA, "variables": {"input": online_lpa(), "key": key}}
                response = await http.post("/graphql", json=body, headers=headers)
                uids.append(response.json()["data"]["createLpa"]["uid"])
    cold = create_app(settings)  # a fresh engine: no pooled connection yet
    async with cold.router.lifespan_context(cold):
        transport = httpx.ASGITransport(app=cold)
        query = (
            "query($a: LpaUid!, $b: LpaUid!) {"
            " a: lpa(uid: $a) { uid donor { lastName } attorneys { lastName } history { version } }"
            " b: lpa(uid: $b) { uid donor { lastName } attorneys { lastName } history { version } }"
            " events: lpaEvents(first: 5) { nextCursor } }"
        )
        headers = {"Authorization": f"Bearer {token('opg.poas.sirius')}"}
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as http:
            responses = await asyncio.gather(
                *(
                    http.post(
                        "/graphql",
                        headers=headers,
                        json={"query": query, "variables": {"a": uids[0], "b": uids[1]}},
                    )
                    for _ in range(3)
                )
            )
    for response in responses:
        body = response.json()
        assert "errors" not in body, body
        assert body["data"]["a"]["uid"] == uids[0]
        assert body["data"]["b"]["uid"] == uids[1]


EVENTS = """query($after: Int!, $first: Int!) {
  lpaEvents(after: $after, first: $first) { events { cursor uid changeType } nextCursor }
}"""


async def test_the_outbox_is_read_after_a_cursor(gql: Any) -> None:
    uids = [await created(gql, online_lpa(), f"e{i}") for i in range(3)]
    first = (await gql("opg.poas.sirius", EVENTS, {"after": 0, "first": 2})).json()["data"]
    assert [e["uid"] for e in first["lpaEvents"]["events"]] == uids[:2]
    cursor = first["lpaEvents"]["nextCursor"]
    rest = (await gql("opg.poas.sirius", EVENTS, {"after": cursor, "first": 100})).json()["data"]
    assert [(e["uid"], e["changeType"]) for e in rest["lpaEvents"]["events"]] == [
        (uids[2], "CREATE")
    ]
    empty = (await gql("opg.poas.sirius", EVENTS, {"after": 10**9, "first": 1})).json()["data"]
    assert empty["lpaEvents"] == {"events": [], "nextCursor": 10**9}


@pytest.mark.parametrize(("first", "ok"), [(100, True), (101, False), (1, True), (0, False)])
async def test_pages_are_at_most_100(gql: Any, first: int, ok: bool) -> None:
    response = await gql("opg.poas.sirius", EVENTS, {"after": 0, "first": first})
    if ok:
        assert "errors" not in response.json()
    else:  # refused by the resolver, so HTTP 200 with the error (docs/clients/opg.poas.sirius.md)
        assert response.status_code == 200
        assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(("first", "ok"), [(100, True), (101, False)])
async def test_history_pages_are_at_most_100(gql: Any, first: int, ok: bool) -> None:
    uid = await created(gql, online_lpa(), "h")
    query = "query($uid: LpaUid!, $n: Int!) { lpa(uid: $uid) { history(first: $n) { version } } }"
    body = (await gql("opg.poas.sirius", query, {"uid": uid, "n": first})).json()
    assert ("errors" not in body) is ok
