"""createLpa over HTTP: verdicts, one transaction, idempotency, and the online/paper split."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from app.db.models import Anomaly, Change, IdempotencyRecord, Lpa, OutboxEvent
from app.domain.uid import parse_uid
from tests.factories import CREATE_LPA, attorney, online_lpa

pytestmark = pytest.mark.anyio

TABLES = (Lpa, Change, OutboxEvent, Anomaly, IdempotencyRecord)


async def counts(app: Starlette) -> dict[str, int]:
    async with app.state.gateway.engine.connect() as conn:
        return {
            t.__tablename__: (await conn.execute(select(func.count()).select_from(t))).scalar_one()
            for t in TABLES
        }


async def create(gql: Any, lpa: dict[str, Any], key: str = "key-1") -> dict[str, Any]:
    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": lpa, "key": key})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    return dict(body["data"]["createLpa"])


async def test_valid_online_lpa_is_stored_with_its_history_and_outbox_row(
    gql: Any, app: Starlette
) -> None:
    result = await create(gql, online_lpa())

    assert result["accepted"] is True
    assert result["version"] == 1
    assert result["problems"] == []
    assert parse_uid(result["uid"]) == result["uid"]
    assert await counts(app) == {
        "lpas": 1,
        "changes": 1,
        "outbox": 1,
        "anomalies": 0,
        "idempotency_records": 1,
    }
    async with app.state.gateway.engine.connect() as conn:
        change = (await conn.execute(select(Change.__table__))).one()
        event = (await conn.execute(select(OutboxEvent.__table__))).one()
    assert change.change_type == "CREATE"
    assert change.author.startswith("urn:opg:poas:makeregister:users:")
    assert {"field": "/donor/lastName", "old": None, "new": "Donor"} in change.fields
    assert (event.event_type, event.uid, event.change_type) == (
        "lpa-updated",
        result["uid"],
        "CREATE",
    )


async def test_the_answer_never_echoes_personal_data(gql: Any) -> None:
    lpa = online_lpa()
    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": lpa, "key": "k"})
    for value in ("Dora", "Donor", "1950-01-01", "SW1A 1AA", "dora@example.com", "07700900001"):
        assert value not in response.text


async def test_invalid_online_lpa_is_refused_with_codes_and_nothing_is_written(
    gql: Any, app: Starlette
) -> None:
    # (a missing whenTheLpaCanBeUsed is no longer refused: the LPA store defaults it)
    lpa = online_lpa(attorneys=[attorney(dateOfBirth="2015-06-01")])
    lpa["donor"]["lastName"] = "  "

    result = await create(gql, lpa)

    assert result == {
        "accepted": False,
        "uid": None,
        "version": None,
        "problems": [
            {"source": "/attorneys/0/dateOfBirth", "code": "UNDER_18"},
            {"source": "/donor/lastName", "code": "REQUIRED"},
        ],
    }
    assert (await counts(app))["lpas"] == 0
    assert (await counts(app))["changes"] == 0


async def test_paper_lpa_breaking_rules_is_stored_and_each_broken_rule_is_an_anomaly(
    gql: Any, app: Starlette
) -> None:
    paper_attorney = attorney(channel="PAPER", email=None, dateOfBirth="2015-06-01")
    lpa = online_lpa(channel="PAPER", attorneys=[paper_attorney], signedAt=None)
    lpa["donor"]["email"] = None
    lpa["certificateProvider"].update(channel="PAPER", email=None)

    result = await create(gql, lpa)

    assert result["accepted"] is True
    assert result["problems"] == []  # the writer is never told about anomalies
    async with app.state.gateway.engine.connect() as conn:
        found = (await conn.execute(select(Anomaly.code, Anomaly.source))).all()
    assert sorted(found) == [
        ("REQUIRED", "/signedAt"),
        ("UNDER_18", "/attorneys/0/dateOfBirth"),
    ]


async def test_same_key_and_payload_returns_the_first_answer_and_writes_nothing_new(
    gql: Any, app: Starlette
) -> None:
    first = await create(gql, online_lpa(), key="retry-me")
    before = await counts(app)

    again = await create(gql, online_lpa(), key="retry-me")

    assert again == first
    assert await counts(app) == before


async def test_same_key_with_another_payload_is_refused(gql: Any, app: Starlette) -> None:
    await create(gql, online_lpa(), key="once")
    before = await counts(app)
    other = online_lpa(restrictionsAndConditions="Something else")

    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": other, "key": "once"})

    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["IDEMPOTENCY_KEY_REUSED"]
    assert await counts(app) == before


async def test_keys_are_scoped_per_client(gql: Any, app: Starlette) -> None:
    await create(gql, online_lpa(), key="shared")
    response = await gql("developer", CREATE_LPA, {"input": online_lpa(), "key": "shared"})
    assert response.json()["data"]["createLpa"]["accepted"] is True
    assert (await counts(app))["lpas"] == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
async def test_malformed_idempotency_keys_are_bad_input(gql: Any, app: Starlette, key: str) -> None:
    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": online_lpa(), "key": key})
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert (await counts(app))["lpas"] == 0


async def test_longest_idempotency_key_is_accepted(gql: Any) -> None:
    assert (await create(gql, online_lpa(), key="k" * 255))["accepted"] is True


async def test_issued_uids_differ_and_are_not_sequential(gql: Any) -> None:
    uids = [(await create(gql, online_lpa(), key=f"k{i}"))["uid"] for i in range(3)]
    assert len(set(uids)) == 3
    bodies = [int(u.replace("-", "")[1:12]) for u in uids]
    assert bodies[1] - bodies[0] != 1


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("donor", "dateOfBirth"), "01/02/1950"),
        (("signedAt",), "2026-01-05T10:00:00"),  # no offset
        (("lpaType",), "property-and-affairs"),  # wire value, not the GraphQL enum
    ],
)
async def test_malformed_values_are_bad_input_without_echoing_them(
    gql: Any, app: Starlette, path: tuple[str, ...], value: str
) -> None:
    lpa = online_lpa()
    target = lpa
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value

    response = await gql("opg.poas.makeregister", CREATE_LPA, {"input": lpa, "key": "k"})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {e["extensions"]["code"] for e in errors} == {"BAD_USER_INPUT"}
    assert value not in response.text
    assert (await counts(app))["lpas"] == 0
