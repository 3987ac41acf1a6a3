from __future__ import annotations

from datetime import date

import strawberry

from app.db.audit import ORACLE_LOCKOUT
from app.domain.identity import donor_matches

from .context import RequestContext
from .errors import BadUserInput, RateLimited
from .scalars import LpaUid

MAX_POSTCODE_LENGTH = 16


async def donor_identity_matches(
    info: strawberry.Info[RequestContext, None], uid: LpaUid, date_of_birth: date, postcode: str
) -> bool:
    """Whether this date of birth and postcode are the donor's. Unknown, not visible and
    mismatch all answer `false`, and each counts against a failure budget per (client, LPA):
    once it is spent the LPA answers RATE_LIMITED, even for the right answer, until the
    window ends."""
    ctx = info.context
    client, now = ctx.identity.client, ctx.now()
    if len(postcode) > MAX_POSTCODE_LENGTH:
        raise BadUserInput(f"postcode is at most {MAX_POSTCODE_LENGTH} characters")
    async with ctx.repository.oracle(ctx.budget) as attempt:
        budget = attempt.budget
        if await budget.spent(client, uid, now):
            raise RateLimited("Too many failed attempts for this LPA; try again later.")
        donor = await attempt.donor_identity(uid)
        if donor is not None and donor_matches(
            donor["date_of_birth"], donor["postcode"], date_of_birth, postcode
        ):
            ctx.touched_uids.add(uid)
            return True
        failures = await budget.fail(client, uid, now)
    if failures == budget.limit:  # written after the attempt's connection went back
        await ctx.repository.audit(
            {
                "occurred_at": now,
                "kind": ORACLE_LOCKOUT,
                "request_id": ctx.request_id,
                "client": client,
                "sub": ctx.identity.sub,
                "operation_name": None,
                "document_hash": None,
                "decision": "denied",
                "reason": "oracle-budget-spent",
                "lpa_uids": [uid],
                "duration_ms": 0.0,
            },
        )
    return False
