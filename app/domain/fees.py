"""What an LPA costs, in pence.

Amounts come only from the effective-dated rows of the `fees` table, handed in as
`schedule`: a fee change (such as November 2025's) is a new row there, never a code change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from .enums import FeeDecisionOutcome, FeeType
from .records import FeeRate, FeeReductionDecision, FeeReductionRequest, Payment

REDUCTIONS = frozenset({FeeType.HALF, FeeType.QUARTER, FeeType.EXEMPTION, FeeType.HARDSHIP})
# Outcomes that close a request; MORE_EVIDENCE_REQUIRED leaves it open.
FINAL = frozenset({FeeDecisionOutcome.APPROVED, FeeDecisionOutcome.DECLINED})


class NoFeeOnDate(LookupError):
    """The schedule has no row for this fee type in effect on that date."""


def fee_amount(schedule: Sequence[FeeRate], fee_type: FeeType, on: date) -> int:
    """The amount of the row for `fee_type` with the latest `effective_from` on or before `on`."""
    in_effect = [r for r in schedule if r.fee_type == fee_type and r.effective_from <= on]
    if not in_effect:
        raise NoFeeOnDate(f"no {fee_type.value} fee in effect on {on.isoformat()}")
    return max(in_effect, key=lambda r: r.effective_from).amount_pence


def fee_due(
    schedule: Sequence[FeeRate],
    on: date,
    requests: Sequence[FeeReductionRequest],
    decisions: Sequence[FeeReductionDecision],
    payments: Sequence[Payment],
) -> int:
    """The full fee, or the approved reduction's if the latest decided request was approved,
    less what has been paid; never below 0."""
    fee_type = FeeType.FULL
    for request in reversed(oldest_first(requests)):
        decision = final_decision(request, decisions)
        if decision is not None:
            if decision.outcome is FeeDecisionOutcome.APPROVED and decision.approved_type:
                fee_type = decision.approved_type
            break
    paid = sum(p.amount_pence for p in payments)
    return max(0, fee_amount(schedule, fee_type, on) - paid)


def oldest_first(requests: Sequence[FeeReductionRequest]) -> list[FeeReductionRequest]:
    # sorted() is stable: of two requests made at the same instant, the later given is later
    return sorted(requests, key=lambda r: r.requested_at)


def latest_decision(
    request: FeeReductionRequest, decisions: Sequence[FeeReductionDecision]
) -> FeeReductionDecision | None:
    own = [d for d in decisions if d.request_id == request.id]
    return sorted(own, key=lambda d: d.decided_at)[-1] if own else None


def final_decision(
    request: FeeReductionRequest, decisions: Sequence[FeeReductionDecision]
) -> FeeReductionDecision | None:
    """The decision that closed `request`, or None while it is still open."""
    latest = latest_decision(request, decisions)
    return latest if latest is not None and latest.outcome in FINAL else None
