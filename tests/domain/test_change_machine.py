"""A stateful property test: random sequences of every change type, each from a caller whose
policy grants its mutation, against the domain alone (records, the runner, a fake
repository). After every step the LPA must still mean what it meant:

- a registered LPA has a registration date and every signature registration waits for;
- no signature is dated before the donor's;
- a removed attorney or trust corporation stays removed;
- the version equals the number of history rows (CREATE is the first);
- an online LPA breaks no rule that createLpa would refuse.

The last test plants bugs in change types and asserts the machine finds each.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import date, timedelta
from typing import Any, TypeVar, cast

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from app.authz.policy import load_policy
from app.domain.assemble import as_draft
from app.domain.change import Change, refuse, signed_before_donor
from app.domain.changes import CHANGE_TYPES, EVENTS, REGISTRY, access, attorneys
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
    ContactGiven,
    SignatoryGiven,
    SignAttorney,
    SignCertificateProvider,
    SignTrustCorporation,
)
from app.domain.codes import ProblemCode
from app.domain.enums import (
    AnomalyStatus,
    AppointmentType,
    AttorneyStatus,
    Channel,
    EvidenceDelivery,
    FeeDecisionOutcome,
    FeeType,
    HowAttorneysMakeDecisions,
    IdentityActor,
    IdentityCheckType,
    Language,
    LpaStatus,
)
from app.domain.problems import pointer
from app.domain.readiness import unsigned
from app.domain.records import ActorRef, Address, Anomaly, CaseFile, Lpa, Signatory
from app.domain.rules import validate_draft
from app.domain.runner import run_change
from tests.domain.builders import (
    DONOR_SIGNED,
    NOW,
    SCHEDULE,
    UID,
    FakeRepository,
    an_lpa,
    attorney,
    certificate_provider,
    donor,
    trust_corporation,
)

SOME_JOINTLY = HowAttorneysMakeDecisions.JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS
CLIENTS = {
    client.id: frozenset(op.split(".", 1)[1] for op in client.grants.operations) & set(REGISTRY)
    for client in load_policy().clients.values()
    if not client.grants.everything
}
CLIENTS["developer"] = frozenset(REGISTRY)  # granted everything
CALLERS = sorted(c for c, ops in CLIENTS.items() if ops)


def base_lpa(channel: Channel) -> Lpa:
    """Nobody has signed but the donor: two original attorneys (one on paper), a trust
    corporation, two replacements and a removed one, a paper certificate provider,
    restrictions to sever and a signal to resolve."""
    online = channel is Channel.ONLINE
    return an_lpa(
        channel=channel,
        donor=donor(email="dora@example.com" if online else None),
        attorneys=(
            attorney(0, signed_at=None),
            attorney(1, signed_at=None, channel=Channel.PAPER, email=None),
            attorney(
                2,
                signed_at=None,
                appointment_type=AppointmentType.REPLACEMENT,
                status=AttorneyStatus.INACTIVE,
            ),
            attorney(
                3,
                signed_at=None,
                appointment_type=AppointmentType.REPLACEMENT,
                status=AttorneyStatus.INACTIVE,
                channel=Channel.PAPER,
                email=None,
            ),
            attorney(
                4,
                signed_at=None,
                appointment_type=AppointmentType.REPLACEMENT,
                status=AttorneyStatus.REMOVED,
            ),
        ),
        trust_corporations=(trust_corporation(0),),
        certificate_provider=certificate_provider(
            signed_at=None, channel=Channel.PAPER, email=None
        ),
        how_attorneys_make_decisions=SOME_JOINTLY,
        how_attorneys_make_decisions_details="Jointly for the house.",
        # The store asks no replacements' mode beside originals acting jointly for some.
        restrictions_and_conditions="Do not sell the house. Not ever.",
        case=CaseFile(
            fee_schedule=SCHEDULE,
            anomalies=(
                Anomaly(
                    source="/certificateProvider/lastName",
                    code="CERTIFICATE_PROVIDER_SHARES_LAST_NAME",
                    status=AnomalyStatus.DETECTED,
                ),
            ),
        ),
    )


STAGES = ("made", "made", "signed", "waiting", "waiting")


def staged(lpa: Lpa, stage: str) -> Lpa:
    """The LPA as made, once everyone has signed, or in its statutory waiting period."""
    if stage == "made":
        return lpa
    at = DONOR_SIGNED + timedelta(days=1)
    signatory = Signatory(id=uuid.uuid4(), first_names="Sam", last_name="Signer", signed_at=at)
    signed = replace(
        lpa,
        attorneys=tuple(replace(a, signed_at=at) for a in lpa.attorneys),
        trust_corporations=tuple(
            replace(t, signed_at=at, signatories=(signatory,)) for t in lpa.trust_corporations
        ),
        certificate_provider=replace(lpa.certificate_provider, signed_at=at),
    )
    if stage == "signed":
        return signed
    return replace(signed, status=LpaStatus.STATUTORY_WAITING_PERIOD)


# --- what callers send ----------------------------------------------------------------------

TIMES = st.sampled_from(
    [
        DONOR_SIGNED - timedelta(days=1),
        DONOR_SIGNED,
        DONOR_SIGNED + timedelta(days=1),
        DONOR_SIGNED + timedelta(days=30),
        NOW,
        NOW + timedelta(hours=1),
    ]
)
EMAILS = st.sampled_from(["new@example.com", "", " ", "x" * 255])
SOME_CONTACT = st.builds(
    ContactGiven,
    mobile=st.none() | st.sampled_from(["07700", "x" * 33]),
    email=st.none() | EMAILS,
    channel=st.none() | st.sampled_from(Channel),
    contact_language_preference=st.none() | st.sampled_from(Language),
    address=st.none() | st.just(Address(line1="2 New Road", country="GB")),
)
# Most signatures carry no contact details; some carry details, sensible or not.
CONTACTS = st.one_of(st.just(ContactGiven()), st.just(ContactGiven()), SOME_CONTACT)
SIGNATORIES = st.lists(
    st.builds(SignatoryGiven, st.just("Sam"), st.just("Signer"), TIMES), min_size=1, max_size=3
).map(tuple)
DATES_OF_BIRTH = st.sampled_from([date(1961, 2, 2), date(2015, 1, 1)])


def keys(count: int, actors: Callable[[Lpa], tuple[Any, ...]]) -> Callable[[Lpa], Any]:
    """Ways a caller names an actor of a list: its position, its UUID, both (agreeing), and
    now and then a position out of range or a position and UUID that disagree."""

    def strategy(lpa: Lpa) -> Any:
        known = actors(lpa)
        if not known:
            return st.integers(0, count)
        actor = st.sampled_from(known)
        return st.one_of(
            actor.map(lambda a: a.position),
            actor.map(lambda a: a.id),
            actor.map(lambda a: ActorRef(position=a.position, uid=a.id)),
            st.builds(ActorRef, position=st.integers(0, count), uid=actor.map(lambda a: a.id)),
        )

    return strategy


ATTORNEY = keys(5, lambda lpa: lpa.attorneys)
TRUST = keys(1, lambda lpa: lpa.trust_corporations)


def corrections(lpa: Lpa) -> st.SearchStrategy[tuple[tuple[str, Any], ...]]:
    del lpa
    return st.lists(
        st.sampled_from(
            [
                ("first_names", "Dorothy"),
                ("first_names", " "),
                ("email", None),
                ("email", "fixed@example.com"),
                ("signed_at", DONOR_SIGNED + timedelta(days=2)),
                ("signed_at", DONOR_SIGNED - timedelta(days=2)),
            ]
        ),
        min_size=1,
        max_size=2,
        unique_by=lambda pair: pair[0],
    ).map(tuple)


def change_of(kind: type[Change], lpa: Lpa) -> st.SearchStrategy[Change]:
    """A change of `kind` as a caller might send it: often sensible, sometimes not."""
    strategies: dict[type[Change], Callable[[], st.SearchStrategy[Any]]] = {
        SignCertificateProvider: lambda: st.builds(SignCertificateProvider, TIMES, CONTACTS),
        SignAttorney: lambda: st.builds(SignAttorney, ATTORNEY(lpa), TIMES, CONTACTS),
        SignTrustCorporation: lambda: st.builds(
            SignTrustCorporation, TRUST(lpa), SIGNATORIES, CONTACTS
        ),
        ConfirmIdentity: lambda: st.builds(
            ConfirmIdentity,
            st.sampled_from(IdentityActor),
            st.sampled_from(IdentityCheckType),
            TIMES,
        ),
        CertificateProviderOptOut: lambda: st.just(CertificateProviderOptOut()),
        AttorneyOptOut: lambda: st.builds(AttorneyOptOut, ATTORNEY(lpa)),
        TrustCorporationOptOut: lambda: st.builds(TrustCorporationOptOut, TRUST(lpa)),
        Withdraw: lambda: st.just(Withdraw()),
        StartStatutoryWaitingPeriod: lambda: st.just(StartStatutoryWaitingPeriod()),
        Register: lambda: st.just(Register()),
        ChangeStatus: lambda: st.builds(ChangeStatus, st.sampled_from(LpaStatus)),
        RequestFeeReduction: lambda: st.builds(
            RequestFeeReduction,
            st.sampled_from(FeeType),
            st.sampled_from(EvidenceDelivery),
            st.none() | st.just("APP-1"),
        ),
        DecideFeeReduction: lambda: st.builds(
            DecideFeeReduction,
            st.sampled_from(FeeDecisionOutcome),
            st.none() | st.sampled_from(FeeType),
        ),
        RecordPayment: lambda: st.builds(
            RecordPayment,
            st.sampled_from([1, 2300, 4600, 9200, 9201]),
            st.just("PAY-1"),
            TIMES,
        ),
        CorrectLpa: lambda: _correction(CorrectLpa, lpa),
        CorrectRegisteredLpa: lambda: _correction(CorrectRegisteredLpa, lpa),
        ChangeAttorneys: lambda: st.builds(
            ChangeAttorneys,
            st.lists(
                st.builds(AttorneyStatusGiven, ATTORNEY(lpa), st.sampled_from(AttorneyStatus)),
                min_size=1,
                max_size=2,
            ).map(tuple),
        ),
        SeverRestrictions: lambda: st.builds(
            SeverRestrictions, st.sampled_from(["", "Do not sell the house.", "x" * 50])
        ),
        ResolveAnomaly: lambda: st.builds(
            ResolveAnomaly,
            st.just("/certificateProvider/lastName"),
            st.sampled_from(["CERTIFICATE_PROVIDER_SHARES_LAST_NAME", "UNDER_18"]),
        ),
        RecordAttorneyDecisions: lambda: st.builds(
            RecordAttorneyDecisions,
            st.lists(
                st.builds(AttorneyDecisionGiven, ATTORNEY(lpa), st.booleans()), max_size=3
            ).map(tuple),
        ),
        CertificateProviderAccessOnline: lambda: st.builds(CertificateProviderAccessOnline, EMAILS),
        AttorneyAccessOnline: lambda: st.builds(AttorneyAccessOnline, ATTORNEY(lpa), EMAILS),
    }
    return strategies[kind]()


def _correction(kind: type[CorrectLpa], lpa: Lpa) -> st.SearchStrategy[Change]:
    given = corrections(lpa)
    donor_given = st.lists(
        st.sampled_from(
            [("date_of_birth", d) for d in (date(1961, 2, 2), date(2015, 1, 1))]
            + [("first_names", "Dorothy"), ("email", None)]
        ),
        min_size=1,
        max_size=2,
        unique_by=lambda pair: pair[0],
    ).map(tuple)
    return st.one_of(
        st.builds(kind, donor=st.builds(PersonCorrection, donor_given)),
        st.builds(kind, certificate_provider=st.builds(PersonCorrection, given)),
        st.builds(
            kind,
            attorneys=st.tuples(st.builds(AttorneyCorrection, ATTORNEY(lpa), given)),
        ),
        st.builds(kind, dates=st.tuples(st.tuples(st.just("signed_at"), TIMES | st.none()))),
        st.builds(
            kind,
            trust_corporations=st.tuples(
                st.builds(
                    TrustCorporationCorrection,
                    TRUST(lpa),
                    st.tuples(st.tuples(st.just("signed_at"), TIMES)),
                )
            ),
        ),
    )


STALE = st.sampled_from([False, False, False, True])  # now and then, a version read before
T = TypeVar("T")
ACCEPTED: set[str] = set()  # every event some run of the machine accepted


def run_at_once(step: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never waits (the fake repository never does), with no loop."""
    try:
        step.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    step.close()
    raise RuntimeError("the fake repository waited")


class ChangeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.repository = FakeRepository()
        self.removed: set[uuid.UUID] = set()
        self.now = NOW

    @initialize(channel=st.sampled_from(Channel), stage=st.sampled_from(STAGES))
    def an_lpa_is_made(self, channel: Channel, stage: str) -> None:
        lpa = staged(base_lpa(channel), stage)
        assert validate_draft(as_draft(lpa), NOW.date()) == []
        self.repository.lpas[UID] = lpa
        self.repository.history.append((UID, lpa.version, "CREATE"))

    @property
    def lpa(self) -> Lpa:
        return self.repository.lpas[UID]

    @rule(kind=st.sampled_from(CHANGE_TYPES), data=st.data(), stale=STALE)
    def a_caller_changes_the_lpa(
        self, kind: type[Change], data: st.DataObject, stale: bool
    ) -> None:
        callers = [c for c in CALLERS if kind.operation in CLIENTS[c]]
        caller = data.draw(st.sampled_from(callers), label="caller")
        change = data.draw(change_of(kind, self.lpa), label="change")
        self._send(caller, change, stale)

    def _send(self, caller: str, change: Change, stale: bool = False) -> None:
        assert type(change).operation in CLIENTS[caller]  # only what the policy grants
        before = self.lpa
        version = before.version - 1 if stale and before.version > 1 else before.version
        verdict = run_at_once(
            run_change(
                self.repository,
                change,
                uid=UID,
                expected_version=version,
                now=self.now,
                actor=f"urn:{caller}:users:1",
            )
        )
        if verdict.accepted:
            assert version == before.version
            assert self.repository.history[-1][2] in EVENTS
            ACCEPTED.add(self.repository.history[-1][2])
        else:
            assert verdict.problems
            assert self.lpa == before  # a refused change saves nothing
        self.now += timedelta(minutes=7)

    @invariant()
    def a_registered_lpa_has_its_date_and_every_signature(self) -> None:
        if UID in self.repository.lpas and self.lpa.status is LpaStatus.REGISTERED:
            assert self.lpa.registration_date is not None
            assert unsigned(self.lpa) == []

    @invariant()
    def nobody_signed_before_the_donor(self) -> None:
        if UID in self.repository.lpas:
            assert signed_before_donor(self.lpa) == []

    @invariant()
    def removed_stays_removed(self) -> None:
        if UID not in self.repository.lpas:
            return
        appointees = {a.id: a.status for a in self.lpa.appointees}
        assert all(appointees[i] is AttorneyStatus.REMOVED for i in self.removed)
        self.removed |= {i for i, s in appointees.items() if s is AttorneyStatus.REMOVED}

    @invariant()
    def the_version_counts_the_history(self) -> None:
        if UID in self.repository.lpas:
            rows = [row for row in self.repository.history if row[0] == UID]
            assert self.lpa.version == len(rows)

    @invariant()
    def an_online_lpa_keeps_every_rule(self) -> None:
        if UID in self.repository.lpas and self.lpa.channel is Channel.ONLINE:
            assert validate_draft(as_draft(self.lpa), self.now.date()) == []


