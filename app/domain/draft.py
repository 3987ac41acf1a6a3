"""The shape of a new LPA as a writer submits it, before the gateway stores it.

Plain typed dictionaries with the snake_case names of DESIGN section 2, so that the GraphQL
layer (or an import of the LPA store's JSON) can hand over its input as data and the rules can
read it without any framework.

The keys added for parity with OPG's LPA store (actor `uid`s, attorney `status`, identity
checks, the independent witness and the authorised signatory, ...) are `NotRequired`: a draft
without them means what it meant before.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import NotRequired, TypedDict

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


class AddressDraft(TypedDict):
    line1: str
    line2: str | None
    line3: str | None
    town: str | None
    postcode: str | None
    country: str | None


class IdentityCheckDraft(TypedDict):
    checked_at: datetime
    type: IdentityCheckType


class DonorDraft(TypedDict):
    first_names: str
    last_name: str
    date_of_birth: date
    email: str | None
    other_names_known_by: str | None
    contact_language_preference: Language | None
    address: AddressDraft
    uid: NotRequired[str | None]  # a UUID the writer chose; issued when absent
    identity_check: NotRequired[IdentityCheckDraft | None]


class AttorneyDraft(TypedDict):
    first_names: str
    last_name: str
    date_of_birth: date
    email: str | None
    mobile: str | None
    channel: Channel
    appointment_type: AppointmentType
    address: AddressDraft
    uid: NotRequired[str | None]
    status: NotRequired[AttorneyStatus | None]  # by default: originals active


class TrustCorporationDraft(TypedDict):
    name: str
    company_number: str
    email: str | None
    channel: Channel
    appointment_type: AppointmentType
    address: AddressDraft
    uid: NotRequired[str | None]
    status: NotRequired[AttorneyStatus | None]


class CertificateProviderDraft(TypedDict):
    first_names: str
    last_name: str
    email: str | None
    phone: str
    channel: Channel
    address: AddressDraft
    uid: NotRequired[str | None]
    identity_check: NotRequired[IdentityCheckDraft | None]


class PersonToNotifyDraft(TypedDict):
    first_names: str
    last_name: str
    address: AddressDraft


class IndependentWitnessDraft(TypedDict):
    first_names: str
    last_name: str
    phone: str
    address: AddressDraft
    uid: NotRequired[str | None]


class AuthorisedSignatoryDraft(TypedDict):
    first_names: str
    last_name: str
    uid: NotRequired[str | None]


class LpaDraft(TypedDict):
    lpa_type: LpaType
    channel: Channel
    language: Language
    donor: DonorDraft
    attorneys: list[AttorneyDraft]
    trust_corporations: list[TrustCorporationDraft]
    certificate_provider: CertificateProviderDraft
    people_to_notify: list[PersonToNotifyDraft]
    how_attorneys_make_decisions: HowAttorneysMakeDecisions | None
    how_attorneys_make_decisions_details: str | None
    how_replacement_attorneys_make_decisions: HowAttorneysMakeDecisions | None
    how_replacement_attorneys_make_decisions_details: str | None
    how_replacement_attorneys_step_in: HowReplacementAttorneysStepIn | None
    how_replacement_attorneys_step_in_details: str | None
    when_the_lpa_can_be_used: WhenTheLpaCanBeUsed | None
    life_sustaining_treatment_option: LifeSustainingTreatmentOption | None
    restrictions_and_conditions: str | None
    signed_at: datetime | None
    witnessed_by_certificate_provider_at: datetime | None
    witnessed_by_independent_witness_at: NotRequired[datetime | None]
    certificate_provider_not_related_confirmed_at: NotRequired[datetime | None]
    independent_witness: NotRequired[IndependentWitnessDraft | None]
    authorised_signatory: NotRequired[AuthorisedSignatoryDraft | None]
