"""The rules of OPG's LPA store, one case each: the rule, an input the store refuses (with the
pointer and code the gateway answers) and its allowed twin. No database: LPAs are records.

Reference: `ministryofjustice/opg-data-lpa-store`, `lambda/create` and `lambda/update`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import pytest

from app.domain.change import Accepted, Change
from app.domain.changes.access import AttorneyAccessOnline, CertificateProviderAccessOnline
from app.domain.changes.attorneys import AttorneyStatusGiven, ChangeAttorneys
from app.domain.changes.correction import (
    AttorneyCorrection,
    CorrectLpa,
    CorrectRegisteredLpa,
    PersonCorrection,
    TrustCorporationCorrection,
)
from app.domain.changes.decisions import AttorneyDecisionGiven, RecordAttorneyDecisions
from app.domain.changes.identity import ConfirmIdentity
from app.domain.changes.lifecycle import TrustCorporationOptOut, Withdraw
from app.domain.changes.payments import RecordPayment
from app.domain.changes.signing import (
    ContactGiven,
    SignatoryGiven,
    SignAttorney,
    SignCertificateProvider,
    SignTrustCorporation,
)
from app.domain.codes import ProblemCode as P
from app.domain.enums import (
    AppointmentType,
    AttorneyStatus,
    Channel,
    HowAttorneysMakeDecisions,
    IdentityActor,
    IdentityCheckType,
    Language,
    LpaStatus,
)
from app.domain.problems import Problem
from app.domain.records import ActorRef, Address, IdentityCheck, Lpa
from tests.domain.builders import (
    DONOR_SIGNED,
    NOW,
    an_lpa,
    attorney,
    certificate_provider,
    donor,
    trust_corporation,
)

LATER = DONOR_SIGNED + timedelta(days=1)
EARLIER = DONOR_SIGNED - timedelta(days=1)

# --- UPDATE ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateRule:
    rule: str
    lpa: Lpa  # the LPA both changes meet, unless `allowed_lpa` is given
    refused: Change
    pointer: str
    code: P
    allowed: Change
    allowed_lpa: Lpa | None = None


CHECKED = an_lpa(
    donor=donor(
        identity_checks=(IdentityCheck(type=IdentityCheckType.ONE_LOGIN, checked_at=LATER),)
    )
)
PAPER = an_lpa(channel=Channel.PAPER, donor=donor(email=None))
UNSIGNED = an_lpa(
    attorneys=(attorney(signed_at=None),), certificate_provider=certificate_provider(signed_at=None)
)
WITH_TRUST = an_lpa(trust_corporations=(trust_corporation(signed_at=LATER),))
REPLACED = an_lpa(
    attorneys=(
        attorney(),
        attorney(1, appointment_type=AppointmentType.REPLACEMENT, status=AttorneyStatus.INACTIVE),
    )
)
SOME_JOINTLY = HowAttorneysMakeDecisions.JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS
SPLIT = an_lpa(
    attorneys=(attorney(), attorney(1)),
    how_attorneys_make_decisions=SOME_JOINTLY,
    how_attorneys_make_decisions_details="Jointly for the house.",
)
PAPER_PROVIDER = an_lpa(
    certificate_provider=certificate_provider(channel=Channel.PAPER, email=None)
)
PAPER_ATTORNEY = an_lpa(attorneys=(attorney(channel=Channel.PAPER, email=None),))
NEW_BIRTH = (("date_of_birth", DONOR_SIGNED.date().replace(year=1961)),)


def _first_attorney_uid(lpa: Lpa) -> ActorRef:
    return ActorRef(uid=lpa.attorneys[0].id)


UPDATE: list[UpdateRule] = [
    UpdateRule(
        "the donor's date of birth is fixed once their identity is checked",
        CHECKED,
        CorrectLpa(donor=PersonCorrection(NEW_BIRTH)),
        "/donor/dateOfBirth",
        P.IDENTITY_CHECKED,
        allowed=CorrectLpa(donor=PersonCorrection(NEW_BIRTH)),
        allowed_lpa=an_lpa(),
    ),
    UpdateRule(
        "the donor's date of birth is fixed once the LPA is registered",
        an_lpa(status=LpaStatus.REGISTERED),
        CorrectRegisteredLpa(donor=PersonCorrection(NEW_BIRTH)),
        "/donor/dateOfBirth",
        P.LPA_REGISTERED,
        allowed=CorrectRegisteredLpa(donor=PersonCorrection((("first_names", "Dorothy"),))),
    ),
    UpdateRule(
        "an online LPA's donor signing date is not corrected",
        an_lpa(),
        CorrectLpa(dates=(("signed_at", EARLIER),)),
        "/signedAt",
        P.SIGNED_ONLINE,
        allowed=CorrectLpa(dates=(("signed_at", EARLIER),)),
        allowed_lpa=PAPER,
    ),
    UpdateRule(
        "an online LPA's certificate provider signing date is not corrected",
        an_lpa(),
        CorrectLpa(certificate_provider=PersonCorrection((("signed_at", LATER),))),
        "/certificateProvider/signedAt",
        P.SIGNED_ONLINE,
        allowed=CorrectLpa(certificate_provider=PersonCorrection((("signed_at", LATER),))),
        allowed_lpa=PAPER,
    ),
    UpdateRule(
        "an online LPA's attorney signing date is not corrected",
        an_lpa(),
        CorrectLpa(attorneys=(AttorneyCorrection(0, (("signed_at", LATER),)),)),
        "/attorneys/0/signedAt",
        P.SIGNED_ONLINE,
        allowed=CorrectLpa(attorneys=(AttorneyCorrection(0, (("signed_at", LATER),)),)),
        allowed_lpa=PAPER,
    ),
    UpdateRule(
        "an online LPA's trust corporation signing date is not corrected",
        WITH_TRUST,
        CorrectLpa(trust_corporations=(TrustCorporationCorrection(0, (("signed_at", NOW),)),)),
        "/trustCorporations/0/signedAt",
        P.SIGNED_ONLINE,
        allowed=CorrectLpa(
            trust_corporations=(TrustCorporationCorrection(0, (("signed_at", NOW),)),)
        ),
        allowed_lpa=replace(WITH_TRUST, channel=Channel.PAPER, donor=donor(email=None)),
    ),
    UpdateRule(
        "an active attorney is not made inactive",
        REPLACED,
        ChangeAttorneys((AttorneyStatusGiven(0, AttorneyStatus.INACTIVE),)),
        "/attorneys/0/status",
        P.INVALID_STATUS_CHANGE,
        allowed=ChangeAttorneys((AttorneyStatusGiven(0, AttorneyStatus.REMOVED),)),
        allowed_lpa=replace(
            REPLACED, attorneys=(REPLACED.attorneys[0], attorney(1, status=AttorneyStatus.ACTIVE))
        ),
    ),
    UpdateRule(
        "a removed attorney is not made active",
        an_lpa(attorneys=(attorney(), attorney(1, status=AttorneyStatus.REMOVED))),
        ChangeAttorneys((AttorneyStatusGiven(1, AttorneyStatus.ACTIVE),)),
        "/attorneys/1/status",
        P.REMOVED,
        allowed=ChangeAttorneys((AttorneyStatusGiven(1, AttorneyStatus.ACTIVE),)),
        allowed_lpa=REPLACED,
    ),
    UpdateRule(
        "a signature dated before the donor's is refused when signing",
        UNSIGNED,
        SignAttorney(0, EARLIER),
        "/input/signedAt",
        P.SIGNED_BEFORE_DONOR,
        allowed=SignAttorney(0, LATER),
    ),
    UpdateRule(
        "a signature dated before the donor's is refused when correcting",
        PAPER,
        CorrectLpa(dates=(("signed_at", LATER),)),
        "/attorneys/0/signedAt",
        P.SIGNED_BEFORE_DONOR,
        allowed=CorrectLpa(dates=(("signed_at", EARLIER),)),
    ),
    UpdateRule(
        "identity is confirmed once per actor",
        CHECKED,
        ConfirmIdentity(IdentityActor.DONOR, IdentityCheckType.ONE_LOGIN, LATER),
        "/donor/identityCheck",
        P.ALREADY_CONFIRMED,
        allowed=ConfirmIdentity(
            IdentityActor.CERTIFICATE_PROVIDER, IdentityCheckType.ONE_LOGIN, LATER
        ),
    ),
    UpdateRule(
        "a payment above the fee still due is refused",
        an_lpa(),
        RecordPayment(9201, "PAY-1", LATER),
        "/input/amountPence",
        P.MORE_THAN_DUE,
        allowed=RecordPayment(9200, "PAY-1", LATER),
    ),
    UpdateRule(
        "a withdrawn LPA is not withdrawn again",
        an_lpa(status=LpaStatus.WITHDRAWN),
        Withdraw(),
        "/status",
        P.NOT_ALLOWED_IN_STATUS,
        allowed=Withdraw(),
        allowed_lpa=an_lpa(status=LpaStatus.EXPIRED),
    ),
    UpdateRule(
        "a registered LPA is not withdrawn",
        an_lpa(status=LpaStatus.REGISTERED),
        Withdraw(),
        "/status",
        P.LPA_REGISTERED,
        allowed=Withdraw(),
        allowed_lpa=an_lpa(status=LpaStatus.CANCELLED),
    ),
    UpdateRule(
        "an LPA that cannot be registered is not withdrawn",
        an_lpa(status=LpaStatus.CANNOT_REGISTER),
        Withdraw(),
        "/status",
        P.NOT_ALLOWED_IN_STATUS,
        allowed=Withdraw(),
        allowed_lpa=an_lpa(status=LpaStatus.DO_NOT_REGISTER),
    ),
    UpdateRule(
        "a trust corporation opts out only before its signatories sign",
        WITH_TRUST,
        TrustCorporationOptOut(0),
        "/trustCorporations/0/signedAt",
        P.ALREADY_SIGNED,
        allowed=TrustCorporationOptOut(0),
        allowed_lpa=an_lpa(trust_corporations=(trust_corporation(),)),
    ),
    UpdateRule(
        "an original attorney's joint decisions only where they act jointly for some",
        an_lpa(
            attorneys=(attorney(), attorney(1)),
            how_attorneys_make_decisions=(HowAttorneysMakeDecisions.JOINTLY),
        ),
        RecordAttorneyDecisions((AttorneyDecisionGiven(1, True),)),
        "/attorneys/1/cannotMakeJointDecisions",
        P.NOT_ALLOWED,
        allowed=RecordAttorneyDecisions((AttorneyDecisionGiven(1, True),)),
        allowed_lpa=SPLIT,
    ),
    UpdateRule(
        "a paper certificate provider moves online, once",
        an_lpa(),
        CertificateProviderAccessOnline("cal@example.com"),
        "/certificateProvider/channel",
        P.ALREADY_ONLINE,
        allowed=CertificateProviderAccessOnline("cal@example.com"),
        allowed_lpa=PAPER_PROVIDER,
    ),
    UpdateRule(
        "a paper attorney moves online, once",
        an_lpa(),
        AttorneyAccessOnline(0, "amy@example.com"),
        "/attorneys/0/channel",
        P.ALREADY_ONLINE,
        allowed=AttorneyAccessOnline(0, "amy@example.com"),
        allowed_lpa=PAPER_ATTORNEY,
    ),
    UpdateRule(
        "a signature's contact details keep an online signer's email",
        UNSIGNED,
        SignAttorney(0, LATER, ContactGiven(email="")),
        "/attorneys/0/email",
        P.REQUIRED,
        allowed=SignAttorney(
            0,
            LATER,
            ContactGiven(mobile="07700", email="amy@example.org", channel=Channel.ONLINE),
        ),
    ),
    UpdateRule(
        "only the certificate provider's signature carries an address",
        UNSIGNED,
        SignAttorney(0, LATER, ContactGiven(address=Address(line1="2 Road", country="GB"))),
        "/input/address",
        P.NOT_ALLOWED,
        allowed=SignCertificateProvider(
            LATER,
            ContactGiven(
                address=Address(line1="2 Road", country="GB"),
                contact_language_preference=Language.CY,
            ),
        ),
    ),
    UpdateRule(
        "an actor named by uid and position must be one actor",
        UNSIGNED,
        SignAttorney(ActorRef(position=1, uid=UNSIGNED.attorneys[0].id), LATER),
        "/input/attorney",
        P.NOT_FOUND,
        allowed=SignAttorney(_first_attorney_uid(UNSIGNED), LATER),
    ),
    UpdateRule(
        "a trust corporation signs before the donor's signature is refused",
        an_lpa(trust_corporations=(trust_corporation(),)),
        SignTrustCorporation(0, (SignatoryGiven("Sam", "Signer", EARLIER),)),
        "/input/signatories",
        P.SIGNED_BEFORE_DONOR,
        allowed=SignTrustCorporation(0, (SignatoryGiven("Sam", "Signer", LATER),)),
    ),
]


@pytest.mark.parametrize("case", UPDATE, ids=[c.rule for c in UPDATE])
def test_update_rule_refuses_its_breaking_input(case: UpdateRule) -> None:
    outcome = case.refused.decide(case.lpa, NOW, "urn:test")
    assert isinstance(outcome, list), outcome
    assert Problem(case.pointer, case.code) in outcome


@pytest.mark.parametrize("case", UPDATE, ids=[c.rule for c in UPDATE])
def test_update_rule_allows_its_twin(case: UpdateRule) -> None:
    lpa = case.allowed_lpa or case.lpa
    outcome = case.allowed.decide(lpa, NOW, "urn:test")
    assert isinstance(outcome, Accepted), outcome


def test_a_replacement_made_active_has_stepped_in() -> None:
    outcome = ChangeAttorneys((AttorneyStatusGiven(1, AttorneyStatus.ACTIVE),)).decide(
        REPLACED, NOW, "urn:test"
    )
    assert isinstance(outcome, Accepted)
    assert outcome.lpa.attorneys[1].stepped_in_at == NOW
    assert outcome.lpa.attorneys[0].stepped_in_at is None


def test_a_trust_corporation_that_opts_out_is_removed() -> None:
    lpa = an_lpa(trust_corporations=(trust_corporation(),))
    outcome = TrustCorporationOptOut(ActorRef(uid=lpa.trust_corporations[0].id)).decide(
        lpa, NOW, "urn:test"
    )
    assert isinstance(outcome, Accepted)
    [removed] = outcome.lpa.trust_corporations
    assert (removed.status, removed.opted_out_at) == (AttorneyStatus.REMOVED, NOW)


def test_moving_online_sets_the_channel_and_email() -> None:
    outcome = AttorneyAccessOnline(0, "amy@example.org").decide(PAPER_ATTORNEY, NOW, "urn:test")
    assert isinstance(outcome, Accepted)
    [moved] = outcome.lpa.attorneys
    assert (moved.channel, moved.email) == (Channel.ONLINE, "amy@example.org")


def test_a_signature_records_the_contact_details_it_carries() -> None:
    contact = ContactGiven(
        mobile="07700", channel=Channel.ONLINE, contact_language_preference=Language.CY
    )
    outcome = SignAttorney(0, LATER, contact).decide(UNSIGNED, NOW, "urn:test")
    assert isinstance(outcome, Accepted)
    [signed] = outcome.lpa.attorneys
    assert (signed.mobile, signed.contact_language_preference) == ("07700", Language.CY)
    assert signed.email == UNSIGNED.attorneys[0].email  # not given, kept


def test_every_update_rule_has_its_own_case() -> None:
    assert len({c.rule for c in UPDATE}) == len(UPDATE)
