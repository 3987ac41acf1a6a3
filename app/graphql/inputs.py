"""Input types of `createLpa` (DESIGN 3a): the fields of section 2, camelCase on the wire."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from .enums import (
    AppointmentType,
    AttorneyStatus,
    Channel,
    HowAttorneysMakeDecisions,
    HowReplacementAttorneysStepIn,
    IdentityCheckType,
    Language,
    LifeSustainingTreatmentOption,
    LpaType,
    WhenTheLpaCanBeUsed,
)
from .plain import plain_input


@strawberry.input
class AddressInput:
    line1: str
    line2: str | None = None
    line3: str | None = None
    town: str | None = None
    postcode: str | None = None
    country: str | None = strawberry.field(
        default=None, description="ISO-3166 alpha-2 country code."
    )


_UID = (
    "The actor's UUID, as the writer names it (8-4-4-4-12 hex). Kept; issued when absent; "
    "refused when not a UUID or repeated."
)


@strawberry.input
class IdentityCheckInput:
    checked_at: datetime
    type: IdentityCheckType


@strawberry.input
class DonorInput:
    first_names: str
    last_name: str
    date_of_birth: date
    address: AddressInput
    email: str | None = None
    other_names_known_by: str | None = None
    contact_language_preference: Language | None = None
    uid: str | None = strawberry.field(default=None, description=_UID)
    identity_check: IdentityCheckInput | None = None


@strawberry.input
class AttorneyInput:
    first_names: str
    last_name: str
    date_of_birth: date
    address: AddressInput
    channel: Channel
    appointment_type: AppointmentType = AppointmentType.ORIGINAL
    email: str | None = None
    mobile: str | None = None
    uid: str | None = strawberry.field(default=None, description=_UID)
    status: AttorneyStatus | None = strawberry.field(
        default=None, description="By default ACTIVE for originals, INACTIVE for replacements."
    )


@strawberry.input
class TrustCorporationInput:
    name: str
    company_number: str
    address: AddressInput
    channel: Channel
    appointment_type: AppointmentType = AppointmentType.ORIGINAL
    email: str | None = None
    uid: str | None = strawberry.field(default=None, description=_UID)
    status: AttorneyStatus | None = strawberry.field(
        default=None, description="By default ACTIVE for originals, INACTIVE for replacements."
    )


@strawberry.input
class CertificateProviderInput:
    first_names: str
    last_name: str
    phone: str
    address: AddressInput
    channel: Channel
    email: str | None = None
    uid: str | None = strawberry.field(default=None, description=_UID)
    identity_check: IdentityCheckInput | None = None


@strawberry.input
class PersonToNotifyInput:
    first_names: str
    last_name: str
    address: AddressInput


@strawberry.input
class IndependentWitnessInput:
    first_names: str
    last_name: str
    phone: str
    address: AddressInput
    uid: str | None = strawberry.field(default=None, description=_UID)


@strawberry.input
class AuthorisedSignatoryInput:
    first_names: str
    last_name: str
    uid: str | None = strawberry.field(default=None, description=_UID)


@plain_input  # the resolver is handed an LpaDraft
@strawberry.input
class CreateLpaInput:
    lpa_type: LpaType
    channel: Channel
    language: Language
    donor: DonorInput
    attorneys: list[AttorneyInput]
    certificate_provider: CertificateProviderInput
    trust_corporations: list[TrustCorporationInput] = strawberry.field(default_factory=list)
    people_to_notify: list[PersonToNotifyInput] = strawberry.field(default_factory=list)
    how_attorneys_make_decisions: HowAttorneysMakeDecisions | None = None
    how_attorneys_make_decisions_details: str | None = None
    how_replacement_attorneys_make_decisions: HowAttorneysMakeDecisions | None = None
    how_replacement_attorneys_make_decisions_details: str | None = None
    how_replacement_attorneys_step_in: HowReplacementAttorneysStepIn | None = None
    how_replacement_attorneys_step_in_details: str | None = None
    when_the_lpa_can_be_used: WhenTheLpaCanBeUsed | None = None
    life_sustaining_treatment_option: LifeSustainingTreatmentOption | None = None
    restrictions_and_conditions: str | None = None
    signed_at: datetime | None = None
    witnessed_by_certificate_provider_at: datetime | None = None
    witnessed_by_independent_witness_at: datetime | None = None
    certificate_provider_not_related_confirmed_at: datetime | None = None
    independent_witness: IndependentWitnessInput | None = None
    authorised_signatory: AuthorisedSignatoryInput | None = None
