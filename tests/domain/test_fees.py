"""Fees: an effective-dated lookup, and what is still due. Amounts come only from the rows."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.enums import EvidenceDelivery, FeeDecisionOutcome, FeeType
from app.domain.fees import NoFeeOnDate, fee_amount, fee_due
from app.domain.records import FeeRate, FeeReductionDecision, FeeReductionRequest, Payment

F = FeeType
D = FeeDecisionOutcome
CHANGE = date(2025, 11, 17)
BEFORE = CHANGE - timedelta(days=1)
FIRST = date(2013, 7, 1)

# The rows the initial migration seeds.
SCHEDULE = [
    FeeRate(fee_type=t, amount_pence=pence, effective_from=day)
    for t, pence, day in [
        (F.FULL, 8200, FIRST),
        (F.HALF, 4100, FIRST),
        (F.QUARTER, 2050, FIRST),
        (F.EXEMPTION, 0, FIRST),
        (F.HARDSHIP, 0, FIRST),
        (F.FULL, 9200, CHANGE),
        (F.HALF, 4600, CHANGE),
        (F.QUARTER, 2300, CHANGE),
    ]
]


@pytest.mark.parametrize(
    ("fee_type", "before", "on_the_day"),
    [
        (F.FULL, 8200, 9200),
        (F.HALF, 4100, 4600),
        (F.QUARTER, 2050, 2300),
        (F.EXEMPTION, 0, 0),
        (F.HARDSHIP, 0, 0),
    ],
)
def test_the_day_before_and_the_day_of_the_november_2025_change(
    fee_type: FeeType, before: int, on_the_day: int
) -> None:
    assert fee_amount(SCHEDULE, fee_type, BEFORE) == before
    assert fee_amount(SCHEDULE, fee_type, CHANGE) == on_the_day
    assert fee_amount(SCHEDULE, fee_type, date(2040, 1, 1)) == on_the_day


def test_the_first_row_is_in_effect_from_its_own_day() -> None:
    assert fee_amount(SCHEDULE, F.FULL, FIRST) == 8200


def test_a_date_before_the_first_row_is_an_error() -> None:
    with pytest.raises(NoFeeOnDate):
        fee_amount(SCHEDULE, F.FULL, FIRST - timedelta(days=1))


def test_a_fee_type_without_rows_is_an_error() -> None:
    only_full = [r for r in SCHEDULE if r.fee_type is F.FULL]
    with pytest.raises(NoFeeOnDate):
        fee_amount(only_full, F.HALF, CHANGE)


def test_row_order_does_not_matter() -> None:
    shuffled = SCHEDULE[::-1]
    assert fee_amount(shuffled, F.FULL, BEFORE) == 8200
    assert fee_amount(shuffled, F.FULL, CHANGE) == 9200


def test_a_later_change_is_only_a_new_row() -> None:
    later = date(2028, 4, 1)
    schedule = [*SCHEDULE, FeeRate(fee_type=F.FULL, amount_pence=10150, effective_from=later)]
    assert fee_amount(schedule, F.FULL, later - timedelta(days=1)) == 9200
    assert fee_amount(schedule, F.FULL, later) == 10150


T0 = datetime(2026, 1, 1, tzinfo=UTC)


def request(minutes: int, fee_type: FeeType = F.HALF) -> FeeReductionRequest:
    return FeeReductionRequest(
        id=uuid.uuid4(),
        requested_type=fee_type,
        evidence_delivery=EvidenceDelivery.UPLOAD,
        previous_application_number=None,
        requested_at=T0 + timedelta(minutes=minutes),
    )


def decision(
    of: FeeReductionRequest,
    minutes: int,
    outcome: FeeDecisionOutcome,
    approved: FeeType | None = None,
) -> FeeReductionDecision:
    return FeeReductionDecision(
        request_id=of.id,
        outcome=outcome,
        approved_type=approved,
        decided_at=T0 + timedelta(minutes=minutes),
        decided_by="caseworker",
    )


def paid(*amounts: int) -> list[Payment]:
    return [Payment(id=uuid.uuid4(), amount_pence=a, reference="R", paid_at=T0) for a in amounts]


def test_no_request_and_no_payment_owes_the_full_fee_of_the_day() -> None:
    assert fee_due(SCHEDULE, BEFORE, [], [], []) == 8200
    assert fee_due(SCHEDULE, CHANGE, [], [], []) == 9200


def test_payments_reduce_what_is_due_but_never_below_zero() -> None:
    assert fee_due(SCHEDULE, CHANGE, [], [], paid(4000, 200)) == 5000
    assert fee_due(SCHEDULE, CHANGE, [], [], paid(9200)) == 0
    assert fee_due(SCHEDULE, CHANGE, [], [], paid(10000)) == 0


def test_an_approved_reduction_owes_the_approved_type_not_the_requested_one() -> None:
    asked = request(0, F.EXEMPTION)
    decided = [decision(asked, 5, D.APPROVED, F.HALF)]
    assert fee_due(SCHEDULE, BEFORE, [asked], decided, []) == 4100
    assert fee_due(SCHEDULE, CHANGE, [asked], decided, paid(600)) == 4000


@pytest.mark.parametrize("outcome", [D.DECLINED, D.MORE_EVIDENCE_REQUIRED])
def test_a_declined_or_open_request_owes_the_full_fee(outcome: FeeDecisionOutcome) -> None:
    asked = request(0)
    assert fee_due(SCHEDULE, CHANGE, [asked], [decision(asked, 5, outcome)], []) == 9200
    assert fee_due(SCHEDULE, CHANGE, [asked], [], []) == 9200


def test_approval_after_asking_for_more_evidence_counts() -> None:
    asked = request(0)
    decided = [
        decision(asked, 5, D.MORE_EVIDENCE_REQUIRED),
        decision(asked, 9, D.APPROVED, F.QUARTER),
    ]
    assert fee_due(SCHEDULE, CHANGE, [asked], decided, []) == 2300


def test_the_latest_decided_request_wins() -> None:
    first, second = request(0), request(60, F.EXEMPTION)
    approved_then_declined = [
        decision(first, 5, D.APPROVED, F.HALF),
        decision(second, 65, D.DECLINED),
    ]
    assert fee_due(SCHEDULE, CHANGE, [second, first], approved_then_declined, []) == 9200


def test_a_later_request_still_open_leaves_the_earlier_approval_in_force() -> None:
    first, second = request(0), request(60, F.EXEMPTION)
    decided = [
        decision(first, 5, D.APPROVED, F.HALF),
        decision(second, 65, D.MORE_EVIDENCE_REQUIRED),
    ]
    assert fee_due(SCHEDULE, CHANGE, [first, second], decided, []) == 4600
