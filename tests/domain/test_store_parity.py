"""OPG's LPA store, rule by rule: each rule is a case with its valid twin, the input that breaks
it and the JSON pointer (the store's own) where the problem shows. No database: LPAs are records.

Reference: `ministryofjustice/opg-data-lpa-store`, `lambda/create` and `lambda/update`.
Two self-contained sections: CREATE (`createLpa`'s decision, `app.domain.create.decide_create`),
then UPDATE (the change types).
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable

# =============================================================================================
# CREATE: createLpa's decision. An online LPA that breaks a rule is refused with exactly the
# problems below; a paper one is stored with them as anomalies (actor UIDs refuse either).
# =============================================================================================
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from app.domain.assemble import new_lpa
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
from app.domain.codes import ProblemCode
from app.domain.codes import ProblemCode as P
from app.domain.create import CreateDecision, decide_create
from app.domain.draft import (
    AddressDraft,
    AttorneyDraft,
    IndependentWitnessDraft,
    LpaDraft,
    TrustCorporationDraft,
)
from app.domain.enums import (
    AppointmentType,
    AttorneyStatus,
    Channel,
    HowAttorneysMakeDecisions,
    HowReplacementAttorneysStepIn,
    IdentityActor,
    IdentityCheckType,
    Language,
    LifeSustainingTreatmentOption,
    LpaStatus,
    LpaType,
    WhenTheLpaCanBeUsed,
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

C_NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)
C_SIGNED = datetime(2026, 11, 2, 10, tzinfo=UTC)
C_FUTURE = C_NOW + timedelta(hours=1)
C_UIDS = [str(uuid.UUID(int=n, version=4)) for n in range(1, 10)]
ORIGINAL, REPLACEMENT = AppointmentType.ORIGINAL, AppointmentType.REPLACEMENT
JOINTLY = HowAttorneysMakeDecisions.JOINTLY
SEVERALLY = HowAttorneysMakeDecisions.JOINTLY_AND_SEVERALLY
SOME_FOR_SOME = HowAttorneysMakeDecisions.JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS
ALL_CANNOT_ACT = HowReplacementAttorneysStepIn.ALL_CAN_NO_LONGER_ACT
ONE_CANNOT_ACT = HowReplacementAttorneysStepIn.ONE_CAN_NO_LONGER_ACT


def c_address(line1: str = "1 High Street") -> AddressDraft:
    return {
        "line1": line1,
        "line2": None,
        "line3": None,
        "town": "Cardiff",
        "postcode": "CF10 1AA",
        "country": "GB",
    }


def c_attorney(appointment: AppointmentType = ORIGINAL, **values: Any) -> AttorneyDraft:
    attorney: AttorneyDraft = {
        "first_names": "Ada",
        "last_name": "Lovelace",
        "date_of_birth": date(1980, 2, 3),
        "email": "ada@example.com",
        "mobile": None,
        "channel": Channel.ONLINE,
        "appointment_type": appointment,
        "address": c_address("2 Attorney Road"),
    }
    return {**attorney, **values}  # type: ignore[typeddict-item]


def c_trust(appointment: AppointmentType = ORIGINAL, **values: Any) -> TrustCorporationDraft:
    trust: TrustCorporationDraft = {
        "name": "Acme Trustees Ltd",
        "company_number": "01234567",
        "email": "trust@example.com",
        "channel": Channel.ONLINE,
        "appointment_type": appointment,
        "address": c_address("3 Trust Square"),
    }
    return {**trust, **values}  # type: ignore[typeddict-item]


def c_witness(**values: Any) -> IndependentWitnessDraft:
    witness: IndependentWitnessDraft = {
        "first_names": "Wyn",
        "last_name": "Witness",
        "phone": "07700 900002",
        "address": c_address("4 Witness Way"),
    }
    return {**witness, **values}  # type: ignore[typeddict-item]


def c_draft(**values: Any) -> LpaDraft:
    """An online property-and-affairs LPA, one original attorney, that keeps every rule."""
    draft: LpaDraft = {
        "lpa_type": LpaType.PROPERTY_AND_AFFAIRS,
        "channel": Channel.ONLINE,
        "language": Language.EN,
        "donor": {
            "first_names": "Dora",
            "last_name": "Dunmore",
            "date_of_birth": date(1950, 1, 1),
            "email": "dora@example.com",
            "other_names_known_by": None,
            "contact_language_preference": Language.EN,
            "address": c_address(),
        },
        "attorneys": [c_attorney()],
        "trust_corporations": [],
        "certificate_provider": {
            "first_names": "Cerys",
            "last_name": "Pryce",
            "email": "cerys@example.com",
            "phone": "07700 900001",
            "channel": Channel.ONLINE,
            "address": c_address("9 Provider Road"),
        },
        "people_to_notify": [],
        "how_attorneys_make_decisions": None,
        "how_attorneys_make_decisions_details": None,
        "how_replacement_attorneys_make_decisions": None,
        "how_replacement_attorneys_make_decisions_details": None,
        "how_replacement_attorneys_step_in": None,
        "how_replacement_attorneys_step_in_details": None,
        "when_the_lpa_can_be_used": WhenTheLpaCanBeUsed.WHEN_HAS_CAPACITY,
        "life_sustaining_treatment_option": None,
        "restrictions_and_conditions": None,
        "signed_at": C_SIGNED,
        "witnessed_by_certificate_provider_at": C_SIGNED,
    }
    return copy.deepcopy({**draft, **values})  # type: ignore[typeddict-item]


def c_welfare(**values: Any) -> LpaDraft:
    return c_draft(
        **{
            "lpa_type": LpaType.PERSONAL_WELFARE,
            "when_the_lpa_can_be_used": None,
            "life_sustaining_treatment_option": LifeSustainingTreatmentOption.OPTION_A,
            **values,
        }
    )


def c_with(draft: LpaDraft, path: tuple[str | int, ...], value: Any) -> LpaDraft:
    """The draft with the value at `path` (snake_case keys and positions) replaced."""
    changed = copy.deepcopy(draft)
    node: Any = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


def c_everyone(**values: Any) -> LpaDraft:
    """An LPA with one of every kind of actor, so that each can be broken in place."""
    return c_draft(
        **{
            "attorneys": [c_attorney(), c_attorney()],
            "trust_corporations": [c_trust()],
            "how_attorneys_make_decisions": JOINTLY,
            "people_to_notify": [
                {"first_names": "Nia", "last_name": "Nkemelu", "address": c_address("5 Lane")}
            ],
            "independent_witness": c_witness(),
            "witnessed_by_independent_witness_at": C_SIGNED,
            "authorised_signatory": {"first_names": "Sam", "last_name": "Signer"},
            **values,
        }
    )


def c_one(source: str, code: ProblemCode) -> list[Problem]:
    return [Problem(source, code)]


REQUIRED, NOT_ALLOWED = ProblemCode.REQUIRED, ProblemCode.NOT_ALLOWED
Draft = Callable[[], LpaDraft]

# Not blank after trimming: a blank is "", spaces, a tab or a newline.
_BLANKABLE: list[tuple[tuple[str | int, ...], str]] = [
    (("donor", "first_names"), "/donor/firstNames"),
    (("donor", "last_name"), "/donor/lastName"),
    (("attorneys", 1, "first_names"), "/attorneys/1/firstNames"),
    (("attorneys", 0, "last_name"), "/attorneys/0/lastName"),
    (("certificate_provider", "first_names"), "/certificateProvider/firstNames"),
    (("certificate_provider", "last_name"), "/certificateProvider/lastName"),
    (("people_to_notify", 0, "first_names"), "/peopleToNotify/0/firstNames"),
    (("people_to_notify", 0, "last_name"), "/peopleToNotify/0/lastName"),
    (("independent_witness", "first_names"), "/independentWitness/firstNames"),
    (("independent_witness", "last_name"), "/independentWitness/lastName"),
    (("authorised_signatory", "first_names"), "/authorisedSignatory/firstNames"),
    (("authorised_signatory", "last_name"), "/authorisedSignatory/lastName"),
    (("trust_corporations", 0, "name"), "/trustCorporations/0/name"),
    (("donor", "address", "line1"), "/donor/address/line1"),
    (("attorneys", 1, "address", "line1"), "/attorneys/1/address/line1"),
    (("trust_corporations", 0, "address", "line1"), "/trustCorporations/0/address/line1"),
    (("certificate_provider", "address", "line1"), "/certificateProvider/address/line1"),
    (("people_to_notify", 0, "address", "line1"), "/peopleToNotify/0/address/line1"),
    (("independent_witness", "address", "line1"), "/independentWitness/address/line1"),
    (("certificate_provider", "phone"), "/certificateProvider/phone"),
    (("independent_witness", "phone"), "/independentWitness/phone"),
]
_BLANKS = ["", " ", "\t", " \n "]

CREATE_CASES: list[Any] = [
    *(
        pytest.param(
            c_everyone,
            lambda path=path, blank=blank: c_with(c_everyone(), path, blank),
            c_one(source, REQUIRED),
            id=f"not-blank{source}-{i}",
        )
        for path, source in _BLANKABLE
        for i, blank in enumerate(_BLANKS)
    ),
    # dates: the donor's signature and its witnessing always; the witness's when there is one
    pytest.param(
        c_draft,
        lambda: c_draft(signed_at=None),
        c_one("/signedAt", REQUIRED),
        id="signed-at-required",
    ),
    pytest.param(
        c_draft,
        lambda: c_draft(witnessed_by_certificate_provider_at=None),
        c_one("/witnessedByCertificateProviderAt", REQUIRED),
        id="witnessed-by-certificate-provider-at-required",
    ),
    pytest.param(
        c_everyone,
        lambda: c_everyone(witnessed_by_independent_witness_at=None),
        c_one("/witnessedByIndependentWitnessAt", REQUIRED),
        id="witnessed-by-independent-witness-at-required-with-a-witness",
    ),
    pytest.param(
        lambda: c_draft(signed_at=C_NOW),
        lambda: c_draft(signed_at=C_FUTURE),
        c_one("/signedAt", ProblemCode.DATE_IN_FUTURE),
        id="signed-at-not-in-future",
    ),
    pytest.param(
        c_draft,
        lambda: c_draft(witnessed_by_certificate_provider_at=C_FUTURE),
        c_one("/witnessedByCertificateProviderAt", ProblemCode.DATE_IN_FUTURE),
        id="witnessed-by-certificate-provider-at-not-in-future",
    ),
    pytest.param(
        c_everyone,
        lambda: c_everyone(witnessed_by_independent_witness_at=C_FUTURE),
        c_one("/witnessedByIndependentWitnessAt", ProblemCode.DATE_IN_FUTURE),
        id="witnessed-by-independent-witness-at-not-in-future",
    ),
    pytest.param(
        lambda: c_draft(certificate_provider_not_related_confirmed_at=C_SIGNED),
        lambda: c_draft(certificate_provider_not_related_confirmed_at=C_FUTURE),
        c_one("/certificateProviderNotRelatedConfirmedAt", ProblemCode.DATE_IN_FUTURE),
        id="not-related-confirmed-at-not-in-future",
    ),
    pytest.param(
        lambda: c_with(
            c_draft(),
            ("donor", "identity_check"),
            {"checked_at": C_SIGNED, "type": IdentityCheckType.ONE_LOGIN},
        ),
        lambda: c_with(
            c_draft(),
            ("donor", "identity_check"),
            {"checked_at": C_FUTURE, "type": IdentityCheckType.ONE_LOGIN},
        ),
        c_one("/donor/identityCheck/checkedAt", ProblemCode.DATE_IN_FUTURE),
        id="identity-check-not-in-future",
    ),
    # the donor: contact language required
    pytest.param(
        c_draft,
        lambda: c_with(c_draft(), ("donor", "contact_language_preference"), None),
        c_one("/donor/contactLanguagePreference", REQUIRED),
        id="contact-language-required",
    ),
    # howAttorneysMakeDecisions: refused with one active attorney (defaulted with more)
    pytest.param(
        c_draft,
        lambda: c_draft(how_attorneys_make_decisions=JOINTLY),
        c_one("/howAttorneysMakeDecisions", NOT_ALLOWED),
        id="decision-mode-refused-with-one-active",
    ),
    pytest.param(
        lambda: c_draft(attorneys=[c_attorney(), c_attorney(status=AttorneyStatus.INACTIVE)]),
        lambda: c_draft(
            attorneys=[c_attorney(), c_attorney(status=AttorneyStatus.INACTIVE)],
            how_attorneys_make_decisions=SEVERALLY,
        ),
        c_one("/howAttorneysMakeDecisions", NOT_ALLOWED),
        id="decision-mode-counts-active-by-status",
    ),
    # howReplacementAttorneysMakeDecisions: only where the store asks for it
    pytest.param(
        lambda: c_draft(attorneys=[c_attorney(), c_attorney(REPLACEMENT)]),
        lambda: c_draft(
            attorneys=[c_attorney(), c_attorney(REPLACEMENT)],
            how_replacement_attorneys_make_decisions=JOINTLY,
        ),
        c_one("/howReplacementAttorneysMakeDecisions", NOT_ALLOWED),
        id="replacement-mode-refused-with-one-replacement",
    ),
    pytest.param(
        lambda: c_draft(
            attorneys=[c_attorney(), c_attorney()] + [c_attorney(REPLACEMENT)] * 2,
            how_attorneys_make_decisions=SEVERALLY,
            how_replacement_attorneys_step_in=ONE_CANNOT_ACT,
        ),
        lambda: c_draft(
            attorneys=[c_attorney(), c_attorney()] + [c_attorney(REPLACEMENT)] * 2,
            how_attorneys_make_decisions=SEVERALLY,
            how_replacement_attorneys_step_in=ONE_CANNOT_ACT,
            how_replacement_attorneys_make_decisions=JOINTLY,
        ),
        c_one("/howReplacementAttorneysMakeDecisions", NOT_ALLOWED),
        id="replacement-mode-refused-severally-one-cannot-act",
    ),
    pytest.param(
        lambda: c_draft(
            attorneys=[c_attorney(), c_attorney()] + [c_attorney(REPLACEMENT)] * 2,
            how_attorneys_make_decisions=SOME_FOR_SOME,
            how_attorneys_make_decisions_details="Severally for bills.",
        ),
        lambda: c_draft(
            attorneys=[c_attorney(), c_attorney()] + [c_attorney(REPLACEMENT)] * 2,
            how_attorneys_make_decisions=SOME_FOR_SOME,
            how_attorneys_make_decisions_details="Severally for bills.",
            how_replacement_attorneys_make_decisions=JOINTLY,
        ),
        c_one("/howReplacementAttorneysMakeDecisions", NOT_ALLOWED),
        id="replacement-mode-refused-jointly-for-some",
    ),
    # stricter than the store, on purpose (docs/problem-codes.md says why)
    pytest.param(
        lambda: c_draft(trust_corporations=[c_trust(REPLACEMENT)]),
        lambda: c_welfare(trust_corporations=[c_trust(REPLACEMENT)]),
        c_one("/trustCorporations", NOT_ALLOWED),
        id="stricter-no-trust-corporation-on-personal-welfare",
    ),
    pytest.param(
        lambda: c_with(c_draft(), ("donor", "date_of_birth"), date(2008, 11, 23)),
        lambda: c_with(c_draft(), ("donor", "date_of_birth"), date(2008, 11, 24)),
        c_one("/donor/dateOfBirth", ProblemCode.UNDER_18),
        id="stricter-donor-18-or-over",
    ),
    pytest.param(
        lambda: c_with(c_draft(), ("attorneys", 0, "date_of_birth"), date(2008, 11, 23)),
        lambda: c_with(c_draft(), ("attorneys", 0, "date_of_birth"), date(2008, 11, 24)),
        c_one("/attorneys/0/dateOfBirth", ProblemCode.UNDER_18),
        id="stricter-attorney-18-or-over",
    ),
    pytest.param(
        lambda: c_draft(people_to_notify=c_everyone()["people_to_notify"] * 5),
        lambda: c_draft(people_to_notify=c_everyone()["people_to_notify"] * 6),
        c_one("/peopleToNotify", ProblemCode.TOO_MANY),
        id="stricter-at-most-five-people-to-notify",
    ),
]

# Actor UIDs: kept when given, refused on either channel when not a UUID or repeated.
_UID_HOLDERS: list[tuple[tuple[str | int, ...], str]] = [
    (("donor",), "/donor/uid"),
    (("attorneys", 1), "/attorneys/1/uid"),
    (("trust_corporations", 0), "/trustCorporations/0/uid"),
    (("certificate_provider",), "/certificateProvider/uid"),
    (("independent_witness",), "/independentWitness/uid"),
    (("authorised_signatory",), "/authorisedSignatory/uid"),
]
_NOT_UUIDS = ["", "not-a-uuid", C_UIDS[0][:-1], C_UIDS[0] + "0", "{" + C_UIDS[0] + "}"]


def c_with_uids() -> LpaDraft:
    """Every actor that may carry a UID carries a distinct one."""
    draft = c_everyone()
    for (path, _), given in zip(_UID_HOLDERS, C_UIDS, strict=False):
        draft = c_with(draft, (*path, "uid"), given)
    return c_with(draft, ("attorneys", 0, "uid"), C_UIDS[8])


UID_CASES: list[Any] = [
    *(
        pytest.param(
            c_with_uids,
            lambda path=path, bad=bad: c_with(c_with_uids(), (*path, "uid"), bad),
            c_one(source, ProblemCode.INVALID_UUID),
            id=f"uid-not-a-uuid{source}-{i}",
        )
        for path, source in _UID_HOLDERS
        for i, bad in enumerate(_NOT_UUIDS)
    ),
    *(
        pytest.param(
            c_with_uids,
            lambda path=path: c_with(c_with_uids(), (*path, "uid"), C_UIDS[8]),
            c_one(source, ProblemCode.DUPLICATE),
            id=f"uid-repeated{source}",
        )
        for path, source in _UID_HOLDERS
        if source != "/donor/uid"  # the first holder of a UID keeps it; later ones repeat it
    ),
    pytest.param(
        c_with_uids,
        lambda: c_with(c_with_uids(), ("attorneys", 0, "uid"), C_UIDS[1].upper()),
        c_one("/attorneys/1/uid", ProblemCode.DUPLICATE),
        id="uid-repeated-in-another-case",
    ),
]


def c_decide(draft: LpaDraft, taken: frozenset[uuid.UUID] = frozenset()) -> CreateDecision:
    return decide_create(draft, C_NOW, taken)


@pytest.mark.parametrize(("valid", "broken", "expected"), CREATE_CASES + UID_CASES)
def test_create_rule_valid_twin_and_breaking_input(
    valid: Draft, broken: Draft, expected: list[Problem]
) -> None:
    assert c_decide(valid()).refusals == ()
    decision = c_decide(broken())
    assert not decision.accepted
    assert list(decision.refusals) == expected


@pytest.mark.parametrize(("valid", "broken", "expected"), CREATE_CASES)
def test_create_rule_on_paper_is_kept_as_an_anomaly(
    valid: Draft, broken: Draft, expected: list[Problem]
) -> None:
    paper = c_with(broken(), ("channel",), Channel.PAPER)
    decision = c_decide(paper)
    assert decision.accepted
    assert list(decision.problems) == expected


@pytest.mark.parametrize(("valid", "broken", "expected"), UID_CASES)
def test_create_uid_problems_refuse_paper_too(
    valid: Draft, broken: Draft, expected: list[Problem]
) -> None:
    decision = c_decide(c_with(broken(), ("channel",), Channel.PAPER))
    assert list(decision.refusals) == expected
    assert not decision.accepted


def test_create_uid_held_by_another_lpa_is_refused() -> None:
    taken = frozenset({uuid.UUID(C_UIDS[3])})
    assert c_decide(c_with_uids()).accepted
    decision = c_decide(c_with_uids(), taken)
    assert list(decision.refusals) == c_one("/certificateProvider/uid", ProblemCode.DUPLICATE)
    paper = c_decide(c_with(c_with_uids(), ("channel",), Channel.PAPER), taken)
    assert not paper.accepted


# Inputs the store accepts that the gateway refused before: each is accepted now.
STORE_ACCEPTS: list[Any] = [
    pytest.param(lambda: c_with(c_draft(), ("donor", "email"), None), id="online-donor-no-email"),
    pytest.param(lambda: c_with(c_draft(), ("donor", "email"), ""), id="online-donor-empty-email"),
    pytest.param(
        lambda: c_draft(channel=Channel.PAPER, certificate_provider=c_paper_provider()),
        id="paper-donor-with-email",
    ),
    pytest.param(
        lambda: c_draft(attorneys=[c_attorney(), c_attorney()]), id="two-attorneys-no-mode"
    ),
    pytest.param(lambda: c_draft(trust_corporations=[c_trust()]), id="attorney-and-trust-no-mode"),
    pytest.param(lambda: c_draft(when_the_lpa_can_be_used=None), id="no-when-used"),
    pytest.param(lambda: c_welfare(life_sustaining_treatment_option=None), id="no-life-sustaining"),
    pytest.param(c_with_uids, id="actor-uids-statuses-witness-signatory"),
    pytest.param(
        lambda: c_draft(
            attorneys=[c_attorney(status=AttorneyStatus.ACTIVE)]
            + [c_attorney(REPLACEMENT, status=AttorneyStatus.INACTIVE)] * 2,
            certificate_provider_not_related_confirmed_at=C_SIGNED,
        ),
        id="statuses-and-not-related-confirmation",
    ),
]


def c_paper_provider() -> Any:
    provider = c_draft()["certificate_provider"]
    return {**provider, "channel": Channel.PAPER, "email": None}


@pytest.mark.parametrize("draft", STORE_ACCEPTS)
def test_create_accepts_what_the_store_accepts(draft: Draft) -> None:
    decision = c_decide(draft())
    assert decision.refusals == ()
    assert decision.problems == ()


# Defaults, as the store applies them, each recorded as defaulted.
DEFAULT_CASES: list[Any] = [
    pytest.param(
        lambda: c_draft(attorneys=[c_attorney(), c_attorney()]),
        {"how_attorneys_make_decisions": JOINTLY},
        id="two-active-attorneys-act-jointly",
    ),
    pytest.param(
        lambda: c_draft(trust_corporations=[c_trust()]),
        {"how_attorneys_make_decisions": JOINTLY},
        id="a-trust-corporation-counts",
    ),
    pytest.param(
        lambda: c_draft(attorneys=[c_attorney()] + [c_attorney(REPLACEMENT)] * 2),
        {"how_replacement_attorneys_make_decisions": JOINTLY},
        id="replacements-of-one-active-attorney",
    ),
    pytest.param(
        lambda: c_draft(attorneys=[c_attorney()] * 2 + [c_attorney(REPLACEMENT)] * 2),
        {
            "how_attorneys_make_decisions": JOINTLY,
            "how_replacement_attorneys_make_decisions": JOINTLY,
        },
        id="defaulted-jointly-asks-for-replacements-mode",
    ),
    pytest.param(
        lambda: c_draft(
            attorneys=[c_attorney()] * 2 + [c_attorney(REPLACEMENT)] * 2,
            how_attorneys_make_decisions=SEVERALLY,
            how_replacement_attorneys_step_in=ALL_CANNOT_ACT,
        ),
        {"how_replacement_attorneys_make_decisions": JOINTLY},
        id="severally-until-all-cannot-act",
    ),
    pytest.param(
        lambda: c_draft(when_the_lpa_can_be_used=None),
        {"when_the_lpa_can_be_used": WhenTheLpaCanBeUsed.WHEN_HAS_CAPACITY},
        id="property-and-affairs-when-has-capacity",
    ),
    pytest.param(
        lambda: c_welfare(life_sustaining_treatment_option=None),
        {"life_sustaining_treatment_option": LifeSustainingTreatmentOption.OPTION_B},
        id="personal-welfare-option-b",
    ),
]


@pytest.mark.parametrize(("draft", "filled"), DEFAULT_CASES)
def test_create_defaults_are_applied_and_recorded(draft: Draft, filled: dict[str, Any]) -> None:
    decision = c_decide(draft())
    assert decision.accepted
    assert {name: decision.draft[name] for name in filled} == filled  # type: ignore[literal-required]
    assert decision.defaulted == frozenset(filled)
    lpa = new_lpa(
        decision.draft, uid="M-0000-0000-0000", client="c", at=C_NOW, defaulted=decision.defaulted
    )
    flags = {
        name: getattr(lpa, f"{name}_is_default")
        for name in (
            "how_attorneys_make_decisions",
            "how_replacement_attorneys_make_decisions",
            "when_the_lpa_can_be_used",
            "life_sustaining_treatment_option",
        )
    }
    assert {name for name, flag in flags.items() if flag} == set(filled)


@pytest.mark.parametrize(("draft", "filled"), DEFAULT_CASES)
def test_create_a_given_value_is_not_a_default(draft: Draft, filled: dict[str, Any]) -> None:
    given = draft()
    for name in filled:
        given[name] = filled[name]  # type: ignore[literal-required]
    decision = c_decide(given)
    assert decision.accepted
    assert decision.defaulted == frozenset()


def test_create_keeps_given_uids_and_issues_the_rest() -> None:
    draft = c_with_uids()
    draft["people_to_notify"] = draft["people_to_notify"] * 2
    lpa = new_lpa(c_decide(draft).draft, uid="M-0000-0000-0000", client="c", at=C_NOW)
    assert str(lpa.donor.id) == C_UIDS[0]
    assert [str(a.id) for a in lpa.attorneys] == [C_UIDS[8], C_UIDS[1]]
    assert str(lpa.trust_corporations[0].id) == C_UIDS[2]
    assert str(lpa.certificate_provider.id) == C_UIDS[3]
    assert lpa.independent_witness is not None
    assert str(lpa.independent_witness.id) == C_UIDS[4]
    assert lpa.authorised_signatory is not None
    assert str(lpa.authorised_signatory.id) == C_UIDS[5]
    issued = [p.id for p in lpa.people_to_notify]
    assert len(set(issued)) == 2
    assert not {str(i) for i in issued} & set(C_UIDS)
    bare = new_lpa(c_draft(), uid="M-0000-0000-0000", client="c", at=C_NOW)
    assert (
        bare.donor.id != new_lpa(c_draft(), uid="M-0000-0000-0000", client="c", at=C_NOW).donor.id
    )


def test_create_statuses_default_by_appointment_and_are_kept_when_given() -> None:
    draft = c_draft(
        attorneys=[
            c_attorney(),
            c_attorney(REPLACEMENT),
            c_attorney(REPLACEMENT, status=AttorneyStatus.ACTIVE),
            c_attorney(status=AttorneyStatus.REMOVED),
        ],
        trust_corporations=[c_trust(REPLACEMENT), c_trust(status=AttorneyStatus.INACTIVE)],
        how_attorneys_make_decisions=JOINTLY,
    )
    lpa = new_lpa(c_decide(draft).draft, uid="M-0000-0000-0000", client="c", at=C_NOW)
    assert [a.status for a in lpa.attorneys] == [
        AttorneyStatus.ACTIVE,
        AttorneyStatus.INACTIVE,
        AttorneyStatus.ACTIVE,
        AttorneyStatus.REMOVED,
    ]
    assert [t.status for t in lpa.trust_corporations] == [
        AttorneyStatus.INACTIVE,
        AttorneyStatus.INACTIVE,
    ]


def test_create_keeps_identity_checks_witness_and_signatory() -> None:
    check = {"checked_at": C_SIGNED, "type": IdentityCheckType.OPG_PAPER_ID}
    draft = c_with(c_everyone(), ("certificate_provider", "identity_check"), check)
    draft["certificate_provider_not_related_confirmed_at"] = C_SIGNED
    lpa = new_lpa(c_decide(draft).draft, uid="M-0000-0000-0000", client="c", at=C_NOW)
    assert [(c.type, c.checked_at) for c in lpa.certificate_provider.identity_checks] == [
        (IdentityCheckType.OPG_PAPER_ID, C_SIGNED)
    ]
    assert lpa.donor.identity_checks == ()
    assert lpa.independent_witness is not None
    assert (lpa.independent_witness.first_names, lpa.independent_witness.phone) == (
        "Wyn",
        "07700 900002",
    )
    assert lpa.authorised_signatory is not None
    assert lpa.authorised_signatory.last_name == "Signer"
    assert lpa.witnessed_by_independent_witness_at == C_SIGNED
    assert lpa.certificate_provider_not_related_confirmed_at == C_SIGNED


# ==================== UPDATE ====================

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
