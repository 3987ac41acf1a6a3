"""Signatures, opt-outs and withdrawal over HTTP, as the online service calls them: each
allowed call with its denied twin, every refusal with the input that breaks it and the valid
twin, and the history and outbox rows of each accepted change."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.applications import Starlette

from app.db.models import Actor
from tests.factories import CREATE_LPA, online_lpa
from tests.updates import (
    AFTER_DONOR,
    ATTORNEY_OPT_OUT,
    CERTIFICATE_PROVIDER_OPT_OUT,
    DONOR_SIGNED,
    MAKEREGISTER,
    SIGN_ATTORNEY,
    SIGN_CERTIFICATE_PROVIDER,
    SIGN_TRUST_CORPORATION,
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
    trust_corporation,
)

pytestmark = pytest.mark.anyio

OTHERS = [SIRIUS, USE]
CP_SIGNED = "/certificateProvider/signedAt"


def signatory(signed_at: str = AFTER_DONOR, last_name: str = "Signer") -> dict[str, Any]:
    return {"firstNames": "Sam", "lastName": last_name, "signedAt": signed_at}


def signs(*signatories: dict[str, Any], position: int = 0) -> dict[str, Any]:
    return {"trustCorporation": position, "signatories": list(signatories)}


async def trust_lpa(gql: Any) -> str:
    return await create_lpa(gql, key="trust", attorneys=[], trustCorporations=[trust_corporation()])


# Each allowed call: the mutation, its input, and the change type it records.
ALLOWED = [
    (SIGN_CERTIFICATE_PROVIDER, {"signedAt": AFTER_DONOR}, "CERTIFICATE_PROVIDER_SIGN"),
    (SIGN_ATTORNEY, {"attorney": 0, "signedAt": AFTER_DONOR}, "ATTORNEY_SIGN"),
    (CERTIFICATE_PROVIDER_OPT_OUT, None, "CERTIFICATE_PROVIDER_OPT_OUT"),
    (ATTORNEY_OPT_OUT, {"attorney": 0}, "ATTORNEY_OPT_OUT"),
    (WITHDRAW_LPA, None, "DONOR_WITHDRAW_LPA"),
]
IDS = [update.name for update, _, _ in ALLOWED]


@pytest.mark.parametrize(("update", "input", "change_type"), ALLOWED, ids=IDS)
async def test_the_online_service_changes_its_lpa_with_history_and_outbox(
    gql: Any, app: Starlette, update: Update, input: Any, change_type: str
) -> None:
    uid = await create_lpa(gql)

    response = await update.send(gql, MAKEREGISTER, uid, 1, input)

    assert response.json() == {"data": {update.name: accepted(uid, 2)}}
    for personal in ("Dora", "Cerys", "Ada", "1950-01-01", "SW1A 1AA", "example.com"):
        assert personal not in response.text
    assert (await lpa_row(app, uid))["version"] == 2
    await assert_recorded(app, uid, 2, change_type)


@pytest.mark.parametrize("client", OTHERS)
@pytest.mark.parametrize(("update", "input", "change_type"), ALLOWED, ids=IDS)
async def test_other_clients_cannot_even_name_the_mutation(
    gql: Any, app: Starlette, update: Update, input: Any, change_type: str, client: str
) -> None:
    uid = await create_lpa(gql)
    before = await counts(app)

    response = await update.send(gql, client, uid, 1, input)

    assert response.status_code == 400
    assert {e["extensions"]["code"] for e in response.json()["errors"]} == {"BAD_USER_INPUT"}
    assert await counts(app) == before
    assert (await lpa_row(app, uid))["version"] == 1


@pytest.mark.parametrize(("update", "input", "change_type"), ALLOWED, ids=IDS)
async def test_a_stale_expected_version_is_a_conflict_and_writes_no_change(
    gql: Any, app: Starlette, update: Update, input: Any, change_type: str
) -> None:
    uid = await create_lpa(gql)
    before = await counts(app)

    result = await update.verdict(gql, MAKEREGISTER, uid, 7, input)

    assert result == refused(uid, ("/expectedVersion", "CONFLICT"))
    # nothing but the remembered answer
    assert await counts(app) == {**before, "idempotency_records": before["idempotency_records"] + 1}


@pytest.mark.parametrize(("update", "input", "change_type"), ALLOWED, ids=IDS)
async def test_a_retry_with_the_same_key_answers_the_same_and_writes_nothing(
    gql: Any, app: Starlette, update: Update, input: Any, change_type: str
) -> None:
    uid = await create_lpa(gql)
    first = await update.verdict(gql, MAKEREGISTER, uid, 1, input, key="once")
    before = await counts(app)

    again = await update.verdict(gql, MAKEREGISTER, uid, 1, input, key="once")

    assert again == first == accepted(uid, 2)
    assert await counts(app) == before


async def test_the_same_key_for_another_payload_is_refused(gql: Any, app: Starlette) -> None:
    uid = await create_lpa(gql)
    await SIGN_ATTORNEY.verdict(gql, MAKEREGISTER, uid, 1, {"attorney": 0, "signedAt": AFTER_DONOR})
    before = await counts(app)

    response = await SIGN_ATTORNEY.send(
        gql, MAKEREGISTER, uid, 1, {"attorney": 0, "signedAt": DONOR_SIGNED}
    )

    assert [e["extensions"]["code"] for e in response.json()["errors"]] == [
        "IDEMPOTENCY_KEY_REUSED"
    ]
    assert await counts(app) == before


async def test_an_lpa_another_client_created_is_not_found(gql: Any) -> None:
    response = await gql("developer", CREATE_LPA, {"input": online_lpa(), "key": "theirs"})
    theirs = response.json()["data"]["createLpa"]["uid"]

    result = await SIGN_CERTIFICATE_PROVIDER.verdict(
        gql, MAKEREGISTER, theirs, 1, {"signedAt": AFTER_DONOR}
    )

    assert result == refused(None, ("/uid", "NOT_FOUND"))


# --- signing -----------------------------------------------------------------------------------


async def test_the_certificate_provider_signs_once(gql: Any, app: Starlette) -> None:
    uid = await create_lpa(gql)
    await SIGN_CERTIFICATE_PROVIDER.verdict(gql, MAKEREGISTER, uid, 1, {"signedAt": AFTER_DONOR})

    again = await SIGN_CERTIFICATE_PROVIDER.verdict(
        gql, MAKEREGISTER, uid, 2, {"signedAt": AFTER_DONOR}, key="again"
    )

    assert again == refused(uid, (CP_SIGNED, "ALREADY_SIGNED"))
    change = await assert_recorded(app, uid, 2, "CERTIFICATE_PROVIDER_SIGN")
    assert change["fields"] == [
        {"field": CP_SIGNED, "old": None, "new": "2026-02-01T10:00:00+00:00"}
    ]


async def test_an_attorney_signs_once(gql: Any) -> None:
    uid = await create_lpa(gql)
    input = {"attorney": 0, "signedAt": AFTER_DONOR}
    await SIGN_ATTORNEY.verdict(gql, MAKEREGISTER, uid, 1, input)

    again = await SIGN_ATTORNEY.verdict(gql, MAKEREGISTER, uid, 2, input, key="again")

    assert again == refused(uid, ("/attorneys/0/signedAt", "ALREADY_SIGNED"))


@pytest.mark.parametrize(
    ("update", "input"),
    [
        (SIGN_CERTIFICATE_PROVIDER, {}),
        (SIGN_ATTORNEY, {"attorney": 0}),
    ],
    ids=["certificate-provider", "attorney"],
)
async def test_signing_before_the_donor_is_refused_and_at_the_same_instant_accepted(
    gql: Any, update: Update, input: dict[str, Any]
) -> None:
    uid = await create_lpa(gql)

    early = await update.verdict(
        gql, MAKEREGISTER, uid, 1, {**input, "signedAt": "2026-01-05T09:59:59Z"}, key="early"
    )
    same = await update.verdict(
        gql, MAKEREGISTER, uid, 1, {**input, "signedAt": DONOR_SIGNED}, key="same"
    )

    assert early == refused(uid, ("/input/signedAt", "SIGNED_BEFORE_DONOR"))
    assert same == accepted(uid, 2)


@pytest.mark.parametrize(
    ("update", "input"),
    [
        (SIGN_CERTIFICATE_PROVIDER, {}),
        (SIGN_ATTORNEY, {"attorney": 0}),
    ],
    ids=["certificate-provider", "attorney"],
)
async def test_a_signature_in_the_future_is_refused_beyond_the_clock_skew(
    gql: Any, update: Update, input: dict[str, Any]
) -> None:
    uid = await create_lpa(gql)

    future = await update.verdict(
        gql, MAKEREGISTER, uid, 1, {**input, "signedAt": in_minutes(10)}, key="future"
    )
    skewed = await update.verdict(
        gql, MAKEREGISTER, uid, 1, {**input, "signedAt": in_minutes(4)}, key="skewed"
    )

    assert future == refused(uid, ("/input/signedAt", "DATE_IN_FUTURE"))
    assert skewed == accepted(uid, 2)


@pytest.mark.parametrize("attorney", [1, -1])
async def test_an_attorney_position_that_does_not_exist_is_not_found(
    gql: Any, attorney: int
) -> None:
    uid = await create_lpa(gql)

    result = await SIGN_ATTORNEY.verdict(
        gql, MAKEREGISTER, uid, 1, {"attorney": attorney, "signedAt": AFTER_DONOR}
    )

    assert result == refused(uid, ("/input/attorney", "NOT_FOUND"))


async def test_an_attorney_who_opted_out_cannot_sign(gql: Any) -> None:
    uid = await create_lpa(gql)
    await ATTORNEY_OPT_OUT.verdict(gql, MAKEREGISTER, uid, 1, {"attorney": 0}, key="out")

    result = await SIGN_ATTORNEY.verdict(
        gql, MAKEREGISTER, uid, 2, {"attorney": 0, "signedAt": AFTER_DONOR}
    )

    assert result == refused(uid, ("/attorneys/0", "OPTED_OUT"), ("/attorneys/0", "REMOVED"))


@pytest.mark.parametrize("how_many", [1, 2])
async def test_a_trust_corporation_signs_with_one_or_two_signatories(
    gql: Any, app: Starlette, how_many: int
) -> None:
    uid = await trust_lpa(gql)
    signatories = [signatory(last_name=f"Signer{i}") for i in range(how_many)]

    response = await SIGN_TRUST_CORPORATION.send(gql, MAKEREGISTER, uid, 1, signs(*signatories))

    assert response.json() == {"data": {"signTrustCorporation": accepted(uid, 2)}}
    assert "Signer" not in response.text
    assert (await counts(app))["trust_corporation_signatories"] == how_many
    change = await assert_recorded(app, uid, 2, "TRUST_CORPORATION_SIGN")
    assert [f["field"] for f in change["fields"]] == [
        "/trustCorporations/0/signedAt",
        *["/trustCorporations/0/signatories/-"] * how_many,
    ]


@pytest.mark.parametrize(
    ("how_many", "code"), [(0, "REQUIRED"), (3, "TOO_MANY")], ids=["none", "three"]
)
async def test_a_trust_corporation_needs_one_or_two_signatories(
    gql: Any, app: Starlette, how_many: int, code: str
) -> None:
    uid = await trust_lpa(gql)

    result = await SIGN_TRUST_CORPORATION.verdict(
        gql, MAKEREGISTER, uid, 1, signs(*[signatory() for _ in range(how_many)])
    )

    assert result == refused(uid, ("/input/signatories", code))
    assert (await counts(app))["trust_corporation_signatories"] == 0


async def test_a_trust_corporation_signs_once(gql: Any) -> None:
    uid = await trust_lpa(gql)
    await SIGN_TRUST_CORPORATION.verdict(gql, MAKEREGISTER, uid, 1, signs(signatory()))

    again = await SIGN_TRUST_CORPORATION.verdict(
        gql, MAKEREGISTER, uid, 2, signs(signatory()), key="again"
    )

    assert again == refused(uid, ("/trustCorporations/0/signedAt", "ALREADY_SIGNED"))


async def test_every_signatory_must_sign_after_the_donor(gql: Any) -> None:
    uid = await trust_lpa(gql)
    early = signatory("2026-01-04T10:00:00Z")

    result = await SIGN_TRUST_CORPORATION.verdict(
        gql, MAKEREGISTER, uid, 1, signs(early, signatory())
    )

    assert result == refused(uid, ("/input/signatories", "SIGNED_BEFORE_DONOR"))


async def test_no_signatory_may_sign_in_the_future(gql: Any) -> None:
    uid = await trust_lpa(gql)

    result = await SIGN_TRUST_CORPORATION.verdict(
        gql, MAKEREGISTER, uid, 1, signs(signatory(), signatory(in_minutes(10)))
    )

    assert result == refused(uid, ("/input/signatories", "DATE_IN_FUTURE"))


async def test_a_trust_corporation_position_that_does_not_exist_is_not_found(gql: Any) -> None:
    uid = await trust_lpa(gql)

    result = await SIGN_TRUST_CORPORATION.verdict(
        gql, MAKEREGISTER, uid, 1, signs(signatory(), position=1)
    )

    assert result == refused(uid, ("/input/trustCorporation", "NOT_FOUND"))


# --- opt-outs ----------------------------------------------------------------------------------


async def test_the_certificate_provider_opting_out_means_the_lpa_cannot_register(
    gql: Any, app: Starlette
) -> None:
    uid = await create_lpa(gql)

    await CERTIFICATE_PROVIDER_OPT_OUT.verdict(gql, MAKEREGISTER, uid, 1)

    assert (await lpa_row(app, uid))["status"] == "cannot-register"
    change = await assert_recorded(app, uid, 2, "CERTIFICATE_PROVIDER_OPT_OUT")
    assert {"field": "/status", "old": "in-progress", "new": "cannot-register"} in change["fields"]


async def test_the_certificate_provider_cannot_opt_out_after_signing(
    gql: Any, app: Starlette
) -> None:
    uid = await create_lpa(gql)
    await SIGN_CERTIFICATE_PROVIDER.verdict(
        gql, MAKEREGISTER, uid, 1, {"signedAt": AFTER_DONOR}, key="sign"
    )

    result = await CERTIFICATE_PROVIDER_OPT_OUT.verdict(gql, MAKEREGISTER, uid, 2)

    assert result == refused(uid, (CP_SIGNED, "ALREADY_SIGNED"))
    assert (await lpa_row(app, uid))["status"] == "in-progress"


async def test_the_certificate_provider_opts_out_once(gql: Any) -> None:
    uid = await create_lpa(gql)
    await CERTIFICATE_PROVIDER_OPT_OUT.verdict(gql, MAKEREGISTER, uid, 1)

    again = await CERTIFICATE_PROVIDER_OPT_OUT.verdict(gql, MAKEREGISTER, uid, 2, key="again")

    assert again == refused(
        uid, ("/certificateProvider", "ALREADY_OPTED_OUT"), ("/status", "NOT_ALLOWED_IN_STATUS")
    )


async def test_an_attorney_opting_out_is_removed(gql: Any, app: Starlette) -> None:
    uid = await create_lpa(gql)

    await ATTORNEY_OPT_OUT.verdict(gql, MAKEREGISTER, uid, 1, {"attorney": 0})

    [attorney] = [a for a in await rows_of(app, Actor) if a["role"] == "attorney"]
    assert attorney["status"] == "removed"
    assert attorney["opted_out_at"] is not None
    assert (await lpa_row(app, uid))["status"] == "in-progress"


async def test_an_attorney_cannot_opt_out_after_signing_or_twice(gql: Any) -> None:
    signed, twice = await create_lpa(gql, key="a"), await create_lpa(gql, key="b")
    await SIGN_ATTORNEY.verdict(
        gql, MAKEREGISTER, signed, 1, {"attorney": 0, "signedAt": AFTER_DONOR}, key="sign"
    )
    await ATTORNEY_OPT_OUT.verdict(gql, MAKEREGISTER, twice, 1, {"attorney": 0}, key="out")

    after_signing = await ATTORNEY_OPT_OUT.verdict(
        gql, MAKEREGISTER, signed, 2, {"attorney": 0}, key="after-signing"
    )
    second = await ATTORNEY_OPT_OUT.verdict(
        gql, MAKEREGISTER, twice, 2, {"attorney": 0}, key="second"
    )

    assert after_signing == refused(signed, ("/attorneys/0/signedAt", "ALREADY_SIGNED"))
    assert second == refused(twice, ("/attorneys/0", "ALREADY_OPTED_OUT"))


async def test_an_attorney_opt_out_for_a_position_that_does_not_exist_is_not_found(
    gql: Any,
) -> None:
    uid = await create_lpa(gql)
    result = await ATTORNEY_OPT_OUT.verdict(gql, MAKEREGISTER, uid, 1, {"attorney": 3})
    assert result == refused(uid, ("/input/attorney", "NOT_FOUND"))


# --- withdrawal and the status guards ------------------------------------------------------------


async def test_a_withdrawn_lpa_cannot_be_withdrawn_again_or_signed(
    gql: Any, app: Starlette
) -> None:
    uid = await create_lpa(gql)
    await WITHDRAW_LPA.verdict(gql, MAKEREGISTER, uid, 1, key="withdraw")
    assert (await lpa_row(app, uid))["status"] == "withdrawn"

    again = await WITHDRAW_LPA.verdict(gql, MAKEREGISTER, uid, 2, key="again")
    sign = await SIGN_CERTIFICATE_PROVIDER.verdict(
        gql, MAKEREGISTER, uid, 2, {"signedAt": AFTER_DONOR}
    )

    assert again == sign == refused(uid, ("/status", "NOT_ALLOWED_IN_STATUS"))


async def test_an_lpa_that_cannot_register_cannot_be_withdrawn(gql: Any) -> None:
    uid = await create_lpa(gql)
    await CERTIFICATE_PROVIDER_OPT_OUT.verdict(gql, MAKEREGISTER, uid, 1, key="out")

    result = await WITHDRAW_LPA.verdict(gql, MAKEREGISTER, uid, 2)

    assert result == refused(uid, ("/status", "NOT_ALLOWED_IN_STATUS"))


async def test_a_registered_lpa_answers_lpa_registered(gql: Any) -> None:
    uid, version = await registered_lpa(gql)

    withdraw = await WITHDRAW_LPA.verdict(gql, MAKEREGISTER, uid, version, key="w")
    opt_out = await ATTORNEY_OPT_OUT.verdict(gql, MAKEREGISTER, uid, version, {"attorney": 0})

    assert withdraw == refused(uid, ("/status", "LPA_REGISTERED"))
    assert opt_out == refused(
        uid, ("/attorneys/0/signedAt", "ALREADY_SIGNED"), ("/status", "LPA_REGISTERED")
    )
