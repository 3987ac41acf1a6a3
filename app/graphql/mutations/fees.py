"""Fee mutations: the online service requests a reduction and records payments; a caseworker
decides the latest reduction request."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.changes.fee_reductions import DecideFeeReduction, RequestFeeReduction
from app.domain.changes.payments import RecordPayment

from ..context import RequestContext
from ..enums import EvidenceDelivery, FeeDecisionOutcome, FeeType
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_change

Info = strawberry.Info[RequestContext, None]


@strawberry.input
class RequestFeeReductionInput:
    type: FeeType = strawberry.field(description="The reduction asked for; FULL is refused.")
    evidence_delivery: EvidenceDelivery
    previous_application_number: str | None = strawberry.field(
        default=None,
        description="Required for QUARTER (a repeat application), else absent. At most 32 "
        "characters.",
    )


@strawberry.input
class DecideFeeReductionInput:
    outcome: FeeDecisionOutcome
    approved_type: FeeType | None = strawberry.field(
        default=None, description="Required if APPROVED, else absent."
    )


@strawberry.input
class RecordPaymentInput:
    amount_pence: int = strawberry.field(description="More than 0.")
    reference: str = strawberry.field(description="1 to 64 characters.")
    paid_at: datetime


async def request_fee_reduction(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: RequestFeeReductionInput,
    idempotency_key: str,
) -> MutationResult:
    change = RequestFeeReduction(
        input.type, input.evidence_delivery, input.previous_application_number
    )
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def decide_fee_reduction(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: DecideFeeReductionInput,
    idempotency_key: str,
) -> MutationResult:
    change = DecideFeeReduction(input.outcome, input.approved_type)
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def record_payment(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: RecordPaymentInput,
    idempotency_key: str,
) -> MutationResult:
    change = RecordPayment(input.amount_pence, input.reference, input.paid_at)
    return await run_change(info, uid, expected_version, change, idempotency_key)
