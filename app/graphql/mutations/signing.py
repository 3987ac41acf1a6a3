"""Signing mutations for the online service: certificate provider, attorneys, trust
corporations. Each answers a verdict and never echoes what was signed.

As the LPA store's signing changes, a signature may carry the signer's contact details
(mobile, email, channel, contact language; the certificate provider's address): what is given
replaces what is stored.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import strawberry

from app.domain.changes.signing import (
    ContactGiven,
    SignatoryGiven,
    SignAttorney,
    SignCertificateProvider,
    SignTrustCorporation,
)
from app.domain.records import Address

from ..context import RequestContext
from ..enums import Channel, Language
from ..inputs import AddressInput
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_change
from .actors import POSITION, UUID_OF, actor_ref

Info = strawberry.Info[RequestContext, None]


@strawberry.input
class SignCertificateProviderInput:
    signed_at: datetime
    email: str | None = None
    channel: Channel | None = None
    contact_language_preference: Language | None = None
    address: AddressInput | None = strawberry.field(
        default=None, description="Replaces the stored address as a whole."
    )


@strawberry.input
class SignAttorneyInput:
    attorney: int | None = strawberry.field(default=None, description=POSITION)
    signed_at: datetime
    attorney_uid: uuid.UUID | None = strawberry.field(default=None, description=UUID_OF)
    mobile: str | None = None
    email: str | None = None
    channel: Channel | None = None
    contact_language_preference: Language | None = None


@strawberry.input
class SignatoryInput:
    first_names: str
    last_name: str
    signed_at: datetime
    professional_title: str | None = None


@strawberry.input
class SignTrustCorporationInput:
    trust_corporation: int | None = strawberry.field(default=None, description=POSITION)
    signatories: list[SignatoryInput] = strawberry.field(description="One or two.")
    trust_corporation_uid: uuid.UUID | None = strawberry.field(default=None, description=UUID_OF)
    mobile: str | None = None
    email: str | None = None
    channel: Channel | None = None
    contact_language_preference: Language | None = None


async def sign_certificate_provider(
    info: Info,
    uid: LpaUid,
    expected_version: int,
    input: SignCertificateProviderInput,
    idempotency_key: str,
) -> MutationResult:
    given: Any = None if input.address is None else strawberry.asdict(input.address)
    address = None if given is None else Address(**given)
    contact = ContactGiven(
        email=input.email,
        channel=input.channel,
        contact_language_preference=input.contact_language_preference,
        address=address,
    )
    change = SignCertificateProvider(input.signed_at, contact)
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def sign_attorney(
    info: Info, uid: LpaUid, expected_version: int, input: SignAttorneyInput, idempotency_key: str
) -> MutationResult:
    change = SignAttorney(
        actor_ref(input.attorney, input.attorney_uid), input.signed_at, _contact(input)
    )
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
    trust = actor_ref(input.trust_corporation, input.trust_corporation_uid)
    change = SignTrustCorporation(trust, signatories, _contact(input))
    return await run_change(info, uid, expected_version, change, idempotency_key)


def _contact(input: SignAttorneyInput | SignTrustCorporationInput) -> ContactGiven:
    return ContactGiven(
        mobile=input.mobile,
        email=input.email,
        channel=input.channel,
        contact_language_preference=input.contact_language_preference,
    )
