"""Status mutations: opt-outs and withdrawal (online service); the statutory waiting period,
registration and direct status changes (caseworkers)."""

from __future__ import annotations

import strawberry

from app.domain.changes import lifecycle

from ..context import RequestContext
from ..enums import LpaStatusCode
from ..plain import plain
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_update

Info = strawberry.Info[RequestContext, None]


@strawberry.input
class AttorneyOptOutInput:
    attorney: int = strawberry.field(description="Position of the attorney, from 0.")


@strawberry.input
class ChangeStatusInput:
    status: LpaStatusCode


async def certificate_provider_opt_out(
    info: Info, uid: LpaUid, expected_version: int, idempotency_key: str
) -> MutationResult:
    return await run_update(
        info,
        "certificateProviderOptOut",
        uid=uid,
        expected_version=expected_version,
        payload=None,
        idempotency_key=idempotency_key,
        decide=lambda state, now, _by: lifecycle.certificate_provider_opt_out(state, now),
    )


async def attorney_opt_out(
    info: Info, uid: LpaUid, expected_version: int, input: AttorneyOptOutInput, idempotency_key: str
) -> MutationResult:
    return await run_update(
        info,
        "attorneyOptOut",
        uid=uid,
        expected_version=expected_version,
        payload=plain(input),
        idempotency_key=idempotency_key,
        decide=lambda state, now, _by: lifecycle.attorney_opt_out(state, input.attorney, now),
    )


async def withdraw_lpa(
    info: Info, uid: LpaUid, expected_version: int, idempotency_key: str
) -> MutationResult:
    return await run_update(
        info,
        "withdrawLpa",
        uid=uid,
        expected_version=expected_version,
        payload=None,
        idempotency_key=idempotency_key,
        decide=lambda state, _now, _by: lifecycle.withdraw(state),
    )


async def start_statutory_waiting_period(
    info: Info, uid: LpaUid, expected_version: int, idempotency_key: str
) -> MutationResult:
    return await run_update(
        info,
        "startStatutoryWaitingPeriod",
        uid=uid,
        expected_version=expected_version,
        payload=None,
        idempotency_key=idempotency_key,
        decide=lambda state, now, _by: lifecycle.start_statutory_waiting_period(state, now),
    )


async def register_lpa(
    info: Info, uid: LpaUid, expected_version: int, idempotency_key: str
) -> MutationResult:
    return await run_update(
        info,
        "registerLpa",
        uid=uid,
        expected_version=expected_version,
        payload=None,
        idempotency_key=idempotency_key,
        decide=lambda state, now, _by: lifecycle.register(state, now),
    )


async def change_status(
    info: Info, uid: LpaUid, expected_version: int, input: ChangeStatusInput, idempotency_key: str
) -> MutationResult:
    return await run_update(
        info,
        "changeStatus",
        uid=uid,
        expected_version=expected_version,
        payload=plain(input),
        idempotency_key=idempotency_key,
        decide=lambda state, _now, _by: lifecycle.change_status(state, input.status),
    )
