"""Questions about an LPA that answer verdicts, never its values: whether it is valid, ready
for the statutory waiting period, or has a fee reduction ready for a decision. Each answers
null when the LPA is unknown or not visible to the caller."""

from __future__ import annotations

from typing import Any

import strawberry

from app.db.lpa_reads import lpa_with_people, related_rows
from app.domain.enums import LpaStatus
from app.domain.fee_readiness import fee_reduction_ready
from app.domain.readiness import registration_problems

from .context import RequestContext
from .results import Problem, Validity
from .scalars import LpaUid

Info = strawberry.Info[RequestContext, None]


async def _load(info: Info, uid: str, needs: tuple[str, ...] = ()) -> dict[str, Any] | None:
    ctx = info.context
    found = await lpa_with_people(ctx.statements, uid, ctx.rows, ctx.identity.client)
    if found is None:
        return None
    lpa, people = found
    related: dict[str, Any] = {}
    if needs:
        async with ctx.reads.connect() as conn:
            related = await related_rows(conn, lpa["id"], needs)
    ctx.touched_uids.add(uid)
    return {"lpa": lpa, "people": people, **related}


async def validate_lpa(info: Info, uid: LpaUid) -> Validity | None:
    """Whether the LPA could be registered, and if not, why: problem codes and JSON pointers,
    never values. Null when the LPA is unknown or not visible to the caller."""
    loaded = await _load(info, uid)
    if loaded is None:
        return None
    problems = registration_problems(loaded["lpa"], loaded["people"], info.context.now().date())
    return Validity(valid=not problems, problems=[Problem.of(p) for p in problems])


async def ready_for_statutory_waiting_period(info: Info, uid: LpaUid) -> bool | None:
    """True when the LPA is in progress, keeps every rule, and everyone has signed."""
    loaded = await _load(info, uid)
    if loaded is None:
        return None
    lpa, today = loaded["lpa"], info.context.now().date()
    return lpa["status"] is LpaStatus.IN_PROGRESS and not registration_problems(
        lpa, loaded["people"], today
    )


async def fee_reduction_ready_for_decision(info: Info, uid: LpaUid) -> bool | None:
    """True when a fee reduction was requested, is complete, and awaits a decision."""
    loaded = await _load(info, uid, ("fee_reduction_requests", "fee_reduction_decisions"))
    if loaded is None:
        return None
    return fee_reduction_ready(loaded["fee_reduction_requests"], loaded["fee_reduction_decisions"])
