from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from app.domain.enums import EvidenceDelivery, FeeDecisionOutcome, FeeType
from app.domain.fee_readiness import fee_reduction_ready
from app.domain.records import FeeReductionDecision, FeeReductionRequest

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def request(
    kind: FeeType = FeeType.HALF, previous: str | None = None, at: int = 0
) -> FeeReductionRequest:
    return FeeReductionRequest(
        id=uuid.uuid4(),
        requested_type=kind,
        evidence_delivery=EvidenceDelivery.POST,
        previous_application_number=previous,
        requested_at=T0 + timedelta(days=at),
    )


def decision(req: FeeReductionRequest, outcome: FeeDecisionOutcome) -> FeeReductionDecision:
    return FeeReductionDecision(
        request_id=req.id, outcome=outcome, approved_type=None, decided_at=T0, decided_by="cw"
    )


def test_nothing_requested_is_not_ready() -> None:
    assert fee_reduction_ready([], []) is False


def test_an_undecided_complete_request_is_ready() -> None:
    assert fee_reduction_ready([request()], []) is True


def test_a_quarter_fee_needs_the_previous_application() -> None:
    assert fee_reduction_ready([request(FeeType.QUARTER)], []) is False
    assert fee_reduction_ready([request(FeeType.QUARTER, "7000-0000-0054")], []) is True


def test_final_decisions_close_the_request_and_more_evidence_keeps_it_open() -> None:
    req = request()
    assert fee_reduction_ready([req], [decision(req, FeeDecisionOutcome.APPROVED)]) is False
    assert fee_reduction_ready([req], [decision(req, FeeDecisionOutcome.DECLINED)]) is False
    more = [decision(req, FeeDecisionOutcome.MORE_EVIDENCE_REQUIRED)]
    assert fee_reduction_ready([req], more) is True


def test_only_the_latest_request_counts() -> None:
    old, new = request(at=0), request(at=5)
    assert fee_reduction_ready([old, new], [decision(old, FeeDecisionOutcome.DECLINED)]) is True
