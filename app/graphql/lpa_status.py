from __future__ import annotations

import strawberry

from app.domain.enums import LpaStatus as Status

from .context import RequestContext
from .results import LpaStatus
from .scalars import LpaUid

VISIBLE = frozenset({Status.REGISTERED, Status.CANCELLED})


async def lpa_status(info: strawberry.Info[RequestContext, None], uid: LpaUid) -> LpaStatus | None:
    """Status flags of a registered or cancelled LPA. Null for anything else: unknown, not
    visible to the caller, or not (yet) registered all look the same."""
    row = await info.context.repository.status(uid)
    if row is None or row["status"] not in VISIBLE:
        return None
    info.context.touched_uids.add(uid)
    return LpaStatus(
        is_registered=row["status"] is Status.REGISTERED,
        is_cancelled=row["status"] is Status.CANCELLED,
        has_restrictions_and_conditions=bool(row["restrictions_and_conditions"]),
        lpa_type=row["lpa_type"],
        registration_date=row["registration_date"],
    )
