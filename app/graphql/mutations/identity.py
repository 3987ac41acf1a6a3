"""Identity confirmed, for the online service: the donor's or certificate provider's check."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.changes.identity import ConfirmIdentity

from ..context import RequestContext
from ..enums import IdentityActor, IdentityCheckType
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_change

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
    change = ConfirmIdentity(input.actor, input.type, input.checked_at)
    return await run_change(info, uid, expected_version, change, idempotency_key)
