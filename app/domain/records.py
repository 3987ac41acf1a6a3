"""The LPA and everyone on it, as frozen typed records.

A record is what the gateway holds, never a table row: `app.db.repository` maps records to
tables and back. Caps on text live in `caps`; closed vocabularies are the enums of `enums`.
Every actor carries the UUID the gateway issued it and its position among its kind, which
together give its JSON pointer (`Actor.path`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import ClassVar, TypeVar

from .enums import (
    ActorRole,
    AnomalyStatus,
    AppointmentType,
    AttorneyStatus,
    Channel,
    EvidenceDelivery,
    FeeDecisionOutcome,
    FeeType,
    HowAttorneysMakeDecisions,
    HowReplacementAttorneysStepIn,
    IdentityCheckType,
    Language,
    LifeSustainingTreatmentOption,
    LpaStatus,
    LpaType,
    WhenTheLpaCanBeUsed,
)

PathPart = str | int


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    line1: str  # caps.ADDRESS_LINE, as are line2, line3 and town
    line2: str | None = None
    line3: str | None = None
    town: str | None = None
    postcode: str | None = None  # caps.POSTCODE
    country: str | None = None  # ISO-3166 alpha-2, caps.COUNTRY


@dataclass(frozen=True, slots=True, kw_only=True)
class IdentityCheck:
    type: IdentityCheckType
    checked_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Signatory:
    """One of the people who sign for a trust corporation (at most caps.SIGNATORIES)."""

    id: uuid.UUID
    first_names: str
    last_name: str
    professional_title: str | None = None
    signed_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    ROLE: ClassVar[ActorRole]
    GROUP: ClassVar[str]  # the LPA's field that holds actors of this kind
    LISTED: ClassVar[bool] = False  # one of a list (its pointer carries its position)

    id: uuid.UUID
    position: int = 0
    address: Address | None = None

    @property
    def path(self) -> tuple[PathPart, ...]:
        return (self.GROUP, self.position) if self.LISTED else (self.GROUP,)


@dataclass(frozen=True, slots=True, kw_only=True)
class Donor(Actor):
    ROLE = ActorRole.DONOR
    GROUP = "donor"

    first_names: str
    last_name: str
    date_of_birth: date
    email: str | None = None
    other_names_known_by: str | None = None
    contact_language_preference: Language | None = None
    identity_checks: tuple[IdentityCheck, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Appointee(Actor):
    """An attorney or a trust corporation: appointed, and acting once active."""

    email: str | None = None
    channel: Channel
    appointment_type: AppointmentType
    status: AttorneyStatus
    signed_at: datetime | None = None
    opted_out_at: datetime | None = None
    # parity with the LPA store's updates
    contact_language_preference: Language | None = None
    stepped_in_at: datetime | None = None  # a replacement made active: when it stepped in


@dataclass(frozen=True, slots=True, kw_only=True)
class Attorney(Appointee):
    ROLE = ActorRole.ATTORNEY
    GROUP = "attorneys"
    LISTED = True

    first_names: str
    last_name: str
    date_of_birth: date
    mobile: str | None = None
    cannot_make_joint_decisions: bool = False  # parity: the store's attorney decisions


@dataclass(frozen=True, slots=True, kw_only=True)
class TrustCorporation(Appointee):
    ROLE = ActorRole.TRUST_CORPORATION
    GROUP = "trust_corporations"
    LISTED = True

    name: str
    company_number: str
    signatories: tuple[Signatory, ...] = ()
    mobile: str | None = None  # parity: the store's trust corporation signing


@dataclass(frozen=True, slots=True, kw_only=True)
class CertificateProvider(Actor):
    ROLE = ActorRole.CERTIFICATE_PROVIDER
    GROUP = "certificate_provider"

    first_names: str
    last_name: str
    phone: str
    channel: Channel
    email: str | None = None
    signed_at: datetime | None = None
    opted_out_at: datetime | None = None
    identity_checks: tuple[IdentityCheck, ...] = ()
    contact_language_preference: Language | None = None  # parity: the store's signing


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonToNotify(Actor):
    ROLE = ActorRole.PERSON_TO_NOTIFY
    GROUP = "people_to_notify"
    LISTED = True

    first_names: str
    last_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class IndependentWitness(Actor):
    ROLE = ActorRole.INDEPENDENT_WITNESS
    GROUP = "independent_witness"

    first_names: str
    last_name: str
    phone: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthorisedSignatory(Actor):
    """Signs for a donor who cannot sign themselves."""

    ROLE = ActorRole.AUTHORISED_SIGNATORY
    GROUP = "authorised_signatory"

    first_names: str
    last_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FeeRate:
    """One row of the effective-dated fee schedule."""

    fee_type: FeeType
    amount_pence: int
    effective_from: date


@dataclass(frozen=True, slots=True, kw_only=True)
class FeeReductionRequest:
    id: uuid.UUID
    requested_type: FeeType
    evidence_delivery: EvidenceDelivery
    previous_application_number: str | None  # caps.APPLICATION_NUMBER
    requested_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class FeeReductionDecision:
    request_id: uuid.UUID
    outcome: FeeDecisionOutcome
    approved_type: FeeType | None
    decided_at: datetime
    decided_by: str  # caps.AUTHOR


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    id: uuid.UUID
    amount_pence: int
    reference: str  # caps.PAYMENT_REFERENCE
    paid_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Anomaly:
    source: str  # a JSON pointer, caps.ANOMALY_SOURCE
    code: str  # a ProblemCode value, caps.PROBLEM_CODE
    status: AnomalyStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseFile:
    """What casework keeps beside an LPA. Loaded only for the changes that read it
    (`Change.needs`); empty otherwise."""

    fee_reduction_requests: tuple[FeeReductionRequest, ...] = ()
    fee_reduction_decisions: tuple[FeeReductionDecision, ...] = ()
    payments: tuple[Payment, ...] = ()
    anomalies: tuple[Anomaly, ...] = ()
    fee_schedule: tuple[FeeRate, ...] = ()  # every row of the fee table, for the fee due


@dataclass(frozen=True, slots=True, kw_only=True)
class Lpa:
    """A stored LPA. `id` is the database's key (None before it is stored)."""

    id: int | None = None
    uid: str
    status: LpaStatus
    version: int
    lpa_type: LpaType
    channel: Channel
    language: Language
    donor: Donor
    attorneys: tuple[Attorney, ...] = ()
    trust_corporations: tuple[TrustCorporation, ...] = ()
    certificate_provider: CertificateProvider
    people_to_notify: tuple[PersonToNotify, ...] = ()
    independent_witness: IndependentWitness | None = None
    authorised_signatory: AuthorisedSignatory | None = None
    how_attorneys_make_decisions: HowAttorneysMakeDecisions | None = None
    how_attorneys_make_decisions_details: str | None = None  # caps.TEXT, as all details
    how_replacement_attorneys_make_decisions: HowAttorneysMakeDecisions | None = None
    how_replacement_attorneys_make_decisions_details: str | None = None
    how_replacement_attorneys_step_in: HowReplacementAttorneysStepIn | None = None
    how_replacement_attorneys_step_in_details: str | None = None
    when_the_lpa_can_be_used: WhenTheLpaCanBeUsed | None = None
    life_sustaining_treatment_option: LifeSustainingTreatmentOption | None = None
    restrictions_and_conditions: str | None = None  # caps.TEXT
    signed_at: datetime | None = None
    witnessed_by_certificate_provider_at: datetime | None = None
    witnessed_by_independent_witness_at: datetime | None = None
    certificate_provider_not_related_confirmed_at: datetime | None = None
    registration_date: date | None = None
    # The store's `…IsDefault` flags: a default filled the field at creation (`defaults`).
    how_attorneys_make_decisions_is_default: bool = False
    how_replacement_attorneys_make_decisions_is_default: bool = False
    when_the_lpa_can_be_used_is_default: bool = False
    life_sustaining_treatment_option_is_default: bool = False
    created_by: str = ""
    created_at: datetime | None = None
    updated_at: datetime | None = None
    case: CaseFile = CaseFile()

    @property
    def appointees(self) -> tuple[Appointee, ...]:
        return (*self.attorneys, *self.trust_corporations)

    @property
    def people(self) -> Iterator[Actor]:
        yield self.donor
        yield from self.attorneys
        yield from self.trust_corporations
        yield self.certificate_provider
        yield from self.people_to_notify
        if self.independent_witness is not None:
            yield self.independent_witness
        if self.authorised_signatory is not None:
            yield self.authorised_signatory

    def attorney(self, key: ActorKey) -> Attorney | None:
        return _find(self.attorneys, key)

    def trust_corporation(self, key: ActorKey) -> TrustCorporation | None:
        return _find(self.trust_corporations, key)

    def with_actor(self, actor: Actor) -> Lpa:
        """This LPA with `actor` in place of the actor of the same id."""
        if isinstance(actor, Donor):
            return replace(self, donor=actor)
        if isinstance(actor, CertificateProvider):
            return replace(self, certificate_provider=actor)
        if isinstance(actor, Attorney):
            return replace(self, attorneys=_swap(self.attorneys, actor))
        if isinstance(actor, TrustCorporation):
            return replace(self, trust_corporations=_swap(self.trust_corporations, actor))
        if isinstance(actor, PersonToNotify):
            return replace(self, people_to_notify=_swap(self.people_to_notify, actor))
        if isinstance(actor, IndependentWitness):
            return replace(self, independent_witness=actor)
        if isinstance(actor, AuthorisedSignatory):
            return replace(self, authorised_signatory=actor)
        raise TypeError(f"no place for {type(actor).__name__}")

    def signers(self) -> list[CertificateProvider | Appointee]:
        """Everyone whose signature registration waits for: the certificate provider, and
        every attorney and trust corporation not removed."""
        acting = [a for a in self.appointees if a.status is not AttorneyStatus.REMOVED]
        return [self.certificate_provider, *acting]


A = TypeVar("A", bound=Actor)


@dataclass(frozen=True, slots=True)
class ActorRef:
    """An actor of a list named by its position, its UUID, or both (then both must name the
    same actor)."""

    position: int | None = None
    uid: uuid.UUID | None = None


ActorKey = int | uuid.UUID | ActorRef


def _find(actors: tuple[A, ...], key: ActorKey) -> A | None:
    ref = key if isinstance(key, ActorRef) else None
    if isinstance(key, int):
        ref = ActorRef(position=key)
    elif isinstance(key, uuid.UUID):
        ref = ActorRef(uid=key)
    if ref is None or (ref.position is None and ref.uid is None):
        return None
    return next(
        (
            a
            for a in actors
            if (ref.position is None or a.position == ref.position)
            and (ref.uid is None or a.id == ref.uid)
        ),
        None,
    )


def _swap(actors: tuple[A, ...], new: A) -> tuple[A, ...]:
    if not any(a.id == new.id for a in actors):
        raise ValueError("no such actor on this LPA")
    return tuple(new if a.id == new.id else a for a in actors)
