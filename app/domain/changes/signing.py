"""Signing, for the online service: the certificate provider, an attorney, a trust corporation
through its signatories. Nobody signs twice, after opting out or removal, in the future, or
before the donor."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from .. import caps
from ..change import Change, Outcome, in_future, refuse
from ..codes import ProblemCode
from ..enums import AttorneyStatus
from ..problems import Problem, pointer
from ..records import Attorney, CertificateProvider, Lpa, Signatory, TrustCorporation
from ..status import OPEN, require

Signer = CertificateProvider | Attorney | TrustCorporation


@dataclass(frozen=True, slots=True)
class SignCertificateProvider(Change):
    operation: ClassVar[str] = "signCertificateProvider"
    event: ClassVar[str] = "CERTIFICATE_PROVIDER_SIGN"
    signed_at: datetime

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        provider = lpa.certificate_provider
        problems = sign_problems(
            lpa, provider, [self.signed_at], now, pointer("input", "signed_at")
        )
        if problems:
            return problems
        return self.accept(lpa.with_actor(replace(provider, signed_at=self.signed_at)))


@dataclass(frozen=True, slots=True)
class SignAttorney(Change):
    operation: ClassVar[str] = "signAttorney"
    event: ClassVar[str] = "ATTORNEY_SIGN"
    attorney: int
    signed_at: datetime

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        found = lpa.attorney(self.attorney)
        if found is None:
            return refuse(pointer("input", "attorney"), ProblemCode.NOT_FOUND)
        problems = sign_problems(lpa, found, [self.signed_at], now, pointer("input", "signed_at"))
        if problems:
            return problems
        return self.accept(lpa.with_actor(replace(found, signed_at=self.signed_at)))


@dataclass(frozen=True, slots=True)
class SignatoryGiven:
    first_names: str
    last_name: str
    signed_at: datetime
    professional_title: str | None = None


@dataclass(frozen=True, slots=True)
class SignTrustCorporation(Change):
    operation: ClassVar[str] = "signTrustCorporation"
    event: ClassVar[str] = "TRUST_CORPORATION_SIGN"
    trust_corporation: int
    signatories: tuple[SignatoryGiven, ...]

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        found = lpa.trust_corporation(self.trust_corporation)
        at = pointer("input", "signatories")
        if found is None:
            return refuse(pointer("input", "trust_corporation"), ProblemCode.NOT_FOUND)
        if not self.signatories:
            return refuse(at, ProblemCode.REQUIRED)
        if len(self.signatories) > caps.SIGNATORIES:
            return refuse(at, ProblemCode.TOO_MANY)
        # Every signatory must sign after the donor and not in the future, and the corporation
        # has signed when the last one has.
        times = [s.signed_at for s in self.signatories]
        problems = sign_problems(lpa, found, times, now, at)
        if problems:
            return problems
        signatories = tuple(
            Signatory(
                id=uuid.uuid4(),
                first_names=s.first_names,
                last_name=s.last_name,
                professional_title=s.professional_title,
                signed_at=s.signed_at,
            )
            for s in self.signatories
        )
        signed = replace(
            found, signed_at=max(times), signatories=(*found.signatories, *signatories)
        )
        return self.accept(lpa.with_actor(signed))


def sign_problems(
    lpa: Lpa, signer: Signer, times: Sequence[datetime], now: datetime, input_at: str
) -> list[Problem]:
    problems: list[Problem] = require(lpa.status, OPEN)
    if signer.signed_at is not None:
        problems.append(Problem(pointer(*signer.path, "signed_at"), ProblemCode.ALREADY_SIGNED))
    if signer.opted_out_at is not None:
        problems.append(Problem(pointer(*signer.path), ProblemCode.OPTED_OUT))
    if not isinstance(signer, CertificateProvider) and signer.status is AttorneyStatus.REMOVED:
        problems.append(Problem(pointer(*signer.path), ProblemCode.REMOVED))
    if in_future(max(times), now):
        problems.append(Problem(input_at, ProblemCode.DATE_IN_FUTURE))
    if lpa.signed_at is not None and min(times) < lpa.signed_at:
        problems.append(Problem(input_at, ProblemCode.SIGNED_BEFORE_DONOR))
    return sorted(set(problems))
