"""A validated draft becomes the record the gateway stores, with the UUIDs it issues; a stored
record reads back as a draft, so the same rules judge it as judged its creation."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from .draft import (
    AddressDraft,
    AttorneyDraft,
    CertificateProviderDraft,
    DonorDraft,
    LpaDraft,
    PersonToNotifyDraft,
    TrustCorporationDraft,
)
from .enums import AppointmentType, AttorneyStatus, HowAttorneysMakeDecisions, LpaStatus
from .records import (
    Address,
    Attorney,
    CertificateProvider,
    Donor,
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
) -> Lpa:
    originals = sum(
        a["appointment_type"] is AppointmentType.ORIGINAL
        for a in [*draft["attorneys"], *draft["trust_corporations"]]
    )
    decisions = draft["how_attorneys_make_decisions"]
    if decisions is None and originals > 1:
        decisions = HowAttorneysMakeDecisions.JOINTLY  # the legal default when none is chosen
    donor, provider = draft["donor"], draft["certificate_provider"]
    return Lpa(
        uid=uid,
        status=status,
        version=1,
        lpa_type=draft["lpa_type"],
        channel=draft["channel"],
        language=draft["language"],
        donor=Donor(
            id=uuid.uuid4(),
            first_names=donor["first_names"],
            last_name=donor["last_name"],
            date_of_birth=donor["date_of_birth"],
            email=donor["email"],
            other_names_known_by=donor["other_names_known_by"],
            contact_language_preference=donor["contact_language_preference"],
            address=_address(donor["address"]),
        ),
        attorneys=tuple(_attorney(i, a) for i, a in enumerate(draft["attorneys"])),
        trust_corporations=tuple(
            _trust_corporation(i, t) for i, t in enumerate(draft["trust_corporations"])
        ),
        certificate_provider=CertificateProvider(
            id=uuid.uuid4(),
            first_names=provider["first_names"],
            last_name=provider["last_name"],
            email=provider["email"],
            phone=provider["phone"],
            channel=provider["channel"],
            address=_address(provider["address"]),
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
        how_attorneys_make_decisions=decisions,
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
        registration_date=registration_date,
        created_by=client,
        created_at=at,
        updated_at=at,
    )


def _first_status(appointment: AppointmentType) -> AttorneyStatus:
    if appointment is AppointmentType.ORIGINAL:
        return AttorneyStatus.ACTIVE
    return AttorneyStatus.INACTIVE  # replacements act only once they step in


def _attorney(position: int, a: AttorneyDraft) -> Attorney:
    return Attorney(
        id=uuid.uuid4(),
        position=position,
        first_names=a["first_names"],
        last_name=a["last_name"],
        date_of_birth=a["date_of_birth"],
        email=a["email"],
        mobile=a["mobile"],
        channel=a["channel"],
        appointment_type=a["appointment_type"],
        status=_first_status(a["appointment_type"]),
        address=_address(a["address"]),
    )


def _trust_corporation(position: int, t: TrustCorporationDraft) -> TrustCorporation:
    return TrustCorporation(
        id=uuid.uuid4(),
        position=position,
        name=t["name"],
        company_number=t["company_number"],
        email=t["email"],
        channel=t["channel"],
        appointment_type=t["appointment_type"],
        status=_first_status(t["appointment_type"]),
        address=_address(t["address"]),
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
    donor, provider = lpa.donor, lpa.certificate_provider
    donor_draft: DonorDraft = {
        "first_names": donor.first_names,
        "last_name": donor.last_name,
        "date_of_birth": donor.date_of_birth,
        "email": donor.email,
        "other_names_known_by": donor.other_names_known_by,
        "contact_language_preference": donor.contact_language_preference,
        "address": _address_draft(donor.address),
    }
    provider_draft: CertificateProviderDraft = {
        "first_names": provider.first_names,
        "last_name": provider.last_name,
        "email": provider.email,
        "phone": provider.phone,
        "channel": provider.channel,
        "address": _address_draft(provider.address),
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
