"""What OPG's LPA store already knew of an LPA it hands over: its own state, and that of each
person on it (their UIDs, statuses, signatures, identity checks).

A field is None where the store said nothing, so the new record's own value stands: `over`
lays a person's held state on the record `new_lpa` made of them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TypeVar

from .enums import AttorneyStatus, LpaStatus
from .problems import pointer
from .records import (
    Actor,
    Appointee,
    AuthorisedSignatory,
    CertificateProvider,
    Donor,
    IdentityCheck,
    IndependentWitness,
    Signatory,
    TrustCorporation,
)

A = TypeVar("A", bound=Actor)
P = TypeVar("P", bound=Appointee)
V = TypeVar("V")


def _kept(held: V | None, made: V) -> V:
    return made if held is None else held


@dataclass(frozen=True, slots=True, kw_only=True)
class Held:
    """A person the store knew: their UID, if it gave one."""

    id: uuid.UUID | None = None

    def over(self, actor: A) -> A:
        return replace(actor, id=_kept(self.id, actor.id))


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldDonor(Held):
    identity_checks: tuple[IdentityCheck, ...] | None = None

    def over_donor(self, donor: Donor) -> Donor:
        return replace(
            self.over(donor), identity_checks=_kept(self.identity_checks, donor.identity_checks)
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldAppointee(Held):
    """An attorney or a trust corporation."""

    status: AttorneyStatus | None = None
    signed_at: datetime | None = None

    def over_appointee(self, appointee: P) -> P:
        return replace(
            self.over(appointee),
            status=_kept(self.status, appointee.status),
            signed_at=_kept(self.signed_at, appointee.signed_at),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldTrustCorporation(HeldAppointee):
    signatories: tuple[Signatory, ...] | None = None

    def over_trust_corporation(self, trust: TrustCorporation) -> TrustCorporation:
        return replace(
            self.over_appointee(trust),
            signatories=_kept(self.signatories, trust.signatories),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldCertificateProvider(Held):
    signed_at: datetime | None = None
    identity_checks: tuple[IdentityCheck, ...] | None = None

    def over_certificate_provider(self, provider: CertificateProvider) -> CertificateProvider:
        return replace(
            self.over(provider),
            signed_at=_kept(self.signed_at, provider.signed_at),
            identity_checks=_kept(self.identity_checks, provider.identity_checks),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class HeldLpa:
    """The store's state of the LPA itself, and of everyone on it."""

    uid: str
    status: LpaStatus
    registration_date: date | None
    updated_at: datetime | None
    witnessed_by_independent_witness_at: datetime | None
    certificate_provider_not_related_confirmed_at: datetime | None
    independent_witness: IndependentWitness | None
    authorised_signatory: AuthorisedSignatory | None
    donor: HeldDonor
    attorneys: tuple[HeldAppointee, ...]
    trust_corporations: tuple[HeldTrustCorporation, ...]
    certificate_provider: HeldCertificateProvider
    people_to_notify: tuple[Held, ...]

    def given_uids(self) -> dict[uuid.UUID, str]:
        """The people's UIDs the store gave, each with its pointer."""
        given: dict[uuid.UUID, str] = {}
        for group, person in (
            ("donor", self.donor),
            ("certificate_provider", self.certificate_provider),
        ):
            if person.id is not None:
                given[person.id] = pointer(group, "uid")
        for group, listed in (
            ("attorneys", self.attorneys),
            ("trust_corporations", self.trust_corporations),
            ("people_to_notify", self.people_to_notify),
        ):
            for i, held in enumerate(listed):
                if held.id is not None:
                    given[held.id] = pointer(group, i, "uid")
        return given
