"""confirmIdentity and recordPayment over HTTP, as the online service calls them: allowed
calls and denied twins, every refusal with its breaking input and valid twin, limits at the
limit and one past it, and the history and outbox rows of each accepted change."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from app.db.models import Actor, IdentityCheck, Payment
from tests.updates import (
    CONFIRM_IDENTITY,
    MAKEREGISTER,
    RECORD_PAYMENT,
    SIRIUS,
    USE,
    WITHDRAW_LPA,
    Update,
    accepted,
    assert_recorded,
    counts,
    create_lpa,
    in_minutes,
    lpa_row,
    refused,
    registered_lpa,
    rows_of,
)

pytestmark = pytest.mark.anyio

CHECKED_AT = "2026-03-01T12:00:00Z"
PAID_AT = "2026-03-02T09:30:00Z"
REFERENCE = "GOVUK-PAY-7f3a9c"


def identity(actor: str = "DONOR", **overrides: Any) -> dict[str, Any]:
    return {"actor": actor, "type": "ONE_LOGIN", "checkedAt": CHECKED_AT, **overrides}


def payment(**overrides: Any) -> dict[str, Any]:
    return {"amountPence": 9200, "reference": REFERENCE, "paidAt": PAID_AT, **overrides}


CASES = [
    (CONFIRM_IDENTITY, identity(), "DONOR_CONFIRM_IDENTITY"),
    (RECORD_PAYMENT, payment(), "PAYMENT"),
]
IDS = [update.name for update, _, _ in CASES]


@pytest.mark.parametrize(("update", "input", "change_type"), CASES, ids=IDS)
async def test_accepted_with_history_and_outbox_and_nothing_echoed(
    gql: Any, app: Starlette, update: Update, input: dict[str, Any], change_type: str
) -> None:
    uid = await create_lpa(gql)

    response = await update.send(gql, MAKEREGISTER, uid, 1, input)

    assert response.json() == {"data": {update.name: accepted(uid, 2)}}
    for value in (REFERENCE, "2026-03-0", "Dora", "SW1A 1AA"):
        assert value not in response.text
    assert (await lpa_row(app, uid))["version"] == 2
    await assert_recorded(app, uid, 2, change_type)


@pytest.mark.parametrize("client", [SIRIUS, USE])
@pytest.mark.parametrize(("update", "input", "change_type"), CASES, ids=IDS)
async def test_other_clients_cannot_even_name_the_mutation(
    gql: Any, app: Starlette, update: Update, input: dict[str, Any], change_type: str, client: str
) -> None:
    uid = await create_lpa(gql)
    before = await counts(app)

    response = await update.send(gql, client, uid, 1, input)

    assert response.status_code == 400
    assert {e["extensions"]["code"] for e in response.json()["errors"]} == {"BAD_USER_INPUT"}
    assert await counts(app) == before


@pytest.mark.parametrize(("update", "input", "change_type"), CASES, ids=IDS)
async def test_a_stale_expected_version_is_a_conflict(
    gql: Any, app: Starlette, update: Update, input: dict[str, Any], change_type: str
) -> None:
    uid = await create_lpa(gql)
    before = await counts(app)

    result = await update.verdict(gql, MAKEREGISTER, uid, 2, input)

    assert result == refused(uid, ("/expectedVersion", "CONFLICT"))
    # nothing but the remembered answer
    assert await counts(app) == {**before, "idempotency_records": before["idempotency_records"] + 1}


@pytest.mark.parametrize(("update", "input", "change_type"), CASES, ids=IDS)
async def test_a_retry_with_the_same_key_answers_the_same_and_writes_nothing(
    gql: Any, app: Starlette, update: Update, input: dict[str, Any], change_type: str
) -> None:
    uid = await create_lpa(gql)
    first = await update.verdict(gql, MAKEREGISTER, uid, 1, input, key="once")
    before = await counts(app)

    again = await update.verdict(gql, MAKEREGISTER, uid, 1, input, key="once")

    assert again == first == accepted(uid, 2)
    assert await counts(app) == before


@pytest.mark.parametrize(("update", "input", "change_type"), CASES, ids=IDS)
async def test_only_an_open_lpa_can_change(
    gql: Any, update: Update, input: dict[str, Any], change_type: str
) -> None:
    withdrawn = await create_lpa(gql, key="withdrawn")
    await WITHDRAW_LPA.verdict(gql, MAKEREGISTER, withdrawn, 1, key="withdraw")
    registered, version = await registered_lpa(gql)

    after_withdrawal = await update.verdict(gql, MAKEREGISTER, withdrawn, 2, input, key="w")
    after_registration = await update.verdict(gql, MAKEREGISTER, registered, version, input)

    assert after_withdrawal == refused(withdrawn, ("/status", "NOT_ALLOWED_IN_STATUS"))
    assert after_registration == refused(registered, ("/status", "LPA_REGISTERED"))


# --- confirmIdentity ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "role", "change_type"),
    [
        ("DONOR", "donor", "DONOR_CONFIRM_IDENTITY"),
        ("CERTIFICATE_PROVIDER", "certificate-provider", "CERTIFICATE_PROVIDER_CONFIRM_IDENTITY"),
    ],
)
async def test_an_identity_check_is_added_for_the_actor_named(
    gql: Any, app: Starlette, actor: str, role: str, change_type: str
) -> None:
    uid = await create_lpa(gql)

    result = await CONFIRM_IDENTITY.verdict(
        gql, MAKEREGISTER, uid, 1, identity(actor, type="OPG_PAPER_ID")
    )

    assert result == accepted(uid, 2)
    [check] = await rows_of(app, IdentityCheck)
    [person] = [p for p in await rows_of(app, Actor) if p["role"] == role]
    assert check["actor_id"] == person["id"]
    assert check["type"] == "opg-paper-id"
    assert check["checked_at"].isoformat() == "2026-03-01T12:00:00+00:00"
    change = await assert_recorded(app, uid, 2, change_type)
    # history pointers follow the record: whose identity checks gained one
    group = "donor" if actor == "DONOR" else "certificateProvider"
    assert [f["field"] for f in change["fields"]] == [f"/{group}/identityChecks/-"]


async def test_a_check_in_the_future_is_refused_beyond_the_clock_skew(
    gql: Any, app: Starlette
) -> None:
    uid = await create_lpa(gql)

    future = await CONFIRM_IDENTITY.verdict(
        gql, MAKEREGISTER, uid, 1, identity(checkedAt=in_minutes(10)), key="future"
    )
    skewed = await CONFIRM_IDENTITY.verdict(
        gql, MAKEREGISTER, uid, 1, identity(checkedAt=in_minutes(4)), key="skewed"
    )

    assert future == refused(uid, ("/input/checkedAt", "DATE_IN_FUTURE"))
    assert skewed == accepted(uid, 2)
    assert len(await rows_of(app, IdentityCheck)) == 1


async def test_an_actor_outside_the_vocabulary_is_bad_input(gql: Any, app: Starlette) -> None:
    uid = await create_lpa(gql)

    response = await CONFIRM_IDENTITY.send(gql, MAKEREGISTER, uid, 1, identity("ATTORNEY"))

    assert response.status_code == 400
    assert {e["extensions"]["code"] for e in response.json()["errors"]} == {"BAD_USER_INPUT"}
    assert await rows_of(app, IdentityCheck) == []


# --- recordPayment -----------------------------------------------------------------------------


async def test_a_payment_is_added(gql: Any, app: Starlette) -> None:
    uid = await create_lpa(gql)

    await RECORD_PAYMENT.verdict(gql, MAKEREGISTER, uid, 1, payment(amountPence=4600))

    [paid] = await rows_of(app, Payment)
    assert (paid["lpa_id"], paid["amount_pence"], paid["reference"]) == (
        (await lpa_row(app, uid))["id"],
        4600,
        REFERENCE,
    )
    assert paid["paid_at"].isoformat() == "2026-03-02T09:30:00+00:00"


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"amountPence": 0}, ("/input/amountPence", "NOT_POSITIVE")),
        ({"amountPence": -100}, ("/input/amountPence", "NOT_POSITIVE")),
        ({"reference": ""}, ("/input/reference", "REQUIRED")),
        ({"reference": "   "}, ("/input/reference", "REQUIRED")),
        ({"paidAt": in_minutes(60)}, ("/input/paidAt", "DATE_IN_FUTURE")),
    ],
    ids=["zero", "negative", "empty-reference", "blank-reference", "future"],
)
async def test_a_payment_breaking_a_rule_is_refused_and_not_written(
    gql: Any, app: Starlette, change: dict[str, Any], problem: tuple[str, str]
) -> None:
    uid = await create_lpa(gql)

    result = await RECORD_PAYMENT.verdict(gql, MAKEREGISTER, uid, 1, payment(**change))

    assert result == refused(uid, problem)
    assert await rows_of(app, Payment) == []
    assert (await lpa_row(app, uid))["version"] == 1


@pytest.mark.parametrize(
    "change",
    [{"amountPence": 1}, {"reference": "R"}, {"reference": "R" * 64}],
    ids=["one-penny", "reference-1", "reference-64"],
)
async def test_a_payment_at_each_limit_is_accepted(
    gql: Any, app: Starlette, change: dict[str, Any]
) -> None:
    uid = await create_lpa(gql)

    result = await RECORD_PAYMENT.verdict(gql, MAKEREGISTER, uid, 1, payment(**change))

    assert result == accepted(uid, 2)
    assert len(await rows_of(app, Payment)) == 1


async def test_every_broken_rule_is_reported_at_once(gql: Any) -> None:
    uid = await create_lpa(gql)

    result = await RECORD_PAYMENT.verdict(
        gql,
        MAKEREGISTER,
        uid,
        1,
        payment(amountPence=0, reference=" ", paidAt=in_minutes(60)),
    )

    assert result == refused(
        uid,
        ("/input/amountPence", "NOT_POSITIVE"),
        ("/input/paidAt", "DATE_IN_FUTURE"),
        ("/input/reference", "REQUIRED"),
    )
