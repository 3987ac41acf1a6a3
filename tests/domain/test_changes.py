"""Every change type, table-driven on records: each rule has a passing case and its breaking
twin. No database: the LPA is a record and the repository a fake."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from app.domain.change import Accepted, Change
from app.domain.changes import CHANGE_TYPES, EVENTS, REGISTRY
from app.domain.changes.access import AttorneyAccessOnline, CertificateProviderAccessOnline
from app.domain.changes.attorneys import AttorneyStatusGiven, ChangeAttorneys
from app.domain.changes.correction import (
    AttorneyCorrection,
    CorrectLpa,
    CorrectRegisteredLpa,
    PersonCorrection,
)
from app.domain.changes.decisions import AttorneyDecisionGiven, RecordAttorneyDecisions
from app.domain.changes.fee_reductions import DecideFeeReduction, RequestFeeReduction
from app.domain.changes.identity import ConfirmIdentity
from app.domain.changes.lifecycle import (
    AttorneyOptOut,
    CertificateProviderOptOut,
    ChangeStatus,
    Register,
    StartStatutoryWaitingPeriod,
    TrustCorporationOptOut,
    Withdraw,
)
from app.domain.changes.payments import RecordPayment
from app.domain.changes.resolution import ResolveAnomaly
from app.domain.changes.restrictions import SeverRestrictions
from app.domain.changes.signing import (
    SignatoryGiven,
    SignAttorney,
    SignCertificateProvider,
    SignTrustCorporation,
)
from app.domain.codes import ProblemCode as P
from app.domain.enums import (
    AnomalyStatus,
    AttorneyStatus,
    Channel,
    EvidenceDelivery,
    FeeDecisionOutcome,
    FeeType,
    HowAttorneysMakeDecisions,
    IdentityActor,
    IdentityCheckType,
    LpaStatus,
)
from app.domain.problems import Problem
from app.domain.records import Anomaly, CaseFile, Lpa
from tests.domain.builders import (
    DONOR_SIGNED,
    NOW,
    an_lpa,
    attorney,
    certificate_provider,
    trust_corporation,
)

LATER = DONOR_SIGNED + timedelta(days=1)
EARLIER = DONOR_SIGNED - timedelta(days=1)
FUTURE = NOW + timedelta(minutes=6)
IN_SKEW = NOW + timedelta(minutes=4)
WAITING = an_lpa(status=LpaStatus.STATUTORY_WAITING_PERIOD)
REGISTERED = an_lpa(status=LpaStatus.REGISTERED)
UNSIGNED = an_lpa(
    attorneys=(attorney(signed_at=None),),
    certificate_provider=certificate_provider(signed_at=None),
)
WITH_TRUST = an_lpa(trust_corporations=(trust_corporation(),))
TWO_ATTORNEYS = an_lpa(attorneys=(attorney(), attorney(1, status=AttorneyStatus.INACTIVE)))
PAPER_PROVIDER = an_lpa(
    certificate_provider=certificate_provider(channel=Channel.PAPER, email=None)
)
PAPER_ATTORNEY = an_lpa(attorneys=(attorney(channel=Channel.PAPER, email=None),))
SOME_JOINTLY = HowAttorneysMakeDecisions.JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS
SPLIT = an_lpa(
    attorneys=(attorney(), attorney(1)),
    how_attorneys_make_decisions=SOME_JOINTLY,
    how_attorneys_make_decisions_details="Jointly for the house.",
)
ANOMALY = Anomaly(source="/donor", code="UNDER_18", status=AnomalyStatus.DETECTED)
REQUESTED = RequestFeeReduction(FeeType.HALF, EvidenceDelivery.UPLOAD)


def pending_request() -> Lpa:
    outcome = REQUESTED.decide(an_lpa(), NOW, "online")
    assert isinstance(outcome, Accepted)
    return outcome.lpa


def signatory(at: object = LATER) -> SignatoryGiven:
    return SignatoryGiven("Sam", "Signer", at)  # type: ignore[arg-type]


def problems(*pairs: tuple[str, P]) -> list[Problem]:
    return [Problem(source, code) for source, code in pairs]


CASES: list[tuple[str, Lpa, Change, str | list[Problem]]] = [
    # signing
    ("provider signs", UNSIGNED, SignCertificateProvider(LATER), "CERTIFICATE_PROVIDER_SIGN"),
    (
        "provider signs twice",
        an_lpa(),
        SignCertificateProvider(LATER),
        problems(("/certificateProvider/signedAt", P.ALREADY_SIGNED)),
    ),
    (
        "provider signs before the donor",
        UNSIGNED,
        SignCertificateProvider(EARLIER),
        problems(("/input/signedAt", P.SIGNED_BEFORE_DONOR)),
    ),
    (
        "provider signs in the clock skew",
        UNSIGNED,
        SignCertificateProvider(IN_SKEW),
        "CERTIFICATE_PROVIDER_SIGN",
    ),
    (
        "provider signs in the future",
        UNSIGNED,
        SignCertificateProvider(FUTURE),
        problems(("/input/signedAt", P.DATE_IN_FUTURE)),
    ),
    ("attorney signs", UNSIGNED, SignAttorney(0, LATER), "ATTORNEY_SIGN"),
    (
        "no such attorney",
        UNSIGNED,
        SignAttorney(1, LATER),
        problems(("/input/attorney", P.NOT_FOUND)),
    ),
    (
        "removed attorney signs",
        an_lpa(attorneys=(attorney(signed_at=None, status=AttorneyStatus.REMOVED),)),
        SignAttorney(0, LATER),
        problems(("/attorneys/0", P.REMOVED)),
    ),
    (
        "signing a registered LPA",
        replace(UNSIGNED, status=LpaStatus.REGISTERED),
        SignAttorney(0, LATER),
        problems(("/status", P.LPA_REGISTERED)),
    ),
    (
        "two signatories",
        WITH_TRUST,
        SignTrustCorporation(0, (signatory(), signatory())),
        "TRUST_CORPORATION_SIGN",
    ),
    (
        "three signatories",
        WITH_TRUST,
        SignTrustCorporation(0, (signatory(),) * 3),
        problems(("/input/signatories", P.TOO_MANY)),
    ),
    (
        "no signatory",
        WITH_TRUST,
        SignTrustCorporation(0, ()),
        problems(("/input/signatories", P.REQUIRED)),
    ),
    (
        "a signatory before the donor",
        WITH_TRUST,
        SignTrustCorporation(0, (signatory(), signatory(EARLIER))),
        problems(("/input/signatories", P.SIGNED_BEFORE_DONOR)),
    ),
    # identity
    (
        "donor identity",
        an_lpa(),
        ConfirmIdentity(IdentityActor.DONOR, IdentityCheckType.ONE_LOGIN, LATER),
        "DONOR_CONFIRM_IDENTITY",
    ),
    (
        "provider identity checked in the future",
        an_lpa(),
        ConfirmIdentity(IdentityActor.CERTIFICATE_PROVIDER, IdentityCheckType.ONE_LOGIN, FUTURE),
        problems(("/input/checkedAt", P.DATE_IN_FUTURE)),
    ),
    # lifecycle
    ("provider opts out", UNSIGNED, CertificateProviderOptOut(), "CERTIFICATE_PROVIDER_OPT_OUT"),
    (
        "provider opts out after signing",
        an_lpa(),
        CertificateProviderOptOut(),
        problems(("/certificateProvider/signedAt", P.ALREADY_SIGNED)),
    ),
    ("attorney opts out", UNSIGNED, AttorneyOptOut(0), "ATTORNEY_OPT_OUT"),
    (
        "attorney opts out twice",
        an_lpa(attorneys=(attorney(signed_at=None, opted_out_at=LATER),)),
        AttorneyOptOut(0),
        problems(("/attorneys/0", P.ALREADY_OPTED_OUT)),
    ),
    ("withdrawn in progress", an_lpa(), Withdraw(), "DONOR_WITHDRAW_LPA"),
    ("withdrawn once registered", REGISTERED, Withdraw(), problems(("/status", P.LPA_REGISTERED))),
    ("waiting period", an_lpa(), StartStatutoryWaitingPeriod(), "STATUTORY_WAITING_PERIOD"),
    (
        "waiting period unsigned",
        UNSIGNED,
        StartStatutoryWaitingPeriod(),
        problems(
            ("/attorneys/0/signedAt", P.NOT_SIGNED), ("/certificateProvider/signedAt", P.NOT_SIGNED)
        ),
    ),
    ("register", WAITING, Register(), "REGISTER"),
    ("register in progress", an_lpa(), Register(), problems(("/status", P.NOT_ALLOWED_IN_STATUS))),
    ("cancel a registered LPA", REGISTERED, ChangeStatus(LpaStatus.CANCELLED), "OPG_STATUS_CHANGE"),
    (
        "cancel an LPA in progress",
        an_lpa(),
        ChangeStatus(LpaStatus.CANCELLED),
        problems(("/input/status", P.INVALID_STATUS_CHANGE)),
    ),
    # fees
    ("request a reduction", an_lpa(), REQUESTED, "FEE_REDUCTION_REQUEST"),
    (
        "request a full fee",
        an_lpa(),
        RequestFeeReduction(FeeType.FULL, EvidenceDelivery.UPLOAD),
        problems(("/input/type", P.NOT_A_REDUCTION)),
    ),
    (
        "request while one is pending",
        pending_request(),
        REQUESTED,
        problems(("/feeReductionRequests/0", P.FEE_REDUCTION_PENDING)),
    ),
    (
        "decide the pending request",
        pending_request(),
        DecideFeeReduction(FeeDecisionOutcome.APPROVED, FeeType.HALF),
        "FEE_REDUCTION_DECISION",
    ),
    (
        "decide without a request",
        an_lpa(),
        DecideFeeReduction(FeeDecisionOutcome.DECLINED),
        problems(("/feeReductionRequests", P.NO_FEE_REDUCTION_REQUEST)),
    ),
    ("pay", an_lpa(), RecordPayment(8200, "PAY-1", LATER), "PAYMENT"),
    (
        "pay nothing",
        an_lpa(),
        RecordPayment(0, "PAY-1", LATER),
        problems(("/input/amountPence", P.NOT_POSITIVE)),
    ),
    (
        "a reference one over its cap",
        an_lpa(),
        RecordPayment(100, "R" * 65, LATER),
        problems(("/input/reference", P.TOO_LONG)),
    ),
    ("a reference at its cap", an_lpa(), RecordPayment(100, "R" * 64, LATER), "PAYMENT"),
    # casework
    (
        "a replacement steps in",
        TWO_ATTORNEYS,
        ChangeAttorneys((AttorneyStatusGiven(1, AttorneyStatus.ACTIVE),)),
        "CHANGE_ATTORNEYS",
    ),
    (
        "nobody left to act",
        an_lpa(),
        ChangeAttorneys((AttorneyStatusGiven(0, AttorneyStatus.REMOVED),)),
        problems(("/attorneys", P.NO_ACTIVE_ATTORNEY)),
    ),
    (
        "the same attorney twice",
        TWO_ATTORNEYS,
        ChangeAttorneys(
            (
                AttorneyStatusGiven(1, AttorneyStatus.ACTIVE),
                AttorneyStatusGiven(1, AttorneyStatus.ACTIVE),
            )
        ),
        problems(("/input/changes/1", P.DUPLICATE)),
    ),
    (
        "sever restrictions",
        an_lpa(restrictions_and_conditions="Do not sell the house. Ever."),
        SeverRestrictions("Do not sell the house."),
        "SEVER_RESTRICTIONS_AND_CONDITIONS",
    ),
    (
        "severance that adds text",
        an_lpa(restrictions_and_conditions="Short."),
        SeverRestrictions("Longer text."),
        problems(("/input/restrictionsAndConditions", P.NOT_SHORTER)),
    ),
    (
        "resolve an anomaly",
        an_lpa(case=CaseFile(anomalies=(ANOMALY,))),
        ResolveAnomaly("/donor", "UNDER_18"),
        "RESOLVE_ANOMALY",
    ),
    (
        "resolve one already resolved",
        an_lpa(case=CaseFile(anomalies=(replace(ANOMALY, status=AnomalyStatus.RESOLVED),))),
        ResolveAnomaly("/donor", "UNDER_18"),
        problems(("/input", P.NOT_FOUND)),
    ),
    # corrections
    (
        "correct the donor's name",
        an_lpa(),
        CorrectLpa(donor=PersonCorrection((("first_names", "Dorothy"),))),
        "CORRECTION",
    ),
    (
        "clear the donor's name",
        an_lpa(),
        CorrectLpa(donor=PersonCorrection((("first_names", " "),))),
        problems(("/input/donor/firstNames", P.REQUIRED)),
    ),
    (
        "a name one over its cap",
        an_lpa(),
        CorrectLpa(attorneys=(AttorneyCorrection(0, (("last_name", "x" * 101),)),)),
        problems(("/input/attorneys/0/lastName", P.TOO_LONG)),
    ),
    (
        "a name at its cap",
        an_lpa(),
        CorrectLpa(attorneys=(AttorneyCorrection(0, (("last_name", "x" * 100),)),)),
        "CORRECTION",
    ),
    (
        "a correction that changes nothing",
        an_lpa(),
        CorrectLpa(donor=PersonCorrection((("first_names", "Dora"),))),
        problems(("/input", P.NOTHING_TO_CHANGE)),
    ),
    (
        "a correction that breaks a rule",
        an_lpa(),
        CorrectLpa(attorneys=(AttorneyCorrection(0, (("email", None),)),)),
        problems(("/attorneys/0/email", P.REQUIRED)),
    ),
    (
        "correct a registered paper LPA",
        replace(REGISTERED, channel=Channel.PAPER),
        CorrectRegisteredLpa(dates=(("signed_at", EARLIER),)),
        "POST_REGISTRATION_CORRECTION",
    ),
    (
        "a post-registration correction before registration",
        an_lpa(),
        CorrectRegisteredLpa(dates=(("signed_at", EARLIER),)),
        problems(("/status", P.NOT_ALLOWED_IN_STATUS)),
    ),
    # new change types, as the LPA store has them
    (
        "a trust corporation opts out",
        WITH_TRUST,
        TrustCorporationOptOut(0),
        "TRUST_CORPORATION_OPT_OUT",
    ),
    (
        "a trust corporation opts out after signing",
        an_lpa(trust_corporations=(trust_corporation(signed_at=LATER),)),
        TrustCorporationOptOut(0),
        problems(("/trustCorporations/0/signedAt", P.ALREADY_SIGNED)),
    ),
    (
        "no such trust corporation",
        WITH_TRUST,
        TrustCorporationOptOut(1),
        problems(("/input/trustCorporation", P.NOT_FOUND)),
    ),
    (
        "attorney decisions where some act jointly",
        SPLIT,
        RecordAttorneyDecisions((AttorneyDecisionGiven(1, True),)),
        "ATTORNEY_DECISIONS",
    ),
    (
        "attorney decisions where all act jointly",
        an_lpa(),
        RecordAttorneyDecisions((AttorneyDecisionGiven(0, True),)),
        problems(("/attorneys/0/cannotMakeJointDecisions", P.NOT_ALLOWED)),
    ),
    (
        "a paper certificate provider moves online",
        PAPER_PROVIDER,
        CertificateProviderAccessOnline("cal@example.com"),
        "PAPER_CERTIFICATE_PROVIDER_ACCESS_ONLINE",
    ),
    (
        "an online certificate provider moves online",
        an_lpa(),
        CertificateProviderAccessOnline("cal@example.com"),
        problems(("/certificateProvider/channel", P.ALREADY_ONLINE)),
    ),
    (
        "a paper attorney moves online",
        PAPER_ATTORNEY,
        AttorneyAccessOnline(0, "amy@example.com"),
        "PAPER_ATTORNEY_ACCESS_ONLINE",
    ),
    (
        "a paper attorney moves online without an email",
        PAPER_ATTORNEY,
        AttorneyAccessOnline(0, " "),
        problems(("/input/email", P.REQUIRED)),
    ),
    (
        "a pre-registration correction once registered",
        REGISTERED,
        CorrectLpa(dates=(("signed_at", EARLIER),)),
        problems(("/status", P.LPA_REGISTERED)),
    ),
]


@pytest.mark.parametrize(
    ("lpa", "change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_rule_of_each_change(lpa: Lpa, change: Change, expected: str | list[Problem]) -> None:
    outcome = change.decide(lpa, NOW, "urn:test")
    if isinstance(expected, str):
        assert isinstance(outcome, Accepted), outcome
        assert outcome.event == expected
        assert outcome.lpa != lpa
    else:
        assert outcome == expected


def test_every_change_type_has_a_passing_and_a_breaking_case() -> None:
    passing = {type(c) for _, _, c, e in CASES if isinstance(e, str)}
    breaking = {type(c) for _, _, c, e in CASES if not isinstance(e, str)}
    assert passing == breaking == set(CHANGE_TYPES)


def test_every_accepted_event_is_registered() -> None:
    assert {e for *_, e in CASES if isinstance(e, str)} <= EVENTS


def test_the_registry_names_each_type_by_its_operation() -> None:
    assert len(REGISTRY) == len(CHANGE_TYPES)
    assert all(REGISTRY[c.operation] is c for c in CHANGE_TYPES)


def test_signing_records_what_was_signed() -> None:
    outcome = SignTrustCorporation(
        0, (signatory(LATER), signatory(LATER + timedelta(hours=1)))
    ).decide(WITH_TRUST, NOW, "urn:test")
    assert isinstance(outcome, Accepted)
    [signed] = outcome.lpa.trust_corporations
    assert signed.signed_at == LATER + timedelta(hours=1)  # when the last one signed
    assert [s.signed_at for s in signed.signatories] == [LATER, LATER + timedelta(hours=1)]


def test_a_provider_opting_out_stops_the_lpa() -> None:
    outcome = CertificateProviderOptOut().decide(UNSIGNED, NOW, "urn:test")
    assert isinstance(outcome, Accepted)
    assert outcome.lpa.status is LpaStatus.CANNOT_REGISTER
    assert outcome.lpa.certificate_provider.opted_out_at == NOW


def test_a_correction_names_only_the_lpas_dates() -> None:
    with pytest.raises(ValueError, match="not a correctable date"):
        CorrectLpa(dates=(("registration_date", EARLIER),))
