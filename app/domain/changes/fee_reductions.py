"""Fee reductions: the online service requests one, a caseworker decides the latest request.

A request stays open until a decision approves or declines it; asking for more evidence
leaves it open. Only one request may be open at a time.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from .. import caps
from ..change import Change, Outcome
from ..codes import ProblemCode
from ..enums import EvidenceDelivery, FeeDecisionOutcome, FeeType
from ..fees import REDUCTIONS, final_decision, oldest_first
from ..problems import Problem, pointer
from ..records import FeeReductionDecision, FeeReductionRequest, Lpa
from ..status import OPEN, require

REQUESTS = pointer("fee_reduction_requests")


@dataclass(frozen=True, slots=True)
class RequestFeeReduction(Change):
    operation: ClassVar[str] = "requestFeeReduction"
    event: ClassVar[str] = "FEE_REDUCTION_REQUEST"
    needs_case: ClassVar[bool] = True
    type: FeeType
    evidence_delivery: EvidenceDelivery
    previous_application_number: str | None = None

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, OPEN)
        if self.type not in REDUCTIONS:
            problems.append(Problem(pointer("input", "type"), ProblemCode.NOT_A_REDUCTION))
        # A blank application number is no application number.
        number = (self.previous_application_number or "").strip() or None
        problems += _application_number_problems(self.type, number)
        requests = oldest_first(lpa.case.fee_reduction_requests)
        if requests and _is_open(lpa, requests[-1]):
            problems.append(
                Problem(f"{REQUESTS}/{len(requests) - 1}", ProblemCode.FEE_REDUCTION_PENDING)
            )
        if problems:
            return sorted(set(problems))
        request = FeeReductionRequest(
            id=uuid.uuid4(),
            requested_type=self.type,
            evidence_delivery=self.evidence_delivery,
            previous_application_number=number,
            requested_at=now,
        )
        case = replace(lpa.case, fee_reduction_requests=(*lpa.case.fee_reduction_requests, request))
        return self.accept(replace(lpa, case=case))


@dataclass(frozen=True, slots=True)
class DecideFeeReduction(Change):
    operation: ClassVar[str] = "decideFeeReduction"
    event: ClassVar[str] = "FEE_REDUCTION_DECISION"
    needs_case: ClassVar[bool] = True
    outcome: FeeDecisionOutcome
    approved_type: FeeType | None = None

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, OPEN)
        at = pointer("input", "approved_type")
        if self.outcome is FeeDecisionOutcome.APPROVED:
            if self.approved_type is None:
                problems.append(Problem(at, ProblemCode.REQUIRED))
            elif self.approved_type not in REDUCTIONS:
                problems.append(Problem(at, ProblemCode.NOT_A_REDUCTION))
        elif self.approved_type is not None:
            problems.append(Problem(at, ProblemCode.NOT_ALLOWED))
        requests = oldest_first(lpa.case.fee_reduction_requests)
        if not requests:
            problems.append(Problem(REQUESTS, ProblemCode.NO_FEE_REDUCTION_REQUEST))
        elif not _is_open(lpa, requests[-1]):
            problems.append(Problem(f"{REQUESTS}/{len(requests) - 1}", ProblemCode.ALREADY_DECIDED))
        if problems:
            return sorted(set(problems))
        decision = FeeReductionDecision(
            request_id=requests[-1].id,
            outcome=self.outcome,
            approved_type=self.approved_type,
            decided_at=now,
            decided_by=actor,
        )
        case = replace(
            lpa.case, fee_reduction_decisions=(*lpa.case.fee_reduction_decisions, decision)
        )
        return self.accept(replace(lpa, case=case))


def _application_number_problems(requested_type: FeeType, number: str | None) -> list[Problem]:
    """Only a repeat application (quarter fee) names the application it repeats."""
    at = pointer("input", "previous_application_number")
    if requested_type is FeeType.QUARTER and number is None:
        return [Problem(at, ProblemCode.REQUIRED)]
    if requested_type is not FeeType.QUARTER and number is not None:
        return [Problem(at, ProblemCode.NOT_ALLOWED)]
    if number is not None and len(number) > caps.APPLICATION_NUMBER:
        return [Problem(at, ProblemCode.TOO_LONG)]
    return []


def _is_open(lpa: Lpa, request: FeeReductionRequest) -> bool:
    return final_decision(request, lpa.case.fee_reduction_decisions) is None
