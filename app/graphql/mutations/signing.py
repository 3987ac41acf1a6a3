"""Signing mutations for the online service: certificate provider, attorneys, trust
corporations. Each answers a verdict and never echoes what was signed."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.domain.changes import signing

from ..context import RequestContext
from ..plain import plain
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_update

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
    return await run_update(
        info,
        "signCertificateProvider",
        uid=uid,
        expected_version=expected_version,
        payload=plain(input),
        idempotency_key=idempotency_key,
        decide=lambda state, now, _by: signing.sign_certificate_provider(
            state, input.signed_at, now
        ),
    )


async def sign_attorney(
    info: Info, uid: LpaUid, expected_version: int, input: SignAttorneyInput, idempotency_key: str
) -> MutationResult:
    return await run_update(
        info,
        "signAttorney",
        uid=uid,
        expected_version=expected_version,
        payload=plain(input),
        idempotency_key=idempotency_key,
        decide=lambda state, now, _by: signing.sign_attorney(
            state, input.attorney, input.signed_at, now
        ),
    )


async def sign_trust_corporation(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: SignTrustCorporationInput,
    idempotency_key: str,
) -> MutationResult:
    payload = plain(input)
    signatories = [plain(s) for s in input.signatories]
    return await run_update(
        info,
        "signTrustCorporation",
        uid=uid,
        expected_version=expected_version,
        payload=payload,
        idempotency_key=idempotency_key,
        decide=lambda state, now, _by: signing.sign_trust_corporation(
            state, input.trust_corporation, signatories, now
        ),
    )
