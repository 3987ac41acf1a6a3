"""The LPA store's update rules over HTTP, against a real database: the four new mutations,
each granted to its owner and refused to everyone else, and the rules of the existing ones
that changed (identity once, the fee still due, withdrawal, signing details, corrections)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from tests.factories import address, attorney, online_lpa
from tests.http.steps import (
    MAKEREGISTER,
    SIGNED,
    SIRIUS,
    USE,
    Case,
    accepted,
    counts,
    last_change,
    refused,
)

pytestmark = pytest.mark.anyio

TRUST = {
    "name": "Trusty Ltd",
    "companyNumber": "01234567",
    "email": "trust@example.com",
    "channel": "ONLINE",
    "address": address("TC1 1TC"),
}
SOME_JOINTLY = "JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS"


def with_trust() -> dict[str, Any]:
    return online_lpa(trustCorporations=[TRUST], howAttorneysMakeDecisions="JOINTLY")


def paper_people() -> dict[str, Any]:
    lpa = online_lpa(attorneys=[attorney(), attorney(channel="PAPER", email=None)])
    lpa["howAttorneysMakeDecisions"] = SOME_JOINTLY
    lpa["howAttorneysMakeDecisionsDetails"] = "Jointly for the house."
    lpa["certificateProvider"] |= {"channel": "PAPER", "email": None}
    return lpa


def paper_lpa() -> dict[str, Any]:
    lpa = online_lpa(channel="PAPER")
    lpa["donor"]["email"] = None
    return lpa


async def denied_then_allowed(
    app: Starlette, case: Case, operation: str, input: dict[str, Any], owner: str
) -> None:
    """Every client but the owner is refused before anything runs; the owner is accepted."""
    for client in {MAKEREGISTER, SIRIUS, USE} - {owner}:
        before = await counts(app)
        response = await case.post(client, operation, input)
        assert response.status_code == 400, response.json()
        codes = {e["extensions"]["code"] for e in response.json()["errors"]}
        assert codes == {"BAD_USER_INPUT"}
        assert await counts(app) == before
    assert await case.send(owner, operation, input) == accepted(case)


# --- trustCorporationOptOut (the online service) ----------------------------------------------


async def test_a_trust_corporation_opts_out_and_is_removed(gql: Any, app: Starlette) -> None:
    case = await Case.create(gql, with_trust())
    await denied_then_allowed(
        app, case, "trustCorporationOptOut", {"trustCorporation": 0}, MAKEREGISTER
    )

    [trust] = (await case.people())["trustCorporations"]
    assert trust["status"] == "REMOVED"
    change, event = await last_change(app, case.uid)
    assert change.change_type == event.change_type == "TRUST_CORPORATION_OPT_OUT"


async def test_a_trust_corporation_that_signed_cannot_opt_out(gql: Any) -> None:
    case = await Case.create(gql, with_trust())
    signatory = {"firstNames": "Sam", "lastName": "Signer", "signedAt": SIGNED}
    sign = {"trustCorporation": 0, "signatories": [signatory]}
    assert (await case.send(MAKEREGISTER, "signTrustCorporation", sign))["accepted"]

    uid = (await case.people())["trustCorporations"][0]["uid"]
    result = await case.send(MAKEREGISTER, "trustCorporationOptOut", {"trustCorporationUid": uid})
    assert result == refused(case, ("/trustCorporations/0/signedAt", "ALREADY_SIGNED"))


# --- recordAttorneyDecisions (case management) ------------------------------------------------


async def test_attorney_decisions_where_some_act_jointly(gql: Any, app: Starlette) -> None:
    case = await Case.create(gql, paper_people())
    decisions = {"decisions": [{"attorney": 1, "cannotMakeJointDecisions": True}]}
    await denied_then_allowed(app, case, "recordAttorneyDecisions", decisions, SIRIUS)

    flags = [a["cannotMakeJointDecisions"] for a in (await case.people())["attorneys"]]
    assert flags == [False, True]
    change, _ = await last_change(app, case.uid)
    assert change.change_type == "ATTORNEY_DECISIONS"
    assert change.fields == [
        {"field": "/attorneys/1/cannotMakeJointDecisions", "old": False, "new": True}
    ]


async def test_attorney_decisions_where_all_act_jointly_are_refused(gql: Any) -> None:
    lpa = online_lpa(attorneys=[attorney(), attorney()], howAttorneysMakeDecisions="JOINTLY")
    case = await Case.create(gql, lpa)
    decisions = {"decisions": [{"attorney": 1, "cannotMakeJointDecisions": True}]}

    assert await case.sirius("recordAttorneyDecisions", decisions) == refused(
        case, ("/attorneys/1/cannotMakeJointDecisions", "NOT_ALLOWED")
    )


# --- paper actors moving online (the online service) ------------------------------------------


async def test_a_paper_certificate_provider_moves_online_once(gql: Any, app: Starlette) -> None:
    case = await Case.create(gql, paper_people())
    email = {"email": "cerys@example.com"}
    await denied_then_allowed(app, case, "certificateProviderAccessOnline", email, MAKEREGISTER)

    provider = (await case.people())["certificateProvider"]
    assert (provider["channel"], provider["email"]) == ("ONLINE", "cerys@example.com")
    assert await case.send(MAKEREGISTER, "certificateProviderAccessOnline", email) == refused(
        case, ("/certificateProvider/channel", "ALREADY_ONLINE")
    )


async def test_a_paper_attorney_moves_online_named_by_uid(gql: Any, app: Starlette) -> None:
    case = await Case.create(gql, paper_people())
    uid = (await case.attorney_uids())[1]
    moving = {"attorneyUid": uid, "email": "ada@example.org"}
    await denied_then_allowed(app, case, "attorneyAccessOnline", moving, MAKEREGISTER)

    moved = (await case.people())["attorneys"][1]
    assert (moved["channel"], moved["email"]) == ("ONLINE", "ada@example.org")
    change, _ = await last_change(app, case.uid)
    assert change.change_type == "PAPER_ATTORNEY_ACCESS_ONLINE"
    online = {"attorney": 0, "email": "ada@example.org"}
    assert await case.send(MAKEREGISTER, "attorneyAccessOnline", online) == refused(
        case, ("/attorneys/0/channel", "ALREADY_ONLINE")
    )


# --- signing carries contact details ----------------------------------------------------------


async def test_a_signature_carries_contact_details(gql: Any, app: Starlette) -> None:
    case = await Case.create(gql, paper_people())
    uid = (await case.attorney_uids())[0]
    signing = {
        "attorneyUid": uid,
        "signedAt": SIGNED,
        "mobile": "07700900002",
        "contactLanguagePreference": "CY",
    }
    assert await case.send(MAKEREGISTER, "signAttorney", signing) == accepted(case)
    change, _ = await last_change(app, case.uid)
    assert {f["field"] for f in change.fields} == {
        "/attorneys/0/signedAt",
        "/attorneys/0/mobile",
        "/attorneys/0/contactLanguagePreference",
    }

    provider = {
        "signedAt": SIGNED,
        "channel": "ONLINE",
        "email": "cerys@example.org",
        "address": address("NE1 1NE"),
    }
    assert await case.send(MAKEREGISTER, "signCertificateProvider", provider) == accepted(case)
    signed = (await case.people())["certificateProvider"]
    assert (signed["channel"], signed["email"]) == ("ONLINE", "cerys@example.org")


async def test_a_signature_cannot_leave_an_online_signer_without_email(gql: Any) -> None:
    case = await Case.create(gql)
    provider = {"signedAt": SIGNED, "channel": "PAPER"}  # paper, yet with its email still on
    assert await case.send(MAKEREGISTER, "signCertificateProvider", provider) == refused(
        case, ("/certificateProvider/email", "NOT_ALLOWED")
    )
    given = {"signedAt": SIGNED, "channel": "PAPER", "email": None}  # null gives nothing
    assert await case.send(MAKEREGISTER, "signCertificateProvider", given) == refused(
        case, ("/certificateProvider/email", "NOT_ALLOWED")
    )


# --- identity, payments, withdrawal -----------------------------------------------------------


async def test_identity_is_confirmed_once(gql: Any, app: Starlette) -> None:
    case = await Case.create(gql)
    check = {"actor": "DONOR", "type": "ONE_LOGIN", "checkedAt": SIGNED}
    assert await case.send(MAKEREGISTER, "confirmIdentity", check) == accepted(case)
    before = await counts(app)

    assert await case.send(MAKEREGISTER, "confirmIdentity", check) == refused(
        case, ("/donor/identityCheck", "ALREADY_CONFIRMED")
    )
    assert (await counts(app))["changes"] == before["changes"]  # no second row
    # and the donor's date of birth is fixed from now on
    assert await case.sirius("correctLpa", {"donor": {"dateOfBirth": "1950-01-02"}}) == refused(
        case, ("/donor/dateOfBirth", "IDENTITY_CHECKED")
    )


@pytest.mark.parametrize(("pence", "taken"), [(9200, True), (9201, False)], ids=["at", "over"])
async def test_a_payment_is_at_most_the_fee_still_due(gql: Any, pence: int, taken: bool) -> None:
    case = await Case.create(gql)
    payment = {"amountPence": pence, "reference": "PAY-1", "paidAt": SIGNED}

    result = await case.send(MAKEREGISTER, "recordPayment", payment)

    expected = accepted(case) if taken else refused(case, ("/input/amountPence", "MORE_THAN_DUE"))
    assert result == expected


async def test_what_is_paid_lowers_what_may_be_paid(gql: Any) -> None:
    case = await Case.create(gql)
    first = {"amountPence": 9000, "reference": "PAY-1", "paidAt": SIGNED}
    assert await case.send(MAKEREGISTER, "recordPayment", first) == accepted(case)

    rest = {"amountPence": 201, "reference": "PAY-2", "paidAt": SIGNED}
    assert await case.send(MAKEREGISTER, "recordPayment", rest) == refused(
        case, ("/input/amountPence", "MORE_THAN_DUE")
    )
    assert await case.send(MAKEREGISTER, "recordPayment", rest | {"amountPence": 200}) == (
        accepted(case)
    )


@pytest.mark.parametrize("status", ["EXPIRED", "CANCELLED", "DO_NOT_REGISTER"])
async def test_withdrawal_follows_the_store(gql: Any, app: Starlette, status: str) -> None:
    case = await Case.create(gql)
    await case.reach(status)

    assert await case.send(MAKEREGISTER, "withdrawLpa") == accepted(case)
    change, _ = await last_change(app, case.uid)
    assert change.change_type == "DONOR_WITHDRAW_LPA"
    assert await case.send(MAKEREGISTER, "withdrawLpa") == refused(
        case, ("/status", "NOT_ALLOWED_IN_STATUS")
    )


# --- corrections ------------------------------------------------------------------------------


async def test_an_online_lpas_signing_dates_are_not_corrected(gql: Any) -> None:
    case = await Case.create(gql)
    await case.sign_all()
    moved = "2026-01-07T10:00:00Z"

    for correction, source in [
        ({"signedAt": "2026-01-04T10:00:00Z"}, "/signedAt"),
        ({"certificateProvider": {"signedAt": moved}}, "/certificateProvider/signedAt"),
        ({"attorneys": [{"attorney": 0, "signedAt": moved}]}, "/attorneys/0/signedAt"),
    ]:
        assert await case.sirius("correctLpa", correction) == refused(
            case, (source, "SIGNED_ONLINE")
        )


async def test_a_paper_lpas_signing_dates_are_corrected_but_never_before_the_donor(
    gql: Any,
) -> None:
    case = await Case.create(gql, paper_lpa())
    await case.sign_all()

    provider = {"certificateProvider": {"signedAt": "2026-01-07T10:00:00Z"}}
    assert await case.sirius("correctLpa", provider) == accepted(case)
    early = {"attorneys": [{"attorney": 0, "signedAt": "2026-01-04T10:00:00Z"}]}
    assert await case.sirius("correctLpa", early) == refused(
        case, ("/attorneys/0/signedAt", "SIGNED_BEFORE_DONOR")
    )
