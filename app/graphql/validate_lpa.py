from __future__ import annotations

import strawberry

from app.db.lpa_reads import people_of, visible_lpa
from app.domain.readiness import registration_problems

from .context import RequestContext
from .results import Problem, Validity
from .scalars import LpaUid


async def validate_lpa(info: strawberry.Info[RequestContext, None], uid: LpaUid) -> Validity | None:
    """Whether the LPA could be registered, and if not, why: problem codes and JSON pointers,
    never values. Null when the LPA is unknown or not visible to the caller."""
    ctx = info.context
    async with ctx.engine.connect() as conn:
        lpa = await visible_lpa(conn, uid, ctx.rows, ctx.identity.client)
        if lpa is None:
            return None
        people = await people_of(conn, [lpa.id])
    ctx.touched_uids.add(uid)
    rows = [dict(p._mapping) for p in people]
    problems = registration_problems(dict(lpa._mapping), rows, ctx.now().date())
    return Validity(valid=not problems, problems=[Problem.of(p) for p in problems])
