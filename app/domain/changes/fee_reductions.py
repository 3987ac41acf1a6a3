"""Fee reductions: the online service requests one, a caseworker decides the latest request.

A request stays open until a decision approves or declines it; asking for more evidence
leaves it open. Only one request may be open at a time.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..enums import EvidenceDelivery, FeeDecisionOutcome, FeeType
from ..fees import REDUCTIONS, final_decision, oldest_first
from ..problems import Problem
from ..state import LpaChange, LpaState, Outcome
from ..status import OPEN, require

NOT_A_REDUCTION = "NOT_A_REDUCTION"
FEE_REDUCTION_PENDING = "FEE_REDUCTION_PENDING"
NO_FEE_REDUCTION_REQUEST = "NO_FEE_REDUCTION_REQUEST"
ALREADY_DECIDED = "ALREADY_DECIDED"
REQUIRED = "REQUIRED"
NOT_ALLOWED = "NOT_ALLOWED"
TOO_LONG = "TOO_LONG"
MAX_APPLICATION_NUMBER_LENGTH = 32
NEEDS = ("fee_reduction_requests", "fee_reduction_decisions")
REQUESTS = "/feeReductionRequests"


def request_fee_reduction(
    state: LpaState,
    requested_type: FeeType,
    evidence_delivery: EvidenceDelivery,
    previous_application_number: str | None,
    now: datetime,
) -> Outcome:
    problems = require(state.status, OPEN)
    if requested_type not in REDUCTIONS:
        problems.append(Problem("/input/type", NOT_A_REDUCTION))
    # A blank application number is no application number.
    number = (previous_application_number or "").strip() or None
    problems += _application_number_problems(requested_type, number)
    requests = oldest_first(state.related["fee_reduction_requests"])
    if requests and _is_open(state, requests[-1]):
        problems.append(Problem(f"{REQUESTS}/{len(requests) - 1}", FEE_REDUCTION_PENDING))
    if problems:
        return sorted(set(problems))
    request = {
        "id": uuid.uuid4(),
        "lpa_id": state.lpa["id"],
        "requested_type": requested_type,
        "evidence_delivery": evidence_delivery,
        "previous_application_number": number,
        "requested_at": now,
    }
    return LpaChange("FEE_REDUCTION_REQUEST", added=[("fee_reduction_requests", request)])


def decide_fee_reduction(
    state: LpaState,
    outcome: FeeDecisionOutcome,
    approved_type: FeeType | None,
    now: datetime,
    author: str,
) -> Outcome:
    problems = require(state.status, OPEN)
    if outcome is FeeDecisionOutcome.APPROVED:
        if approved_type is None:
            problems.append(Problem("/input/approvedType", REQUIRED))
        elif approved_type not in REDUCTIONS:
            problems.append(Problem("/input/approvedType", NOT_A_REDUCTION))
    elif approved_type is not None:
        problems.append(Problem("/input/approvedType", NOT_ALLOWED))
    requests = oldest_first(state.related["fee_reduction_requests"])
    if not requests:
        problems.append(Problem(REQUESTS, NO_FEE_REDUCTION_REQUEST))
    elif not _is_open(state, requests[-1]):
        problems.append(Problem(f"{REQUESTS}/{len(requests) - 1}", ALREADY_DECIDED))
    if problems:
        return sorted(set(problems))
    decision = {
        "request_id": requests[-1]["id"],
        "outcome": outcome,
        "approved_type": approved_type,
        "decided_at": now,
        "decided_by": author,
    }
    return LpaChange("FEE_REDUCTION_DECISION", added=[("fee_reduction_decisions", decision)])


def _application_number_problems(requested_type: FeeType, number: str | None) -> list[Problem]:
    """Only a repeat application (quarter fee) names the application it repeats."""
    at = "/input/previousApplicationNumber"
    if requested_type is FeeType.QUARTER and number is None:
        return [Problem(at, REQUIRED)]
    if requested_type is not FeeType.QUARTER and number is not None:
        return [Problem(at, NOT_ALLOWED)]
    if number is not None and len(number) > MAX_APPLICATION_NUMBER_LENGTH:
        return [Problem(at, TOO_LONG)]
    return []


def _is_open(state: LpaState, request: Mapping[str, Any]) -> bool:
    return final_decision(request, state.related["fee_reduction_decisions"]) is None
