"""correctLpa and correctRegisteredLpa over HTTP: what is given changes, nothing else; history
holds each old and new value; a correction never adds a broken rule."""

from __future__ import annotations

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
    refused,
)

pytestmark = pytest.mark.anyio

NEW_ADDRESS = {"line1": "9 New Road", "postcode": "N1 9GU", "country": "GB"}


async def test_a_correction_changes_only_what_is_given_and_records_old_and_new(
    gql: Any, app: Starlette
) -> None:
    case = await Case.create(gql, online_lpa())
    correction = {
        "donor": {"lastName": "Donnor", "address": NEW_ADDRESS},
        "certificateProvider": {"phone": "07700900999"},
        "attorneys": [{"attorney": 0, "firstNames": "Adah"}],
        "witnessedByCertificateProviderAt": "2026-01-05T11:00:00Z",
    }

    assert await case.sirius("correctLpa", correction) == accepted(case)

    change, event = await last_change(app, case.uid)
    assert (change.change_type, change.author, change.lpa_version) == (
        "CORRECTION",
        SIRIUS_SUB,
        2,
    )
    assert sorted(change.fields, key=lambda f: f["field"]) == [
        {"field": "/attorneys/0/firstNames", "old": "Ada", "new": "Adah"},
        {"field": "/certificateProvider/phone", "old": "07700900001", "new": "07700900999"},
        {"field": "/donor/address/line1", "old": "1 High Street", "new": "9 New Road"},
        {"field": "/donor/address/postcode", "old": "SW1A 1AA", "new": "N1 9GU"},
        # the address is replaced whole: a part not given is cleared
        {"field": "/donor/address/town", "old": "Townsville", "new": None},
        {"field": "/donor/lastName", "old": "Donor", "new": "Donnor"},
        {
            "field": "/witnessedByCertificateProviderAt",
            "old": "2026-01-05T10:00:00+00:00",  # online_lpa() is witnessed when signed
            "new": "2026-01-05T11:00:00+00:00",
        },
    ]
    assert (event.event_type, event.uid, event.change_type) == (
        "lpa-updated",
        case.uid,
        "CORRECTION",
    )


async def test_the_answer_never_echoes_the_corrected_values(gql: Any) -> None:
    case = await Case.create(gql)
    values = {"firstNames": "Zebedee", "lastName": "Quixote", "email": "zq@example.org"}

    allowed = await case.post(SIRIUS, "correctLpa", {"donor": values})
    too_young = await case.post(SIRIUS, "correctLpa", {"donor": {"dateOfBirth": "2019-03-04"}})

    assert allowed.json()["data"]["correctLpa"]["accepted"] is True
    assert too_young.json()["data"]["correctLpa"]["accepted"] is False
    for value in (*values.values(), "Dora", "2019-03-04", "1950-01-01"):
        assert value not in allowed.text
        assert value not in too_young.text


async def test_a_field_given_as_null_is_cleared_where_the_lpa_may_lack_it(
    gql: Any, app: Starlette
) -> None:
    lpa = online_lpa()
    lpa["donor"]["otherNamesKnownBy"] = "Dot"
    case = await Case.create(gql, lpa)

    result = await case.sirius("correctLpa", {"donor": {"otherNamesKnownBy": None}})

    assert result == accepted(case)
    change, _ = await last_change(app, case.uid)
    assert change.fields == [{"field": "/donor/otherNamesKnownBy", "old": "Dot", "new": None}]


