"""Status changes: the statutory waiting period, registration, withdrawal, opt-outs, and the
direct status changes a caseworker may make."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from ..change import Change, Outcome, refuse
from ..codes import ProblemCode
from ..enums import AttorneyStatus, LpaStatus
from ..problems import Problem, pointer
from ..readiness import registration_problems
from ..records import ActorKey, Appointee, CertificateProvider, Lpa
from ..status import OPEN, WITHDRAWABLE, caseworker_may_set, require

S = LpaStatus


@dataclass(frozen=True, slots=True)
class StartStatutoryWaitingPeriod(Change):
    operation: ClassVar[str] = "startStatutoryWaitingPeriod"
    event: ClassVar[str] = "STATUTORY_WAITING_PERIOD"

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, frozenset({S.IN_PROGRESS}))
        problems += registration_problems(lpa, now.date())
        if problems:
            return sorted(set(problems))
        return self.accept(replace(lpa, status=S.STATUTORY_WAITING_PERIOD))


@dataclass(frozen=True, slots=True)
class Register(Change):
    """Only from the statutory waiting period, and only if everything still holds: changes in
    the waiting period (an attorney made active, a correction) must not slip through."""

    operation: ClassVar[str] = "registerLpa"
    event: ClassVar[str] = "REGISTER"

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, frozenset({S.STATUTORY_WAITING_PERIOD}))
        if not problems:
            problems = registration_problems(lpa, now.date())
        if problems:
            return problems
        return self.accept(replace(lpa, status=S.REGISTERED, registration_date=now.date()))


@dataclass(frozen=True, slots=True)
class Withdraw(Change):
    operation: ClassVar[str] = "withdrawLpa"
    event: ClassVar[str] = "DONOR_WITHDRAW_LPA"

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, WITHDRAWABLE)
        if problems:
            return problems
        return self.accept(replace(lpa, status=S.WITHDRAWN))


@dataclass(frozen=True, slots=True)
class ChangeStatus(Change):
    operation: ClassVar[str] = "changeStatus"
    event: ClassVar[str] = "OPG_STATUS_CHANGE"
    status: LpaStatus

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        if not caseworker_may_set(lpa.status, self.status):
            return refuse(pointer("input", "status"), ProblemCode.INVALID_STATUS_CHANGE)
        return self.accept(replace(lpa, status=self.status))


@dataclass(frozen=True, slots=True)
class CertificateProviderOptOut(Change):
    """Only before signing; the LPA then cannot be registered."""

    operation: ClassVar[str] = "certificateProviderOptOut"
    event: ClassVar[str] = "CERTIFICATE_PROVIDER_OPT_OUT"

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        provider = lpa.certificate_provider
        problems = _may_opt_out(lpa, provider)
        if problems:
            return problems
        opted_out = lpa.with_actor(replace(provider, opted_out_at=now))
        return self.accept(replace(opted_out, status=S.CANNOT_REGISTER))


@dataclass(frozen=True, slots=True)
class AttorneyOptOut(Change):
    """Only before signing; the attorney is removed from the LPA."""

    operation: ClassVar[str] = "attorneyOptOut"
    event: ClassVar[str] = "ATTORNEY_OPT_OUT"
    attorney: ActorKey

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        return _remove(self, lpa, lpa.attorney(self.attorney), "attorney", now)


@dataclass(frozen=True, slots=True)
class TrustCorporationOptOut(Change):
    """Only before its signatories sign; the trust corporation is removed from the LPA."""

    operation: ClassVar[str] = "trustCorporationOptOut"
    event: ClassVar[str] = "TRUST_CORPORATION_OPT_OUT"
    trust_corporation: ActorKey

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        found = lpa.trust_corporation(self.trust_corporation)
        return _remove(self, lpa, found, "trust_corporation", now)


def _remove(
    change: Change, lpa: Lpa, found: Appointee | None, input_name: str, now: datetime
) -> Outcome:
    """An attorney or trust corporation opts out: removed from the LPA, if it may."""
    if found is None:
        return refuse(pointer("input", input_name), ProblemCode.NOT_FOUND)
    problems = _may_opt_out(lpa, found)
    if problems:
        return problems
    removed = replace(found, opted_out_at=now, status=AttorneyStatus.REMOVED)
    return change.accept(lpa.with_actor(removed))


def _may_opt_out(lpa: Lpa, actor: CertificateProvider | Appointee) -> list[Problem]:
    problems = require(lpa.status, OPEN)
    signatories = getattr(actor, "signatories", ())
    if actor.signed_at is not None or any(s.signed_at is not None for s in signatories):
        problems.append(Problem(pointer(*actor.path, "signed_at"), ProblemCode.ALREADY_SIGNED))
    if actor.opted_out_at is not None:
        problems.append(Problem(pointer(*actor.path), ProblemCode.ALREADY_OPTED_OUT))
    return sorted(problems)
