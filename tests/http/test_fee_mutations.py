"""requestFeeReduction (online service) and decideFeeReduction (caseworkers) over HTTP:
allowed calls and denied twins, every refusal with its breaking input and valid twin, limits at
the limit and one past it, history and outbox rows, and the fee due that follows."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from starlette.applications import Starlette

from app.db.fees import fee_schedule
from app.db.mapping import fee_decision_of, fee_request_of, payment_of
from app.db.models import FeeReductionDecision, FeeReductionRequest
from app.db.repository.reads import related_rows
from app.domain.fees import fee_due
from tests.factories import SUBS
from tests.updates import (
    DECIDE_FEE_REDUCTION,
    MAKEREGISTER,
    RECORD_PAYMENT,
    REQUEST_FEE_REDUCTION,
    SIRIUS,
    USE,
    WITHDRAW_LPA,
    accepted,
    assert_recorded,
    counts,
    create_lpa,
    lpa_row,
    refused,
    registered_lpa,
    rows_of,
)

pytestmark = pytest.mark.anyio

APPLICATION_NUMBER = "M-7890-0400-4000"
PENDING_AT = "/feeReductionRequests/0"


def reduction(fee_type: str = "HALF", **overrides: Any) -> dict[str, Any]:
    return {"type": fee_type, "evidenceDelivery": "UPLOAD", **overrides}


def repeat(number: str = APPLICATION_NUMBER) -> dict[str, Any]:
    return reduction("QUARTER", evidenceDelivery="POST", previousApplicationNumber=number)


APPROVE_HALF = {"outcome": "APPROVED", "approvedType": "HALF"}
DECLINE = {"outcome": "DECLINED"}
MORE_EVIDENCE = {"outcome": "MORE_EVIDENCE_REQUIRED"}


async def requested(gql: Any, input: dict[str, Any] | None = None) -> str:
    """An LPA of the online service with one undecided request, at version 2."""
    uid = await create_lpa(gql)
    result = await REQUEST_FEE_REDUCTION.verdict(
        gql, MAKEREGISTER, uid, 1, input or reduction(), key="request"
    )
    assert result == accepted(uid, 2)
    return uid


async def decide(gql: Any, uid: str, version: int, input: dict[str, Any]) -> dict[str, Any]:
    return await DECIDE_FEE_REDUCTION.verdict(gql, SIRIUS, uid, version, input, key=f"d{version}")


# --- requestFeeReduction -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "input",
    [reduction("HALF"), reduction("EXEMPTION"), reduction("HARDSHIP", evidenceDelivery="POST")],
    ids=["half", "exemption", "hardship"],
)
async def test_a_reduction_request_is_added_with_history_and_outbox(
    gql: Any, app: Starlette, input: dict[str, Any]
) -> None:
    uid = await create_lpa(gql)

    response = await REQUEST_FEE_REDUCTION.send(gql, MAKEREGISTER, uid, 1, input)

    assert response.json() == {"data": {"requestFeeReduction": accepted(uid, 2)}}
    [request] = await rows_of(app, FeeReductionRequest)
    assert request["lpa_id"] == (await lpa_row(app, uid))["id"]
    assert request["requested_type"] == input["type"].lower()
    assert request["evidence_delivery"] == input["evidenceDelivery"].lower()
    assert request["previous_application_number"] is None
    assert request["requested_at"] is not None
    change = await assert_recorded(app, uid, 2, "FEE_REDUCTION_REQUEST")
    assert [f["field"] for f in change["fields"]] == ["/feeReductionRequests/-"]


async def test_a_repeat_application_names_the_previous_one_and_it_is_not_echoed(
    gql: Any, app: Starlette
) -> None:
    uid = await create_lpa(gql)

    response = await REQUEST_FEE_REDUCTION.send(gql, MAKEREGISTER, uid, 1, repeat())

    assert response.json() == {"data": {"requestFeeReduction": accepted(uid, 2)}}
    assert APPLICATION_NUMBER not in response.text
    [request] = await rows_of(app, FeeReductionRequest)
    assert request["previous_application_number"] == APPLICATION_NUMBER


@pytest.mark.parametrize(
    ("input", "problem"),
    [
        (reduction("FULL"), ("/input/type", "NOT_A_REDUCTION")),
        (reduction("QUARTER"), ("/input/previousApplicationNumber", "REQUIRED")),
        (repeat(""), ("/input/previousApplicationNumber", "REQUIRED")),
        (
            reduction("HALF", previousApplicationNumber=APPLICATION_NUMBER),
            ("/input/previousApplicationNumber", "NOT_ALLOWED"),
        ),
    ],
    ids=["full", "quarter-without-number", "quarter-empty-number", "half-with-number"],
)
async def test_a_request_breaking_a_rule_is_refused_and_not_written(
    gql: Any, app: Starlette, input: dict[str, Any], problem: tuple[str, str]
) -> None:
    uid = await create_lpa(gql)

    result = await REQUEST_FEE_REDUCTION.verdict(gql, MAKEREGISTER, uid, 1, input)

    assert result == refused(uid, problem)
    assert await rows_of(app, FeeReductionRequest) == []


@pytest.mark.parametrize("number", ["A", "A" * 32], ids=["number-1", "number-32"])
async def test_an_application_number_at_each_limit_is_accepted(gql: Any, number: str) -> None:
    uid = await create_lpa(gql)
    result = await REQUEST_FEE_REDUCTION.verdict(gql, MAKEREGISTER, uid, 1, repeat(number))
    assert result == accepted(uid, 2)


async def test_a_second_request_waits_until_the_first_is_decided(gql: Any, app: Starlette) -> None:
    uid = await requested(gql)

    undecided = await REQUEST_FEE_REDUCTION.verdict(gql, MAKEREGISTER, uid, 2, reduction(), key="a")
    await decide(gql, uid, 2, MORE_EVIDENCE)
    more_evidence = await REQUEST_FEE_REDUCTION.verdict(
        gql, MAKEREGISTER, uid, 3, reduction(), key="b"
    )
    await decide(gql, uid, 3, DECLINE)
    declined = await REQUEST_FEE_REDUCTION.verdict(
        gql, MAKEREGISTER, uid, 4, reduction("EXEMPTION"), key="c"
    )

    assert undecided == refused(uid, (PENDING_AT, "FEE_REDUCTION_PENDING"))
    assert more_evidence == refused(uid, (PENDING_AT, "FEE_REDUCTION_PENDING"))
    assert declined == accepted(uid, 5)
    assert len(await rows_of(app, FeeReductionRequest)) == 2


# --- decideFeeReduction ------------------------------------------------------------------------


async def test_a_caseworker_approves_the_request_as_the_author(gql: Any, app: Starlette) -> None:
    uid = await requested(gql, reduction("EXEMPTION"))

    response = await DECIDE_FEE_REDUCTION.send(gql, SIRIUS, uid, 2, APPROVE_HALF)

    assert response.json() == {"data": {"decideFeeReduction": accepted(uid, 3)}}
    [request] = await rows_of(app, FeeReductionRequest)
    [decision] = await rows_of(app, FeeReductionDecision)
    assert decision["request_id"] == request["id"]
    assert (decision["outcome"], decision["approved_type"]) == ("approved", "half")
    assert decision["decided_by"] == SUBS[SIRIUS]
    change = await assert_recorded(app, uid, 3, "FEE_REDUCTION_DECISION", client=SIRIUS)
    assert [f["field"] for f in change["fields"]] == ["/feeReductionDecisions/-"]


async def test_more_evidence_leaves_the_request_open_for_a_decision(
    gql: Any, app: Starlette
) -> None:
    uid = await requested(gql)

    assert await decide(gql, uid, 2, MORE_EVIDENCE) == accepted(uid, 3)
    assert await decide(gql, uid, 3, MORE_EVIDENCE) == accepted(uid, 4)
    assert await decide(gql, uid, 4, APPROVE_HALF) == accepted(uid, 5)
    outcomes = [d["outcome"] for d in await rows_of(app, FeeReductionDecision)]
    assert sorted(outcomes) == ["approved", "more-evidence-required", "more-evidence-required"]


@pytest.mark.parametrize("first", [APPROVE_HALF, DECLINE], ids=["approved", "declined"])
async def test_an_approved_or_declined_request_is_already_decided(
    gql: Any, app: Starlette, first: dict[str, Any]
) -> None:
    uid = await requested(gql)
    await decide(gql, uid, 2, first)

    again = await decide(gql, uid, 3, APPROVE_HALF)

    assert again == refused(uid, (PENDING_AT, "ALREADY_DECIDED"))
    assert len(await rows_of(app, FeeReductionDecision)) == 1


async def test_only_the_latest_request_is_decided(gql: Any, app: Starlette) -> None:
    uid = await requested(gql)
    await decide(gql, uid, 2, DECLINE)
    await REQUEST_FEE_REDUCTION.verdict(gql, MAKEREGISTER, uid, 3, reduction("HARDSHIP"), key="2")

    assert await decide(gql, uid, 4, APPROVE_HALF) == accepted(uid, 5)
    requests = {r["id"]: r["requested_type"] for r in await rows_of(app, FeeReductionRequest)}
    decided = {
        requests[d["request_id"]]: d["outcome"] for d in await rows_of(app, FeeReductionDecision)
    }
    assert decided == {"half": "declined", "hardship": "approved"}


async def test_no_request_means_nothing_to_decide(gql: Any, app: Starlette) -> None:
    uid = await create_lpa(gql)

    result = await decide(gql, uid, 1, APPROVE_HALF)

    assert result == refused(uid, ("/feeReductionRequests", "NO_FEE_REDUCTION_REQUEST"))
    assert await rows_of(app, FeeReductionDecision) == []


@pytest.mark.parametrize(
    ("input", "problem"),
    [
        ({"outcome": "APPROVED"}, ("/input/approvedType", "REQUIRED")),
        (
            {"outcome": "APPROVED", "approvedType": "FULL"},
            ("/input/approvedType", "NOT_A_REDUCTION"),
        ),
        ({"outcome": "DECLINED", "approvedType": "HALF"}, ("/input/approvedType", "NOT_ALLOWED")),
        (
            {"outcome": "MORE_EVIDENCE_REQUIRED", "approvedType": "HALF"},
            ("/input/approvedType", "NOT_ALLOWED"),
        ),
    ],
    ids=["approved-without-type", "approved-full", "declined-with-type", "more-evidence-with-type"],
)
async def test_the_approved_type_is_required_iff_approved_and_a_reduction(
    gql: Any, app: Starlette, input: dict[str, Any], problem: tuple[str, str]
) -> None:
    uid = await requested(gql)

    result = await decide(gql, uid, 2, input)

    assert result == refused(uid, problem)
    assert await rows_of(app, FeeReductionDecision) == []


@pytest.mark.parametrize("approved", ["HALF", "QUARTER", "EXEMPTION", "HARDSHIP"])
async def test_any_reduction_type_may_be_approved(gql: Any, approved: str) -> None:
    uid = await requested(gql)
    result = await decide(gql, uid, 2, {"outcome": "APPROVED", "approvedType": approved})
    assert result == accepted(uid, 3)


async def test_the_fee_due_follows_the_decision_and_payments(gql: Any, app: Starlette) -> None:
    uid = await requested(gql, reduction("EXEMPTION"))
    await decide(gql, uid, 2, APPROVE_HALF)
    payment = {"amountPence": 1000, "reference": "PAY-1", "paidAt": "2026-03-02T09:30:00Z"}
    await RECORD_PAYMENT.verdict(gql, MAKEREGISTER, uid, 3, payment, key="pay")

    lpa_id = (await lpa_row(app, uid))["id"]
    async with app.state.gateway.engine.connect() as conn:
        schedule = await fee_schedule(conn)
        related = await related_rows(
            conn, lpa_id, ("fee_reduction_requests", "fee_reduction_decisions", "payments")
        )
    due = fee_due(
        schedule,
        date(2026, 3, 2),
        [fee_request_of(r) for r in related["fee_reduction_requests"]],
        [fee_decision_of(d) for d in related["fee_reduction_decisions"]],
        [payment_of(p) for p in related["payments"]],
    )
    assert due == 4600 - 1000


# --- the contract every update keeps -----------------------------------------------------------


async def test_request_denied_twin(gql: Any, app: Starlette) -> None:
    uid = await create_lpa(gql)
    before = await counts(app)
    for client in (SIRIUS, USE):
        response = await REQUEST_FEE_REDUCTION.send(gql, client, uid, 1, reduction())
        assert response.status_code == 400
        assert {e["extensions"]["code"] for e in response.json()["errors"]} == {"BAD_USER_INPUT"}
    assert await counts(app) == before


async def test_decide_denied_twin(gql: Any, app: Starlette) -> None:
    uid = await requested(gql)
    before = await counts(app)
    for client in (MAKEREGISTER, USE):
        response = await DECIDE_FEE_REDUCTION.send(gql, client, uid, 2, APPROVE_HALF)
        assert response.status_code == 400
        assert {e["extensions"]["code"] for e in response.json()["errors"]} == {"BAD_USER_INPUT"}
    assert await counts(app) == before


async def test_stale_versions_are_conflicts(gql: Any, app: Starlette) -> None:
    uid = await requested(gql)
    before = await counts(app)

    request = await REQUEST_FEE_REDUCTION.verdict(gql, MAKEREGISTER, uid, 1, reduction(), key="s")
    decision = await decide(gql, uid, 1, APPROVE_HALF)

    assert request == decision == refused(uid, ("/expectedVersion", "CONFLICT"))
    # nothing but the two remembered answers
    assert await counts(app) == {**before, "idempotency_records": before["idempotency_records"] + 2}


async def test_retries_with_the_same_key_answer_the_same_and_write_nothing(
    gql: Any, app: Starlette
) -> None:
    uid = await create_lpa(gql)
    first_request = await REQUEST_FEE_REDUCTION.verdict(gql, MAKEREGISTER, uid, 1, reduction())
    first_decision = await decide(gql, uid, 2, APPROVE_HALF)
    before = await counts(app)

    request = await REQUEST_FEE_REDUCTION.verdict(gql, MAKEREGISTER, uid, 1, reduction())
    decision = await decide(gql, uid, 2, APPROVE_HALF)

    assert (request, decision) == (first_request, first_decision)
    assert (request, decision) == (accepted(uid, 2), accepted(uid, 3))
    assert await counts(app) == before


async def test_only_an_open_lpa_takes_requests_or_decisions(gql: Any) -> None:
    withdrawn = await requested(gql)
    await WITHDRAW_LPA.verdict(gql, MAKEREGISTER, withdrawn, 2, key="withdraw")
    registered, version = await registered_lpa(gql)

    decision = await decide(gql, withdrawn, 3, APPROVE_HALF)
    request = await REQUEST_FEE_REDUCTION.verdict(
        gql, MAKEREGISTER, registered, version, reduction()
    )

    assert decision == refused(withdrawn, ("/status", "NOT_ALLOWED_IN_STATUS"))
    assert request == refused(registered, ("/status", "LPA_REGISTERED"))