MODEST = settings(
    max_examples=60,
    stateful_step_count=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def test_every_change_type_is_in_the_machine() -> None:
    lpa = base_lpa(Channel.ONLINE)
    for kind in CHANGE_TYPES:
        change_of(kind, lpa)  # a KeyError names a change type the machine never sends
    assert set().union(*CLIENTS.values()) == set(REGISTRY)
    assert {"opg.poas.makeregister", "opg.poas.sirius", "developer"} <= set(CALLERS)


def test_random_changes_keep_the_lpa_meaningful() -> None:
    ACCEPTED.clear()
    run_state_machine_as_test(ChangeMachine, settings=MODEST)
    # The sequences reach deep: most change types were accepted somewhere, registration too.
    assert "REGISTER" in ACCEPTED
    assert len(ACCEPTED) >= len(EVENTS) * 2 // 3, sorted(EVENTS - ACCEPTED)


def _changed(change: Change, before: Lpa, after: Lpa) -> Any:
    """A planted bug still refuses what would change nothing (the repository saves none)."""
    if after == before:
        return refuse(pointer("input"), ProblemCode.NOTHING_TO_CHANGE)
    return change.accept(after)


def _sign_unchecked(self: SignAttorney, lpa: Lpa, now: Any, actor: str) -> Any:
    found = lpa.attorney(self.attorney)
    if found is None:
        return refuse(pointer("input", "attorney"), ProblemCode.NOT_FOUND)
    return _changed(self, lpa, lpa.with_actor(replace(found, signed_at=self.signed_at)))


# bug: (where it is planted, the name it replaces, the bug, the invariant that must catch it)
PLANTED: dict[str, tuple[Any, str, Any, str]] = {
    "registration without signatures": (
        Register,
        "decide",
        lambda self, lpa, now, actor: self.accept(
            replace(lpa, status=LpaStatus.REGISTERED, registration_date=now.date())
        ),
        "a_registered_lpa_has_its_date_and_every_signature",
    ),
    "a removed attorney made active again": (
        attorneys,
        "_status_problem",
        lambda current, target: None,
        "removed_stays_removed",
    ),
    "moving online without keeping the email": (
        access,
        "_move_online",
        lambda change, lpa, person, email, now: _changed(
            change, lpa, lpa.with_actor(replace(person, channel=Channel.ONLINE))
        ),
        "an_online_lpa_keeps_every_rule",
    ),
    "an attorney's signature that forgets every check": (
        SignAttorney,
        "decide",
        _sign_unchecked,
        "nobody_signed_before_the_donor",
    ),
}


@pytest.mark.parametrize("planted", sorted(PLANTED))
def test_a_planted_bug_is_found(planted: str, monkeypatch: pytest.MonkeyPatch) -> None:
    owner, name, bug, invariant_name = PLANTED[planted]
    monkeypatch.setattr(owner, name, bug)
    hunting = settings(MODEST, max_examples=200, phases=[Phase.explicit, Phase.generate])
    with pytest.raises(AssertionError) as found:
        run_state_machine_as_test(ChangeMachine, settings=hunting)
    assert invariant_name in {entry.name for entry in found.traceback}
