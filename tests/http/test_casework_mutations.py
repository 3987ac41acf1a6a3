"""Caseworker changes over HTTP: changeAttorneys, severRestrictions and resolveAnomaly, each
with its allowed call and its denied twin, its rules, limits, conflicts and retries."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import select
from starlette.applications import Starlette

from app.db.models import Anomaly
from tests.factories import address, attorney, online_lpa
from tests.http.steps import (
    MAKEREGISTER,
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

RESTRICTIONS = "Do not sell the house. Ask my sister before any gift."
SEVERED = "Do not sell the house."
SHARED_NAME = ("/certificateProvider/lastName", "CERTIFICATE_PROVIDER_SHARES_LAST_NAME")


def attorneys_lpa(count: int = 2) -> dict[str, Any]:
    return online_lpa(
        attorneys=[attorney(firstNames=f"A{i}", email=f"a{i}@example.com") for i in range(count)],
        howAttorneysMakeDecisions="JOINTLY" if count > 1 else None,
    )


def shared_name_lpa() -> dict[str, Any]:
    lpa = online_lpa()
    lpa["certificateProvider"]["lastName"] = lpa["donor"]["lastName"]
    return lpa


def statuses(*pairs: tuple[int, str]) -> dict[str, Any]:
    return {"changes": [{"attorney": a, "status": s} for a, s in pairs]}


# --- changeAttorneys ----------------------------------------------------------------------


async def test_attorney_statuses_change_with_their_history(gql: Any, app: Starlette) -> None:
    case = await Case.create(gql, attorneys_lpa())

    result = await case.sirius("changeAttorneys", statuses((1, "REMOVED"), (0, "ACTIVE")))

    assert result == accepted(case)
    change, event = await last_change(app, case.uid)
    assert change.fields == [{"field": "/attorneys/1/status", "old": "active", "new": "removed"}]
    assert (change.author, change.change_type) == (SIRIUS_SUB, "CHANGE_ATTORNEYS")
    assert (event.event_type, event.change_type) == ("lpa-updated", "CHANGE_ATTORNEYS")


async def test_an_unknown_attorney_position_is_not_found(gql: Any) -> None:
    case = await Case.create(gql, attorneys_lpa())

    assert await case.sirius(
        "changeAttorneys", statuses((1, "REMOVED"), (2, "REMOVED"))
    ) == refused(case, ("/input/changes/1", "NOT_FOUND"))
    assert await case.sirius("changeAttorneys", statuses((1, "REMOVED"))) == accepted(case)


async def test_an_attorney_changed_twice_at_once_is_refused(gql: Any) -> None:
    case = await Case.create(gql, attorneys_lpa())

    assert await case.sirius(
        "changeAttorneys", statuses((1, "REMOVED"), (1, "REMOVED"))
    ) == refused(case, ("/input/changes/1", "DUPLICATE"))


async def test_an_attorney_named_by_uid_is_the_one_at_that_position(gql: Any) -> None:
    case = await Case.create(gql, attorneys_lpa())
    wrong = {"changes": [{"attorney": 0, "attorneyUid": str(uuid.uuid4()), "status": "REMOVED"}]}
    assert await case.sirius("changeAttorneys", wrong) == refused(
        case, ("/input/changes/0", "NOT_FOUND")
    )
    uid = (await case.attorney_uids())[1]
    named = {"changes": [{"attorneyUid": uid, "status": "REMOVED"}]}
    assert await case.sirius("changeAttorneys", named) == accepted(case)
    assert (await case.attorney_statuses())[1] == "removed"


async def test_an_active_attorney_is_never_made_inactive(gql: Any) -> None:
    case = await Case.create(gql, attorneys_lpa())

    assert await case.sirius("changeAttorneys", statuses((1, "INACTIVE"))) == refused(
        case, ("/attorneys/1/status", "INVALID_STATUS_CHANGE")
    )
    assert await case.sirius("changeAttorneys", statuses((1, "REMOVED"))) == accepted(case)


async def test_no_change_may_leave_the_lpa_without_an_active_attorney(
    gql: Any, app: Starlette
) -> None:
    status = "REMOVED"
    case = await Case.create(gql, attorneys_lpa())
    before = await counts(app)

    assert await case.sirius("changeAttorneys", statuses((0, status), (1, status))) == refused(
        case, ("/attorneys", "NO_ACTIVE_ATTORNEY")
    )
    assert (await counts(app))["changes"] == before["changes"]
    assert await case.sirius("changeAttorneys", statuses((0, status))) == accepted(case)
    assert await case.sirius("changeAttorneys", statuses((1, status))) == refused(
        case, ("/attorneys", "NO_ACTIVE_ATTORNEY")
    )


async def test_an_active_trust_corporation_is_enough(gql: Any) -> None:
    trust = {
        "name": "Trusty Ltd",
        "companyNumber": "01234567",
        "email": "trust@example.com",
        "channel": "ONLINE",
        "address": address("TC1 1TC"),
    }
    case = await Case.create(
        gql, online_lpa(trustCorporations=[trust], howAttorneysMakeDecisions="JOINTLY")
    )

    assert await case.sirius("changeAttorneys", statuses((0, "REMOVED"))) == accepted(case)


async def test_a_replacement_attorney_can_be_made_active(gql: Any, app: Starlette) -> None:
    replacement = attorney(firstNames="Rita", appointmentType="REPLACEMENT")
    case = await Case.create(gql, online_lpa(attorneys=[attorney(), replacement]))

    assert await case.sirius(
        "changeAttorneys", statuses((0, "REMOVED"), (1, "ACTIVE"))
    ) == accepted(case)
    change, _ = await last_change(app, case.uid)
    fields = sorted(change.fields, key=lambda f: f["field"])
    assert fields[:2] == [
        {"field": "/attorneys/0/status", "old": "active", "new": "removed"},
        {"field": "/attorneys/1/status", "old": "inactive", "new": "active"},
    ]
    # the replacement has stepped in, and when is recorded
    [stepped_in] = fields[2:]
    assert (stepped_in["field"], stepped_in["old"]) == ("/attorneys/1/steppedInAt", None)
    assert stepped_in["new"] is not None


async def test_an_attorney_who_opted_out_cannot_be_brought_back(gql: Any) -> None:
    case = await Case.create(gql, attorneys_lpa())
    assert (await case.send(MAKEREGISTER, "attorneyOptOut", {"attorney": 1}))["accepted"]

    for status in ("ACTIVE", "INACTIVE"):
        assert await case.sirius("changeAttorneys", statuses((1, status))) == refused(
            case, ("/input/changes/0", "OPTED_OUT")
        )


async def test_a_removed_attorney_stays_removed(gql: Any) -> None:
    case = await Case.create(gql, attorneys_lpa())
    assert await case.sirius("changeAttorneys", statuses((1, "REMOVED"))) == accepted(case)

    for status in ("ACTIVE", "INACTIVE"):
        assert await case.sirius("changeAttorneys", statuses((1, status))) == refused(
            case, ("/attorneys/1/status", "REMOVED")
        )


async def test_changes_that_change_nothing_are_refused(gql: Any) -> None:
    case = await Case.create(gql, attorneys_lpa())

    assert await case.sirius("changeAttorneys", statuses((0, "ACTIVE"))) == refused(
        case, ("/input/changes", "NOTHING_TO_CHANGE")
    )
    assert await case.sirius("changeAttorneys", {"changes": []}) == refused(
        case, ("/input/changes", "REQUIRED")
    )


@pytest.mark.parametrize(
    ("entries", "verdict"), [(10, True), (11, False)], ids=["at-limit", "over-limit"]
)
async def test_at_most_ten_changes_at_once(
    gql: Any, app: Starlette, entries: int, verdict: bool
) -> None:
    case = await Case.create(gql, attorneys_lpa(11))
    changes = statuses(*((i, "REMOVED") for i in range(1, entries + 1)))
    before = await counts(app)

    if verdict:
        assert await case.sirius("changeAttorneys", changes) == accepted(case)
        change, _ = await last_change(app, case.uid)
        assert len(change.fields) == 10
    else:
        message = await case.refused_as_bad_input("changeAttorneys", changes)
        assert message == "input.changes has more than 10 items"
        assert (await counts(app))["changes"] == before["changes"]


@pytest.mark.parametrize(
    ("status", "code"),
    [("REGISTERED", "LPA_REGISTERED"), ("CANNOT_REGISTER", "NOT_ALLOWED_IN_STATUS")],
)
async def test_attorneys_change_only_on_open_lpas(gql: Any, status: str, code: str) -> None:
    case = await Case.create(gql)
    await case.reach(status)

    assert await case.sirius("changeAttorneys", statuses((0, "INACTIVE"))) == refused(
        case, ("/status", code)
    )


async def test_attorneys_change_in_the_waiting_period(gql: Any) -> None:
    case = await Case.create(gql, attorneys_lpa())
    await case.sign_all(attorneys=2)
    assert (await case.sirius("startStatutoryWaitingPeriod"))["accepted"]

    assert await case.sirius("changeAttorneys", statuses((1, "REMOVED"))) == accepted(case)


# --- severRestrictions --------------------------------------------------------------------


async def test_severance_keeps_the_text_left_and_records_what_went(
    gql: Any, app: Starlette
) -> None:
    case = await Case.create(gql, online_lpa(restrictionsAndConditions=RESTRICTIONS))

    response = await case.post(SIRIUS, "severRestrictions", {"restrictionsAndConditions": SEVERED})

    assert response.json()["data"]["severRestrictions"]["accepted"] is True
    assert SEVERED not in response.text
    assert (await lpa_row(app, case.uid)).restrictions_and_conditions == SEVERED
    change, event = await last_change(app, case.uid)
    assert change.fields == [
        {"field": "/restrictionsAndConditions", "old": RESTRICTIONS, "new": SEVERED}
    ]
    assert (change.author, event.change_type) == (SIRIUS_SUB, "SEVER_RESTRICTIONS_AND_CONDITIONS")


@pytest.mark.parametrize("left", ["", "   "])
async def test_severing_everything_leaves_no_restrictions(
    gql: Any, app: Starlette, left: str
) -> None:
    case = await Case.create(gql, online_lpa(restrictionsAndConditions=RESTRICTIONS))

    result = await case.sirius("severRestrictions", {"restrictionsAndConditions": left})

    assert result == accepted(case)
    assert (await lpa_row(app, case.uid)).restrictions_and_conditions is None
    assert await case.sirius("severRestrictions", {"restrictionsAndConditions": ""}) == refused(
        case, ("/restrictionsAndConditions", "NO_RESTRICTIONS")
    )


@pytest.mark.parametrize("stored", [None, "", " "])
async def test_an_lpa_without_restrictions_has_none_to_sever(gql: Any, stored: str | None) -> None:
    case = await Case.create(gql, online_lpa(restrictionsAndConditions=stored))

    assert await case.sirius("severRestrictions", {"restrictionsAndConditions": ""}) == refused(
        case, ("/restrictionsAndConditions", "NO_RESTRICTIONS")
    )


@pytest.mark.parametrize(
    ("left", "verdict"),
    [
        (RESTRICTIONS[:-1], True),
        (RESTRICTIONS, False),
        (RESTRICTIONS.upper(), False),
        (RESTRICTIONS + " And more.", False),
    ],
    ids=["one-shorter", "same", "same-length", "longer"],
)
async def test_severance_only_takes_text_away(gql: Any, left: str, verdict: bool) -> None:
    case = await Case.create(gql, online_lpa(restrictionsAndConditions=RESTRICTIONS))

    result = await case.sirius("severRestrictions", {"restrictionsAndConditions": left})

    if verdict:
        assert result == accepted(case)
    else:
        assert result == refused(case, ("/input/restrictionsAndConditions", "NOT_SHORTER"))


@pytest.mark.parametrize(
    ("length", "verdict"), [(10_000, True), (10_001, False)], ids=["at-limit", "over-limit"]
)
async def test_the_text_left_is_at_most_ten_thousand_characters(
    gql: Any, app: Starlette, length: int, verdict: bool
) -> None:
    """Free text is bounded at 10,000 characters on the way in, before any rule runs."""
    case = await Case.create(gql, online_lpa(restrictionsAndConditions="r" * 10_000))
    left = {"restrictionsAndConditions": "r" * length}

    if verdict:  # 10,000 is allowed in; it is not shorter, so severance refuses it
        assert await case.sirius("severRestrictions", left) == refused(
            case, ("/input/restrictionsAndConditions", "NOT_SHORTER")
        )
        assert len((await lpa_row(app, case.uid)).restrictions_and_conditions) == length
    else:
        message = await case.refused_as_bad_input("severRestrictions", left)
        assert message == "input.restrictionsAndConditions is longer than 10000 characters"


@pytest.mark.parametrize(
    ("status", "code"),
    [("REGISTERED", "LPA_REGISTERED"), ("EXPIRED", "NOT_ALLOWED_IN_STATUS")],
)
async def test_severance_only_on_open_lpas(gql: Any, status: str, code: str) -> None:
    case = await Case.create(gql, online_lpa(restrictionsAndConditions=RESTRICTIONS))
    await case.reach(status)

    assert await case.sirius(
        "severRestrictions", {"restrictionsAndConditions": SEVERED}
    ) == refused(case, ("/status", code))


# --- resolveAnomaly -----------------------------------------------------------------------


async def test_resolving_an_anomaly_marks_it_resolved_by_the_caseworker(
    gql: Any, app: Starlette
) -> None:
    case = await Case.create(gql, shared_name_lpa())
    source, code = SHARED_NAME

    result = await case.sirius("resolveAnomaly", {"source": source, "code": code})

    assert result == accepted(case)
    async with app.state.gateway.engine.connect() as conn:
        anomaly = (await conn.execute(select(Anomaly.__table__))).one()
    assert (anomaly.source, anomaly.code, anomaly.status) == (source, code, "resolved")
    assert anomaly.resolved_by == SIRIUS_SUB
    change, event = await last_change(app, case.uid)
    assert change.fields == [
        {"field": f"/anomalies{source}/{code}", "old": "detected", "new": "resolved"}
    ]
    assert (change.author, event.change_type) == (SIRIUS_SUB, "RESOLVE_ANOMALY")


async def test_a_resolved_anomaly_is_not_raised_again(gql: Any, app: Starlette) -> None:
    case = await Case.create(gql, shared_name_lpa())
    source, code = SHARED_NAME
    assert await case.sirius("resolveAnomaly", {"source": source, "code": code}) == accepted(case)

    assert await case.sirius("resolveAnomaly", {"source": source, "code": code}) == refused(
        case, ("/input", "NOT_FOUND")
    )
    assert (await case.sirius("correctLpa", {"donor": {"firstNames": "Dot"}}))["accepted"]
    async with app.state.gateway.engine.connect() as conn:
        found = (await conn.execute(select(Anomaly.code, Anomaly.status))).all()
    assert found == [(code, "resolved")]


@pytest.mark.parametrize(
    "input",
    [
        {"source": SHARED_NAME[0], "code": "UNDER_18"},
        {"source": "/donor/lastName", "code": SHARED_NAME[1]},
        {"source": "", "code": ""},
    ],
)
async def test_an_anomaly_that_was_not_detected_is_not_found(
    gql: Any, input: dict[str, str]
) -> None:
    case = await Case.create(gql, shared_name_lpa())

    assert await case.sirius("resolveAnomaly", input) == refused(case, ("/input", "NOT_FOUND"))


@pytest.mark.parametrize("status", ["STATUTORY_WAITING_PERIOD", "REGISTERED", "CANCELLED"])
async def test_anomalies_are_resolved_in_any_status(gql: Any, status: str) -> None:
    case = await Case.create(gql, shared_name_lpa())
    await case.reach(status)
    source, code = SHARED_NAME

    assert await case.sirius("resolveAnomaly", {"source": source, "code": code}) == accepted(case)


# --- every caseworker change ---------------------------------------------------------------

CHANGES: dict[str, dict[str, Any]] = {
    "changeAttorneys": statuses((1, "REMOVED")),
    "severRestrictions": {"restrictionsAndConditions": SEVERED},
    "resolveAnomaly": {"source": SHARED_NAME[0], "code": SHARED_NAME[1]},
}


async def casework_case(gql: Any) -> Case:
    lpa = attorneys_lpa()
    lpa["certificateProvider"]["lastName"] = lpa["donor"]["lastName"]
    lpa["restrictionsAndConditions"] = RESTRICTIONS
    return await Case.create(gql, lpa)


@pytest.mark.parametrize("operation", CHANGES)
@pytest.mark.parametrize("client", [MAKEREGISTER, USE])
async def test_caseworker_changes_are_for_caseworkers_only(
    gql: Any, app: Starlette, operation: str, client: str
) -> None:
    case = await casework_case(gql)
    before = await counts(app)

    denied = await case.post(client, operation, CHANGES[operation])

    assert denied.status_code == 400
    assert {e["extensions"]["code"] for e in denied.json()["errors"]} == {"BAD_USER_INPUT"}
    assert await counts(app) == before
    assert await case.send(SIRIUS, operation, CHANGES[operation]) == accepted(case)


@pytest.mark.parametrize("operation", CHANGES)
async def test_a_stale_version_is_a_conflict(gql: Any, app: Starlette, operation: str) -> None:
    case = await casework_case(gql)
    assert (await case.sirius("correctLpa", {"donor": {"firstNames": "Dot"}}))["accepted"]
    before = await counts(app)

    result = await case.send(SIRIUS, operation, CHANGES[operation], version=1)

    assert result == refused(case, ("/expectedVersion", "CONFLICT"))
    assert (await counts(app))["changes"] == before["changes"]


@pytest.mark.parametrize("operation", CHANGES)
async def test_a_retry_answers_the_first_answer_and_writes_nothing(
    gql: Any, app: Starlette, operation: str
) -> None:
    case = await casework_case(gql)
    first = await case.send(SIRIUS, operation, CHANGES[operation], key="once", version=1)
    after_first = await counts(app)

    again = await case.send(SIRIUS, operation, CHANGES[operation], key="once", version=1)

    assert first == {"accepted": True, "uid": case.uid, "version": 2, "problems": []}
    assert again == first
    assert await counts(app) == after_first


@pytest.mark.parametrize("operation", CHANGES)
async def test_the_same_key_for_another_change_is_refused(
    gql: Any, app: Starlette, operation: str
) -> None:
    case = await casework_case(gql)
    await case.send(SIRIUS, operation, CHANGES[operation], key="once", version=1)
    before = await counts(app)

    response = await case.post(SIRIUS, "correctLpa", {"donor": {"firstNames": "X"}}, key="once")

    assert [e["extensions"]["code"] for e in response.json()["errors"]] == [
        "IDEMPOTENCY_KEY_REUSED"
    ]
    assert await counts(app) == before
