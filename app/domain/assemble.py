"""A validated draft becomes the record the gateway stores, with the UUIDs it keeps or issues;
a stored record reads back as a draft, so the same rules judge it as judged its creation."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from .actor_uids import uid_or_new
from .defaults import status_of
from .draft import (
    AddressDraft,
    AttorneyDraft,
    AuthorisedSignatoryDraft,
    CertificateProviderDraft,
    DonorDraft,
    IdentityCheckDraft,
    IndependentWitnessDraft,
    LpaDraft,
    PersonToNotifyDraft,
    TrustCorporationDraft,
)
from .enums import LpaStatus
from .records import (
    Address,
    Attorney,
    AuthorisedSignatory,
    CertificateProvider,
    Donor,
    IdentityCheck,
    IndependentWitness,
    Lpa,
    PersonToNotify,
    TrustCorporation,
)


def new_lpa(
    draft: LpaDraft,
    *,
    uid: str,
    client: str,
    at: datetime,
    status: LpaStatus = LpaStatus.IN_PROGRESS,
    registration_date: date | None = None,
    defaulted: frozenset[str] = frozenset(),
) -> Lpa:
    """The record of a new LPA. `draft` is one the create decision filled (`decide_create`),
    and `defaulted` names the fields its defaults filled."""
    donor, provider = draft["donor"], draft["certificate_provider"]
    witness, signatory = draft.get("independent_witness"), draft.get("authorised_signatory")
    return Lpa(
        uid=uid,
        status=status,
        version=1,
        lpa_type=draft["lpa_type"],
        channel=draft["channel"],
        language=draft["language"],
        donor=Donor(
            id=uid_or_new(donor.get("uid")),
            first_names=donor["first_names"],
            last_name=donor["last_name"],
            date_of_birth=donor["date_of_birth"],
            email=donor["email"],
            other_names_known_by=donor["other_names_known_by"],
            contact_language_preference=donor["contact_language_preference"],
            address=_address(donor["address"]),
            identity_checks=_checks(donor.get("identity_check")),
        ),
        attorneys=tuple(_attorney(i, a) for i, a in enumerate(draft["attorneys"])),
        trust_corporations=tuple(
            _trust_corporation(i, t) for i, t in enumerate(draft["trust_corporations"])
        ),
        certificate_provider=CertificateProvider(
            id=uid_or_new(provider.get("uid")),
            first_names=provider["first_names"],
            last_name=provider["last_name"],
            email=provider["email"],
            phone=provider["phone"],
            channel=provider["channel"],
            address=_address(provider["address"]),
            identity_checks=_checks(provider.get("identity_check")),
        ),
        people_to_notify=tuple(
            PersonToNotify(
                id=uuid.uuid4(),
                position=i,
                first_names=p["first_names"],
                last_name=p["last_name"],
                address=_address(p["address"]),
            )
            for i, p in enumerate(draft["people_to_notify"])
        ),
        independent_witness=None if witness is None else _independent_witness(witness),
        authorised_signatory=None if signatory is None else _authorised_signatory(signatory),
        how_attorneys_make_decisions=draft["how_attorneys_make_decisions"],
        how_attorneys_make_decisions_details=draft["how_attorneys_make_decisions_details"],
        how_replacement_attorneys_make_decisions=draft["how_replacement_attorneys_make_decisions"],
        how_replacement_attorneys_make_decisions_details=draft[
            "how_replacement_attorneys_make_decisions_details"
        ],
        how_replacement_attorneys_step_in=draft["how_replacement_attorneys_step_in"],
        how_replacement_attorneys_step_in_details=draft[
            "how_replacement_attorneys_step_in_details"
        ],
        when_the_lpa_can_be_used=draft["when_the_lpa_can_be_used"],
        life_sustaining_treatment_option=draft["life_sustaining_treatment_option"],
        restrictions_and_conditions=draft["restrictions_and_conditions"],
        signed_at=draft["signed_at"],
        witnessed_by_certificate_provider_at=draft["witnessed_by_certificate_provider_at"],
        witnessed_by_independent_witness_at=draft.get("witnessed_by_independent_witness_at"),
        certificate_provider_not_related_confirmed_at=draft.get(
            "certificate_provider_not_related_confirmed_at"
        ),
        registration_date=registration_date,
        how_attorneys_make_decisions_is_default="how_attorneys_make_decisions" in defaulted,
        how_replacement_attorneys_make_decisions_is_default=(
            "how_replacement_attorneys_make_decisions" in defaulted
        ),
        when_the_lpa_can_be_used_is_default="when_the_lpa_can_be_used" in defaulted,
        life_sustaining_treatment_option_is_default=(
            "life_sustaining_treatment_option" in defaulted
        ),
        created_by=client,
        created_at=at,
        updated_at=at,
    )


def _checks(check: IdentityCheckDraft | None) -> tuple[IdentityCheck, ...]:
    if check is None:
        return ()
    return (IdentityCheck(type=check["type"], checked_at=check["checked_at"]),)


def _attorney(position: int, a: AttorneyDraft) -> Attorney:
    return Attorney(
        id=uid_or_new(a.get("uid")),
        position=position,
        first_names=a["first_names"],
        last_name=a["last_name"],
        date_of_birth=a["date_of_birth"],
        email=a["email"],
        mobile=a["mobile"],
        channel=a["channel"],
        appointment_type=a["appointment_type"],
        status=status_of(a),
        address=_address(a["address"]),
    )


def _trust_corporation(position: int, t: TrustCorporationDraft) -> TrustCorporation:
    return TrustCorporation(
        id=uid_or_new(t.get("uid")),
        position=position,
        name=t["name"],
        company_number=t["company_number"],
        email=t["email"],
        channel=t["channel"],
        appointment_type=t["appointment_type"],
        status=status_of(t),
        address=_address(t["address"]),
    )


def _independent_witness(w: IndependentWitnessDraft) -> IndependentWitness:
    return IndependentWitness(
        id=uid_or_new(w.get("uid")),
        first_names=w["first_names"],
        last_name=w["last_name"],
        phone=w["phone"],
        address=_address(w["address"]),
    )


def _authorised_signatory(s: AuthorisedSignatoryDraft) -> AuthorisedSignatory:
    return AuthorisedSignatory(
        id=uid_or_new(s.get("uid")), first_names=s["first_names"], last_name=s["last_name"]
    )


def _address(a: AddressDraft) -> Address:
    return Address(
        line1=a["line1"],
        line2=a["line2"],
        line3=a["line3"],
        town=a["town"],
        postcode=a["postcode"],
        country=a["country"],
    )


def as_draft(lpa: Lpa) -> LpaDraft:
    """The stored LPA as a draft. Statuses are left out: the rules count who acts as when the
    LPA was made, so an opt-out or a replacement stepping in breaks no decision-mode rule."""
    donor, provider = lpa.donor, lpa.certificate_provider
    donor_draft: DonorDraft = {
        "first_names": donor.first_names,
        "last_name": donor.last_name,
        "date_of_birth": donor.date_of_birth,
        "email": donor.email,
        "other_names_known_by": donor.other_names_known_by,
        "contact_language_preference": donor.contact_language_preference,
        "address": _address_draft(donor.address),
        "uid": str(donor.id),
    }
    provider_draft: CertificateProviderDraft = {
        "first_names": provider.first_names,
        "last_name": provider.last_name,
        "email": provider.email,
        "phone": provider.phone,
        "channel": provider.channel,
        "address": _address_draft(provider.address),
        "uid": str(provider.id),
    }
    attorneys: list[AttorneyDraft] = [
        {
            "first_names": a.first_names,
            "last_name": a.last_name,
            "date_of_birth": a.date_of_birth,
            "email": a.email,
            "mobile": a.mobile,
            "channel": a.channel,
            "appointment_type": a.appointment_type,
            "address": _address_draft(a.address),
            "uid": str(a.id),
        }
        for a in lpa.attorneys
    ]
    trusts: list[TrustCorporationDraft] = [
        {
            "name": t.name,
            "company_number": t.company_number,
            "email": t.email,
            "channel": t.channel,
            "appointment_type": t.appointment_type,
            "address": _address_draft(t.address),
            "uid": str(t.id),
        }
        for t in lpa.trust_corporations
    ]
    notified: list[PersonToNotifyDraft] = [
        {
            "first_names": p.first_names,
            "last_name": p.last_name,
            "address": _address_draft(p.address),
        }
        for p in lpa.people_to_notify
    ]
    witness = lpa.independent_witness
    signatory = lpa.authorised_signatory
    return {
        "lpa_type": lpa.lpa_type,
        "channel": lpa.channel,
        "language": lpa.language,
        "donor": donor_draft,
        "attorneys": attorneys,
        "trust_corporations": trusts,
        "certificate_provider": provider_draft,
        "people_to_notify": notified,
        "how_attorneys_make_decisions": lpa.how_attorneys_make_decisions,
        "how_attorneys_make_decisions_details": lpa.how_attorneys_make_decisions_details,
        "how_replacement_attorneys_make_decisions": lpa.how_replacement_attorneys_make_decisions,
        "how_replacement_attorneys_make_decisions_details": (
            lpa.how_replacement_attorneys_make_decisions_details
        ),
        "how_replacement_attorneys_step_in": lpa.how_replacement_attorneys_step_in,
        "how_replacement_attorneys_step_in_details": lpa.how_replacement_attorneys_step_in_details,
        "when_the_lpa_can_be_used": lpa.when_the_lpa_can_be_used,
        "life_sustaining_treatment_option": lpa.life_sustaining_treatment_option,
        "restrictions_and_conditions": lpa.restrictions_and_conditions,
        "signed_at": lpa.signed_at,
        "witnessed_by_certificate_provider_at": lpa.witnessed_by_certificate_provider_at,
        "witnessed_by_independent_witness_at": lpa.witnessed_by_independent_witness_at,
        "certificate_provider_not_related_confirmed_at": (
            lpa.certificate_provider_not_related_confirmed_at
        ),
        "independent_witness": None
        if witness is None
        else {
            "first_names": witness.first_names,
            "last_name": witness.last_name,
            "phone": witness.phone or "",
            "address": _address_draft(witness.address),
            "uid": str(witness.id),
        },
        "authorised_signatory": None
        if signatory is None
        else {
            "first_names": signatory.first_names,
            "last_name": signatory.last_name,
            "uid": str(signatory.id),
        },
    }


def _address_draft(a: Address | None) -> AddressDraft:
    if a is None:  # a stored actor without an address reads as one with nothing in it
        return {
            "line1": "",
            "line2": None,
            "line3": None,
            "town": None,
            "postcode": None,
            "country": None,
        }
    return {
        "line1": a.line1,
        "line2": a.line2,
        "line3": a.line3,
        "town": a.town,
        "postcode": a.postcode,
        "country": a.country,
    }