@pytest.mark.parametrize(
    ("correction", "problem"),
    [
        ({"donor": {"firstNames": None}}, ("/input/donor/firstNames", "REQUIRED")),
        ({"donor": {"lastName": "  "}}, ("/input/donor/lastName", "REQUIRED")),
        ({"donor": {"dateOfBirth": None}}, ("/input/donor/dateOfBirth", "REQUIRED")),
        ({"donor": {"address": None}}, ("/input/donor/address", "REQUIRED")),
        (
            {"certificateProvider": {"phone": None}},
            ("/input/certificateProvider/phone", "REQUIRED"),
        ),
        (
            {"attorneys": [{"attorney": 0, "address": {"line1": ""}}]},
            ("/input/attorneys/0/address/line1", "REQUIRED"),
        ),
        ({"signedAt": None}, ("/input/signedAt", "REQUIRED")),
    ],
)
async def test_a_value_every_lpa_must_have_cannot_be_cleared(
    gql: Any, app: Starlette, correction: dict[str, Any], problem: tuple[str, str]
) -> None:
    case = await Case.create(gql)
    before = await counts(app)

    assert await case.sirius("correctLpa", correction) == refused(case, problem)
    assert (await counts(app))["changes"] == before["changes"]


@pytest.mark.parametrize(
    ("correction", "problem"),
    [
        # (the donor's email is optional now, as in the LPA store: a blank name is refused)
        ({"donor": {"lastName": " "}}, ("/input/donor/lastName", "REQUIRED")),
        ({"donor": {"dateOfBirth": "2010-01-01"}}, ("/donor/dateOfBirth", "UNDER_18")),
        (
            {"attorneys": [{"attorney": 0, "dateOfBirth": "2015-06-01"}]},
            ("/attorneys/0/dateOfBirth", "UNDER_18"),
        ),
        (
            {"certificateProvider": {"address": {"line1": "1 Road"}}},
            ("/certificateProvider/address/country", "REQUIRED"),
        ),
        (
            {"donor": {"address": {**NEW_ADDRESS, "country": "gb"}}},
            ("/donor/address/country", "INVALID_COUNTRY"),
        ),
    ],
)
async def test_a_correction_that_breaks_a_rule_is_refused(
    gql: Any, app: Starlette, correction: dict[str, Any], problem: tuple[str, str]
) -> None:
    case = await Case.create(gql)
    before = await counts(app)

    assert await case.sirius("correctLpa", correction) == refused(case, problem)
    assert await counts(app) == {**before, "idempotency_records": before["idempotency_records"] + 1}


@pytest.mark.parametrize(
    "correction",
    [
        {"donor": {"email": "dora@example.net"}},
        {"donor": {"dateOfBirth": "1951-01-01"}},
        {"attorneys": [{"attorney": 0, "dateOfBirth": "1981-06-01"}]},
        {"certificateProvider": {"address": {"line1": "1 Road", "country": "IE"}}},
        {"donor": {"address": {**NEW_ADDRESS, "country": "FR"}}},
    ],
)
async def test_the_same_corrections_keeping_the_rules_are_accepted(
    gql: Any, correction: dict[str, Any]
) -> None:
    case = await Case.create(gql)
    assert await case.sirius("correctLpa", correction) == accepted(case)


async def test_a_rule_broken_before_the_correction_does_not_block_it(
    gql: Any, app: Starlette
) -> None:
    """Paper LPAs are stored with broken rules (as anomalies); they can still be corrected."""
    young = attorney(channel="PAPER", email=None, dateOfBirth="2015-06-01")
    lpa = online_lpa(channel="PAPER", attorneys=[young])
    case = await Case.create(gql, lpa)

    assert await case.sirius("correctLpa", {"donor": {"firstNames": "Dorothy"}}) == accepted(case)
    fixed = {"attorneys": [{"attorney": 0, "dateOfBirth": "1985-06-01"}]}
    assert await case.sirius("correctLpa", fixed) == accepted(case)
    # a rule it did not break before still refuses the correction
    emailed = {"attorneys": [{"attorney": 0, "email": "young@example.com"}]}
    assert await case.sirius("correctLpa", emailed) == refused(
        case, ("/attorneys/0/email", "NOT_ALLOWED")
    )


async def test_an_attorney_position_that_does_not_exist_is_not_found(gql: Any) -> None:
    case = await Case.create(gql)
    attorneys = [{"attorney": 0, "lastName": "Smith"}, {"attorney": 3, "lastName": "Jones"}]

    assert await case.sirius("correctLpa", {"attorneys": attorneys}) == refused(
        case, ("/input/attorneys/1", "NOT_FOUND")
    )
    assert await case.sirius("correctLpa", {"attorneys": attorneys[:1]}) == accepted(case)


