"""Identity confirmed, for the online service: the donor's or certificate provider's check."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.changes import identity

from ..context import RequestContext
from ..enums import IdentityActor, IdentityCheckType
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_update

Info = strawberry.Info[RequestContext, None]


@strawberry.input
class ConfirmIdentityInput:
    actor: IdentityActor
    type: IdentityCheckType
    checked_at: datetime


async def confirm_identity(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: ConfirmIdentityInput,
    idempotency_key: str,
) -> MutationResult:
    return await run_update(
        info,
        "confirmIdentity",
        uid=uid,
        expected_version=expected_version,
        payload=strawberry.asdict(input),
        idempotency_key=idempotency_key,
        decide=lambda state, now, _by: identity.confirm_identity(
            state, input.actor, input.type, input.checked_at, now
        ),
    )
