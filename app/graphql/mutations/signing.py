"""Signing mutations for the online service: certificate provider, attorneys, trust
corporations. Each answers a verdict and never echoes what was signed."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.changes.signing import (
    SignatoryGiven,
    SignAttorney,
    SignCertificateProvider,
    SignTrustCorporation,
)

from ..context import RequestContext
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_change

Info = strawberry.Info[RequestContext, None]


@strawberry.input
class SignCertificateProviderInput:
    signed_at: datetime


@strawberry.input
class SignAttorneyInput:
    attorney: int = strawberry.field(description="Position of the attorney, from 0.")
    signed_at: datetime


@strawberry.input
class SignatoryInput:
    first_names: str
    last_name: str
    signed_at: datetime
    professional_title: str | None = None


@strawberry.input
class SignTrustCorporationInput:
    trust_corporation: int = strawberry.field(description="Position, from 0.")
    signatories: list[SignatoryInput] = strawberry.field(description="One or two.")


async def sign_certificate_provider(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: SignCertificateProviderInput,
    idempotency_key: str,
) -> MutationResult:
    change = SignCertificateProvider(input.signed_at)
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def sign_attorney(
    info: Info, uid: LpaUid, expected_version: int, input: SignAttorneyInput, idempotency_key: str
) -> MutationResult:
    change = SignAttorney(input.attorney, input.signed_at)
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def sign_trust_corporation(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: SignTrustCorporationInput,
    idempotency_key: str,
) -> MutationResult:
    signatories = tuple(
        SignatoryGiven(s.first_names, s.last_name, s.signed_at, s.professional_title)
        for s in input.signatories
    )
    change = SignTrustCorporation(input.trust_corporation, signatories)
    return await run_change(info, uid, expected_version, change, idempotency_key)