async def test_an_attorney_corrected_twice_in_one_correction_is_refused(gql: Any) -> None:
    case = await Case.create(gql)
    attorneys = [{"attorney": 0, "lastName": "Smith"}, {"attorney": 0, "firstNames": "Al"}]

    assert await case.sirius("correctLpa", {"attorneys": attorneys}) == refused(
        case, ("/input/attorneys/1", "DUPLICATE")
    )


@pytest.mark.parametrize(
    "correction",
    [
        {},
        {"donor": {}, "attorneys": []},
        {"donor": None, "certificateProvider": None, "attorneys": None},
        {"attorneys": [{"attorney": 0}]},
        # every value given is the one stored
        {"donor": {"lastName": "Donor", "address": address()}, "signedAt": "2026-01-05T10:00:00Z"},
    ],
)
async def test_a_correction_that_changes_nothing_is_refused(
    gql: Any, app: Starlette, correction: dict[str, Any]
) -> None:
    case = await Case.create(gql)
    before = await counts(app)

    assert await case.sirius("correctLpa", correction) == refused(
        case, ("/input", "NOTHING_TO_CHANGE")
    )
    assert (await counts(app))["changes"] == before["changes"]


@pytest.mark.parametrize(
    ("length", "verdict"), [(100, True), (101, False)], ids=["at-limit", "over-limit"]
)
async def test_names_are_bounded_by_what_the_record_holds(
    gql: Any, length: int, verdict: bool
) -> None:
    case = await Case.create(gql)

    correction = {"donor": {"firstNames": "N" * length}}

    if verdict:
        assert await case.sirius("correctLpa", correction) == accepted(case)
    else:
        message = await case.refused_as_bad_input("correctLpa", correction)
        assert message == "input.donor.firstNames is longer than 100 characters"


async def test_over_long_address_parts_are_refused(gql: Any) -> None:
    case = await Case.create(gql)
    long_address = {"line1": "x" * 101, "postcode": "P" * 17, "country": "GB"}

    message = await case.refused_as_bad_input("correctLpa", {"donor": {"address": long_address}})
    assert message == "input.donor.address.line1 is longer than 100 characters"


@pytest.mark.parametrize(
    ("signed_at", "verdict"),
    [("2026-01-04T09:00:00Z", True), ("2099-01-01T00:00:00Z", False)],
    ids=["past", "future"],
)
async def test_signing_dates_cannot_be_in_the_future(
    gql: Any, signed_at: str, verdict: bool
) -> None:
    case = await Case.create(gql)

    result = await case.sirius("correctLpa", {"witnessedByIndependentWitnessAt": signed_at})

    if verdict:
        assert result == accepted(case)
    else:
        assert result == refused(case, ("/input/witnessedByIndependentWitnessAt", "DATE_IN_FUTURE"))


async def test_a_correction_may_raise_a_safeguarding_signal_without_telling_the_caller(
    gql: Any, app: Starlette
) -> None:
    case = await Case.create(gql)

    result = await case.sirius("correctLpa", {"certificateProvider": {"lastName": "Donor"}})

    assert result == accepted(case)
    async with app.state.gateway.engine.connect() as conn:
        found = (await conn.execute(select(Anomaly.source, Anomaly.code))).all()
    assert found == [("/certificateProvider/lastName", "CERTIFICATE_PROVIDER_SHARES_LAST_NAME")]


@pytest.mark.parametrize(
    ("status", "code"),
    [("REGISTERED", "LPA_REGISTERED"), ("WITHDRAWN", "NOT_ALLOWED_IN_STATUS")],
)
async def test_correct_lpa_is_for_open_lpas_only(gql: Any, status: str, code: str) -> None:
    case = await Case.create(gql)
    await case.reach(status)

    correction = {"donor": {"lastName": "Donnor"}}
    assert await case.sirius("correctLpa", correction) == refused(case, ("/status", code))


