"""Corrections by caseworkers: `correctLpa` before registration and `correctRegisteredLpa`
after it, with one input. Every field is optional and only what is given changes; a field
given as null clears it, where the LPA may be without it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import UNSET

from app.domain.changes.correction import (
    LPA_DATES,
    AttorneyCorrection,
    CorrectLpa,
    CorrectRegisteredLpa,
    PersonCorrection,
    TrustCorporationCorrection,
    Value,
)
from app.domain.records import Address

from ..context import RequestContext
from ..inputs import AddressInput
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_change
from .actors import POSITION, UUID_OF, actor_ref

Info = strawberry.Info[RequestContext, None]
_WHOLE = "Replaces the stored address as a whole."
_PAPER_ONLY = "Paper LPAs only: an online LPA's signing dates are never corrected."


@strawberry.input
class DonorCorrectionInput:
    first_names: str | None = UNSET
    last_name: str | None = UNSET
    other_names_known_by: str | None = UNSET
    date_of_birth: date | None = UNSET
    email: str | None = UNSET
    address: AddressInput | None = strawberry.field(default=UNSET, description=_WHOLE)


@strawberry.input
class CertificateProviderCorrectionInput:
    first_names: str | None = UNSET
    last_name: str | None = UNSET
    email: str | None = UNSET
    phone: str | None = UNSET
    address: AddressInput | None = strawberry.field(default=UNSET, description=_WHOLE)
    signed_at: datetime | None = strawberry.field(default=UNSET, description=_PAPER_ONLY)


@strawberry.input
class AttorneyCorrectionInput:
    attorney: int | None = strawberry.field(default=None, description=POSITION)
    first_names: str | None = UNSET
    last_name: str | None = UNSET
    date_of_birth: date | None = UNSET
    email: str | None = UNSET
    mobile: str | None = UNSET
    address: AddressInput | None = strawberry.field(default=UNSET, description=_WHOLE)
    attorney_uid: uuid.UUID | None = strawberry.field(default=None, description=UUID_OF)
    signed_at: datetime | None = strawberry.field(default=UNSET, description=_PAPER_ONLY)


@strawberry.input
class TrustCorporationCorrectionInput:
    trust_corporation: int | None = strawberry.field(default=None, description=POSITION)
    trust_corporation_uid: uuid.UUID | None = strawberry.field(default=None, description=UUID_OF)
    signed_at: datetime | None = strawberry.field(default=UNSET, description=_PAPER_ONLY)


@strawberry.input(
    description="Only the fields given change. A field given as null is cleared where an LPA "
    "may be without it; names, dates of birth, phone, addresses and signedAt cannot be cleared."
)
class CorrectionInput:
    donor: DonorCorrectionInput | None = UNSET
    certificate_provider: CertificateProviderCorrectionInput | None = UNSET
    attorneys: list[AttorneyCorrectionInput] | None = UNSET
    signed_at: datetime | None = UNSET
    witnessed_by_certificate_provider_at: datetime | None = UNSET
    witnessed_by_independent_witness_at: datetime | None = UNSET
    certificate_provider_not_related_confirmed_at: datetime | None = UNSET
    trust_corporations: list[TrustCorporationCorrectionInput] | None = UNSET


async def correct_lpa(
    info: Info, uid: LpaUid, expected_version: int, input: CorrectionInput, idempotency_key: str
) -> MutationResult:
    change = CorrectLpa(**_given(input))
    return await run_change(info, uid, expected_version, change, idempotency_key)


async def correct_registered_lpa(
    info: Info, uid: LpaUid, expected_version: int, input: CorrectionInput, idempotency_key: str
) -> MutationResult:
    change = CorrectRegisteredLpa(**_given(input))
    return await run_change(info, uid, expected_version, change, idempotency_key)


def _given(input: CorrectionInput) -> dict[str, Any]:
    """The correction's fields as the change reads them; a field not given is left out."""
    given: dict[str, Any] = strawberry.asdict(
        input
    )  # leaves out every field not given (UNSET), at any depth
    attorneys = given.get("attorneys") or ()
    trusts = given.get("trust_corporations") or ()
    return {
        "donor": _person(given.get("donor")),
        "certificate_provider": _person(given.get("certificate_provider")),
        "attorneys": tuple(
            AttorneyCorrection(_ref(a, "attorney"), _values(_own(a, "attorney"))) for a in attorneys
        ),
        "trust_corporations": tuple(
            TrustCorporationCorrection(
                _ref(t, "trust_corporation"), _values(_own(t, "trust_corporation"))
            )
            for t in trusts
        ),
        "dates": tuple((name, given[name]) for name in sorted(LPA_DATES) if name in given),
    }


def _ref(given: dict[str, Any], kind: str) -> Any:
    return actor_ref(given.get(kind), given.get(f"{kind}_uid"))


def _own(given: dict[str, Any], kind: str) -> dict[str, Any]:
    """The values corrected: what is given but the names of the actor."""
    return {k: v for k, v in given.items() if k not in {kind, f"{kind}_uid"}}


def _person(given: dict[str, Any] | None) -> PersonCorrection | None:
    return None if given is None else PersonCorrection(_values(given))


def _values(given: dict[str, Any]) -> tuple[tuple[str, Value], ...]:
    return tuple(
        (name, Address(**value) if name == "address" and value is not None else value)
        for name, value in given.items()
    )
