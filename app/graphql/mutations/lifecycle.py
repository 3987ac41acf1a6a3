"""Status mutations: opt-outs and withdrawal (online service); the statutory waiting period,
registration and direct status changes (caseworkers)."""

from __future__ import annotations

import uuid

import strawberry

from app.domain.changes.lifecycle import (
    AttorneyOptOut,
    CertificateProviderOptOut,
    ChangeStatus,
    Register,
    StartStatutoryWaitingPeriod,
    TrustCorporationOptOut,
    Withdraw,
)

from ..context import RequestContext
from ..enums import LpaStatusCode
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_change
from .actors import POSITION, UUID_OF, actor_ref

Info = strawberry.Info[RequestContext, None]


@strawberry.input
class AttorneyOptOutInput:
    attorney: int | None = strawberry.field(default=None, description=POSITION)
    attorney_uid: uuid.UUID | None = strawberry.field(default=None, description=UUID_OF)


@strawberry.input
class TrustCorporationOptOutInput:
    trust_corporation: int | None = strawberry.field(default=None, description=POSITION)
    trust_corporation_uid: uuid.UUID | None = strawberry.field(default=None, description=UUID_OF)


@strawberry.input
class ChangeStatusInput:
    status: LpaStatusCode


async def certificate_provider_opt_out(
    info: Info, uid: LpaUid, expected_version: int, idempotency_key: str
) -> MutationResult:
    change = CertificateProviderOptOut()
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def attorney_opt_out(
    info: Info, uid: LpaUid, expected_version: int, input: AttorneyOptOutInput, idempotency_key: str
) -> MutationResult:
    change = AttorneyOptOut(actor_ref(input.attorney, input.attorney_uid))
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def trust_corporation_opt_out(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: TrustCorporationOptOutInput,
    idempotency_key: str,
) -> MutationResult:
    change = TrustCorporationOptOut(actor_ref(input.trust_corporation, input.trust_corporation_uid))
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def withdraw_lpa(
    info: Info, uid: LpaUid, expected_version: int, idempotency_key: str
) -> MutationResult:
    change = Withdraw()
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def start_statutory_waiting_period(
    info: Info, uid: LpaUid, expected_version: int, idempotency_key: str
) -> MutationResult:
    change = StartStatutoryWaitingPeriod()
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def register_lpa(
    info: Info, uid: LpaUid, expected_version: int, idempotency_key: str
) -> MutationResult:
    change = Register()
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def change_status(
    info: Info, uid: LpaUid, expected_version: int, input: ChangeStatusInput, idempotency_key: str
) -> MutationResult:
    change = ChangeStatus(input.status)
    return await run_change(info, uid, expected_version, change, idempotency_key)
