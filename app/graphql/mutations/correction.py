"""Corrections by caseworkers: `correctLpa` before registration and `correctRegisteredLpa`
after it, with one input. Every field is optional and only what is given changes; a field
given as null clears it, where the LPA may be without it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

import strawberry
from strawberry import UNSET

from app.domain.changes import correction
from app.domain.state import LpaState, Outcome

from ..context import RequestContext
from ..inputs import AddressInput
from ..results import MutationResult
from ..scalars import LpaUid
from ..update import run_update

Info = strawberry.Info[RequestContext, None]
_WHOLE = "Replaces the stored address as a whole."
Correct = Callable[[LpaState, Mapping[str, Any], datetime], Outcome]


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


@strawberry.input
class AttorneyCorrectionInput:
    attorney: int = strawberry.field(description="Position of the attorney, from 0.")
    first_names: str | None = UNSET
    last_name: str | None = UNSET
    date_of_birth: date | None = UNSET
    email: str | None = UNSET
    mobile: str | None = UNSET
    address: AddressInput | None = strawberry.field(default=UNSET, description=_WHOLE)


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


async def correct_lpa(
    info: Info, uid: LpaUid, expected_version: int, input: CorrectionInput, idempotency_key: str
) -> MutationResult:
    return await _run(
        info, "correctLpa", correction.correct, uid, expected_version, input, idempotency_key
    )


async def correct_registered_lpa(
    info: Info, uid: LpaUid, expected_version: int, input: CorrectionInput, idempotency_key: str
) -> MutationResult:
    return await _run(
        info,
        "correctRegisteredLpa",
        correction.correct_registered,
        uid,
        expected_version,
        input,
        idempotency_key,
    )


async def _run(
    info: Info,
    operation: str,
    correct: Correct,
    uid: LpaUid,
    expected_version: int,
    input: CorrectionInput,
    idempotency_key: str,
) -> MutationResult:
    given = strawberry.asdict(input)  # leaves out every field not given (UNSET), at any depth
    return await run_update(
        info,
        operation,
        uid=uid,
        expected_version=expected_version,
        payload=given,
        idempotency_key=idempotency_key,
        decide=lambda state, now, _by: correct(state, given, now),
    )