@pytest.mark.parametrize("status", ["IN_PROGRESS", "STATUTORY_WAITING_PERIOD", "CANCELLED"])
async def test_a_post_registration_correction_needs_a_registered_lpa(gql: Any, status: str) -> None:
    case = await Case.create(gql)
    await case.reach(status)

    correction = {"donor": {"lastName": "Donnor"}}
    assert await case.sirius("correctRegisteredLpa", correction) == refused(
        case, ("/status", "NOT_ALLOWED_IN_STATUS")
    )


async def test_a_registered_lpa_takes_a_post_registration_correction(
    gql: Any, app: Starlette
) -> None:
    case = await Case.create(gql)
    await case.reach("REGISTERED")

    correction = {"donor": {"lastName": "Donnor"}, "attorneys": [{"attorney": 0, "mobile": "07"}]}
    assert await case.sirius("correctRegisteredLpa", correction) == accepted(case)

    change, event = await last_change(app, case.uid)
    assert change.change_type == event.change_type == "POST_REGISTRATION_CORRECTION"
    assert change.author == SIRIUS_SUB
    assert sorted(change.fields, key=lambda f: f["field"]) == [
        {"field": "/attorneys/0/mobile", "old": None, "new": "07"},
        {"field": "/donor/lastName", "old": "Donor", "new": "Donnor"},
    ]
    broken = {"attorneys": [{"attorney": 0, "dateOfBirth": "2012-01-01"}]}
    assert await case.sirius("correctRegisteredLpa", broken) == refused(
        case, ("/attorneys/0/dateOfBirth", "UNDER_18")
    )
    # the donor's date of birth is fixed once the LPA is registered
    fixed = {"donor": {"dateOfBirth": "1950-01-02"}}
    assert await case.sirius("correctRegisteredLpa", fixed) == refused(
        case, ("/donor/dateOfBirth", "LPA_REGISTERED")
    )


@pytest.mark.parametrize("operation", ["correctLpa", "correctRegisteredLpa"])
async def test_a_stale_version_is_a_conflict(gql: Any, app: Starlette, operation: str) -> None:
    case = await Case.create(gql)
    if operation == "correctRegisteredLpa":
        await case.reach("REGISTERED")
    before = await counts(app)

    result = await case.send(
        SIRIUS, operation, {"donor": {"lastName": "Donnor"}}, version=case.version - 1
    )

    assert result == refused(case, ("/expectedVersion", "CONFLICT"))
    assert (await counts(app))["changes"] == before["changes"]


@pytest.mark.parametrize("operation", ["correctLpa", "correctRegisteredLpa"])
async def test_a_retry_answers_the_first_answer_and_writes_nothing(
    gql: Any, app: Starlette, operation: str
) -> None:
    case = await Case.create(gql)
    if operation == "correctRegisteredLpa":
        await case.reach("REGISTERED")
    version = case.version
    correction = {"donor": {"lastName": "Donnor"}}
    first = await case.send(SIRIUS, operation, correction, key="fix-1", version=version)
    after_first = await counts(app)

    again = await case.send(SIRIUS, operation, correction, key="fix-1", version=version)

    assert again == first
    assert first["accepted"] is True
    assert await counts(app) == after_first


@pytest.mark.parametrize("operation", ["correctLpa", "correctRegisteredLpa"])
@pytest.mark.parametrize("client", [MAKEREGISTER, USE])
async def test_corrections_are_for_caseworkers_only(
    gql: Any, app: Starlette, operation: str, client: str
) -> None:
    case = await Case.create(gql)
    if operation == "correctRegisteredLpa":
        await case.reach("REGISTERED")
    before = await counts(app)
    correction = {"donor": {"lastName": "Donnor"}}

    denied = await case.post(client, operation, correction)

    assert denied.status_code == 400
    assert {e["extensions"]["code"] for e in denied.json()["errors"]} == {"BAD_USER_INPUT"}
    assert "Donnor" not in denied.text
    assert await counts(app) == before
    assert await case.send(SIRIUS, operation, correction) == accepted(case)
