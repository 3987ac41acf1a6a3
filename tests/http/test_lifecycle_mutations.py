"""The caseworkers' status mutations over HTTP: the statutory waiting period, registration and
direct status changes (DESIGN section 2)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from starlette.applications import Starlette

from tests.factories import LPA_STATUS, attorney, online_lpa
from tests.http.steps import (
    MAKEREGISTER,
    SIGNED,
    SIRIUS,
    SIRIUS_SUB,
    USE,
    Case,
    accepted,
    counts,
    last_change,
    lpa_row,
    refused,
)

pytestmark = pytest.mark.anyio

TWO_ATTORNEYS = online_lpa(
    attorneys=[attorney(), attorney(firstNames="Bea", email="bea@example.com")],
    howAttorneysMakeDecisions="JOINTLY",
)


async def test_waiting_period_is_refused_until_every_signer_has_signed(gql: Any) -> None:
    # An online LPA is refused without the donor's signature now (as by the LPA store), so
    # only a paper one can be stored unsigned, with the broken rule as an anomaly.
    case = await Case.create(gql, online_lpa(channel="PAPER", signedAt=None))

    assert await case.sirius("startStatutoryWaitingPeriod") == refused(
        case,
        ("/attorneys/0/signedAt", "NOT_SIGNED"),
        ("/certificateProvider/signedAt", "NOT_SIGNED"),
        ("/signedAt", "NOT_SIGNED"),
        ("/signedAt", "REQUIRED"),
    )
    await case.sign_all()
    assert await case.sirius("startStatutoryWaitingPeriod") == refused(
        case, ("/signedAt", "NOT_SIGNED"), ("/signedAt", "REQUIRED")
    )


async def test_waiting_period_waits_for_each_attorney(gql: Any) -> None:
    case = await Case.create(gql, TWO_ATTORNEYS)
    await case.send(MAKEREGISTER, "signCertificateProvider", {"signedAt": SIGNED})
    await case.send(MAKEREGISTER, "signAttorney", {"attorney": 0, "signedAt": SIGNED})

    assert await case.sirius("startStatutoryWaitingPeriod") == refused(
        case, ("/attorneys/1/signedAt", "NOT_SIGNED")
    )
    await case.send(MAKEREGISTER, "signAttorney", {"attorney": 1, "signedAt": SIGNED})
    result = await case.sirius("startStatutoryWaitingPeriod")
    assert result == accepted(case)


async def test_waiting_period_starts_once_everyone_signed(gql: Any, app: Starlette) -> None:
    case = await Case.create(gql)
    await case.sign_all()

    assert await case.sirius("startStatutoryWaitingPeriod") == accepted(case)

    assert (await lpa_row(app, case.uid)).status == "statutory-waiting-period"
    change, event = await last_change(app, case.uid)
    assert change.author == SIRIUS_SUB
    assert change.fields == [
        {"field": "/status", "old": "in-progress", "new": "statutory-waiting-period"}
    ]
    assert (event.event_type, event.change_type) == ("lpa-updated", "STATUTORY_WAITING_PERIOD")


async def test_a_removed_attorney_need_not_sign(gql: Any) -> None:
    case = await Case.create(gql, TWO_ATTORNEYS)
    assert (await case.send(MAKEREGISTER, "attorneyOptOut", {"attorney": 1}))["accepted"]
    await case.sign_all(attorneys=1)

    assert await case.sirius("startStatutoryWaitingPeriod") == accepted(case)


async def test_waiting_period_only_from_in_progress(gql: Any) -> None:
    case = await Case.create(gql)
    await case.reach("STATUTORY_WAITING_PERIOD")

    assert await case.sirius("startStatutoryWaitingPeriod") == refused(
        case, ("/status", "NOT_ALLOWED_IN_STATUS")
    )


async def test_registration_sets_the_registration_date(gql: Any, app: Starlette) -> None:
    case = await Case.create(gql)
    await case.reach("STATUTORY_WAITING_PERIOD")

    assert await case.sirius("registerLpa") == accepted(case)

    today = datetime.now(UTC).date()
    row = await lpa_row(app, case.uid)
    assert (row.status, row.registration_date) == ("registered", today)
    status = (await gql(USE, LPA_STATUS, {"uid": case.uid})).json()["data"]["lpaStatus"]
    assert (status["isRegistered"], status["registrationDate"]) == (True, today.isoformat())
    change, event = await last_change(app, case.uid)
    assert {"field": "/registrationDate", "old": None, "new": today.isoformat()} in change.fields
    assert event.change_type == "REGISTER"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        ("IN_PROGRESS", "NOT_ALLOWED_IN_STATUS"),
        ("DO_NOT_REGISTER", "NOT_ALLOWED_IN_STATUS"),
        ("REGISTERED", "LPA_REGISTERED"),
    ],
)
async def test_registration_only_from_the_waiting_period(
    gql: Any, app: Starlette, status: str, code: str
) -> None:
    case = await Case.create(gql)
    await case.reach(status)
    before = await counts(app)

    assert await case.sirius("registerLpa") == refused(case, ("/status", code))
    assert (await counts(app))["changes"] == before["changes"]


ALLOWED = [
    ("REGISTERED", "CANCELLED"),
    ("STATUTORY_WAITING_PERIOD", "DO_NOT_REGISTER"),
    ("IN_PROGRESS", "EXPIRED"),
    ("STATUTORY_WAITING_PERIOD", "EXPIRED"),
    ("DO_NOT_REGISTER", "EXPIRED"),
    ("IN_PROGRESS", "CANNOT_REGISTER"),
    ("STATUTORY_WAITING_PERIOD", "CANNOT_REGISTER"),
    ("WITHDRAWN", "CANNOT_REGISTER"),
    ("DO_NOT_REGISTER", "CANNOT_REGISTER"),
    ("EXPIRED", "CANNOT_REGISTER"),
]
DISALLOWED = [
    ("IN_PROGRESS", "REGISTERED"),
    ("IN_PROGRESS", "CANCELLED"),
    ("IN_PROGRESS", "DO_NOT_REGISTER"),
    ("STATUTORY_WAITING_PERIOD", "IN_PROGRESS"),
    ("REGISTERED", "EXPIRED"),
    ("REGISTERED", "CANNOT_REGISTER"),
    ("CANCELLED", "CANNOT_REGISTER"),
    ("CANCELLED", "REGISTERED"),
    ("WITHDRAWN", "EXPIRED"),
    ("CANNOT_REGISTER", "CANNOT_REGISTER"),
]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
async def test_each_allowed_status_change_is_accepted(
    gql: Any, app: Starlette, current: str, target: str
) -> None:
    case = await Case.create(gql)
    await case.reach(current)
    old = (await lpa_row(app, case.uid)).status

    assert await case.sirius("changeStatus", {"status": target}) == accepted(case)

    new = (await lpa_row(app, case.uid)).status
    assert new.name == target
    change, event = await last_change(app, case.uid)
    assert change.fields == [{"field": "/status", "old": old.value, "new": new.value}]
    assert (change.author, event.change_type) == (SIRIUS_SUB, "OPG_STATUS_CHANGE")


@pytest.mark.parametrize(("current", "target"), DISALLOWED)
async def test_disallowed_status_changes_are_refused(
    gql: Any, app: Starlette, current: str, target: str
) -> None:
    case = await Case.create(gql)
    await case.reach(current)
    before = await counts(app)

    assert await case.sirius("changeStatus", {"status": target}) == refused(
        case, ("/input/status", "INVALID_STATUS_CHANGE")
    )
    assert (await lpa_row(app, case.uid)).status.name == current
    assert (await counts(app))["changes"] == before["changes"]


@pytest.mark.parametrize(
    ("operation", "input"),
    [
        ("startStatutoryWaitingPeriod", None),
        ("registerLpa", None),
        ("changeStatus", {"status": "EXPIRED"}),
    ],
)
@pytest.mark.parametrize("client", [MAKEREGISTER, USE])
async def test_status_mutations_are_for_caseworkers_only(
    gql: Any, app: Starlette, operation: str, input: dict[str, Any] | None, client: str
) -> None:
    case = await Case.create(gql)
    await case.sign_all()
    before = await counts(app)

    denied = await case.post(client, operation, input)

    assert denied.status_code == 400
    assert {e["extensions"]["code"] for e in denied.json()["errors"]} == {"BAD_USER_INPUT"}
    assert await counts(app) == before
    allowed = await case.post(SIRIUS, operation, input)
    assert allowed.status_code == 200
    assert "errors" not in allowed.json()
