"""Questions about an LPA that answer verdicts, never its values: whether it is valid, ready
for the statutory waiting period, or has a fee reduction ready for a decision. Each answers
null when the LPA is unknown or not visible to the caller. They read the same records as the
changes do."""

from __future__ import annotations

import strawberry

from app.domain.enums import LpaStatus
from app.domain.fee_readiness import fee_reduction_ready
from app.domain.readiness import registration_problems
from app.domain.records import Lpa

from .context import RequestContext
from .results import Problem, Validity
from .scalars import LpaUid

Info = strawberry.Info[RequestContext, None]


async def _load(info: Info, uid: str) -> Lpa | None:
    ctx = info.context
    lpa = await ctx.repository.record(uid)
    if lpa is not None:
        ctx.touched_uids.add(uid)
    return lpa


async def validate_lpa(info: Info, uid: LpaUid) -> Validity | None:
    """Whether the LPA could be registered, and if not, why: problem codes and JSON pointers,
    never values. Null when the LPA is unknown or not visible to the caller."""
    lpa = await _load(info, uid)
    if lpa is None:
        return None
    problems = registration_problems(lpa, info.context.now().date())
    return Validity(valid=not problems, problems=[Problem.of(p) for p in problems])


async def ready_for_statutory_waiting_period(info: Info, uid: LpaUid) -> bool | None:
    """True when the LPA is in progress, keeps every rule, and everyone has signed."""
    lpa = await _load(info, uid)
    if lpa is None:
        return None
    return lpa.status is LpaStatus.IN_PROGRESS and not registration_problems(
        lpa, info.context.now().date()
    )


async def fee_reduction_ready_for_decision(info: Info, uid: LpaUid) -> bool | None:
    """True when a fee reduction was requested, is complete, and awaits a decision."""
    lpa = await _load(info, uid)
    if lpa is None or lpa.id is None:
        return None
    case = await info.context.repository.case_file(lpa.id)
    return fee_reduction_ready(case.fee_reduction_requests, case.fee_reduction_decisions)
