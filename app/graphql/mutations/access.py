"""A paper certificate provider or attorney moves online, for the online service: they give an
email and act online from then on."""

from __future__ import annotations

import uuid

import strawberry

from app.domain.changes.access import AttorneyAccessOnline, CertificateProviderAccessOnline

from ..context import RequestContext
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_change
from .actors import POSITION, UUID_OF, actor_ref

Info = strawberry.Info[RequestContext, None]


@strawberry.input
class CertificateProviderAccessOnlineInput:
    email: str


@strawberry.input
class AttorneyAccessOnlineInput:
    attorney: int | None = strawberry.field(default=None, description=POSITION)
    attorney_uid: uuid.UUID | None = strawberry.field(default=None, description=UUID_OF)
    email: str


async def certificate_provider_access_online(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: CertificateProviderAccessOnlineInput,
    idempotency_key: str,
) -> MutationResult:
    change = CertificateProviderAccessOnline(input.email)
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def attorney_access_online(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: AttorneyAccessOnlineInput,
    idempotency_key: str,
) -> MutationResult:
    change = AttorneyAccessOnline(actor_ref(input.attorney, input.attorney_uid), input.email)
    return await run_change(info, uid, expected_version, change, idempotency_key)
