"""Signing, for the online service: the certificate provider, an attorney, a trust corporation
through its signatories. Nobody signs twice, after opting out or removal, in the future, or
before the donor.

As the LPA store's signing changes do, a signature may carry the signer's contact details:
mobile, email, channel and contact language, and the certificate provider's address. What is
given replaces what is stored; what is not given stays. The signer as it is left must keep the
rules of an LPA (an online signer has an email, a paper one none).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, ClassVar

from .. import caps
from ..change import Change, Outcome, in_future, introduced, refuse
from ..codes import ProblemCode
from ..enums import AttorneyStatus, Channel, Language
from ..problems import Problem, pointer
from ..records import (
    ActorKey,
    Address,
    Attorney,
    CertificateProvider,
    Lpa,
    Signatory,
    TrustCorporation,
)
from ..status import OPEN, require
from .correction import address_problems

Signer = CertificateProvider | Attorney | TrustCorporation


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactGiven:
    """Contact details a signature carries; None is not given (a signature clears nothing).
    `address` is the certificate provider's only, `mobile` an attorney's or a trust
    corporation's only."""

    mobile: str | None = None
    email: str | None = None
    channel: Channel | None = None
    contact_language_preference: Language | None = None
    address: Address | None = None


NO_CONTACT = ContactGiven()


@dataclass(frozen=True, slots=True)
class SignCertificateProvider(Change):
    operation: ClassVar[str] = "signCertificateProvider"
    event: ClassVar[str] = "CERTIFICATE_PROVIDER_SIGN"
    signed_at: datetime
    contact: ContactGiven = NO_CONTACT

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        provider = lpa.certificate_provider
        problems = sign_problems(
            lpa, provider, [self.signed_at], now, pointer("input", "signed_at")
        )
        if problems:
            return problems
        signed = replace(provider, signed_at=self.signed_at)
        return _with_contact(self, lpa, signed, self.contact, now)


@dataclass(frozen=True, slots=True)
class SignAttorney(Change):
    operation: ClassVar[str] = "signAttorney"
    event: ClassVar[str] = "ATTORNEY_SIGN"
    attorney: ActorKey
    signed_at: datetime
    contact: ContactGiven = NO_CONTACT

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        found = lpa.attorney(self.attorney)
        if found is None:
            return refuse(pointer("input", "attorney"), ProblemCode.NOT_FOUND)
        problems = sign_problems(lpa, found, [self.signed_at], now, pointer("input", "signed_at"))
        if problems:
            return problems
        signed = replace(found, signed_at=self.signed_at)
        return _with_contact(self, lpa, signed, self.contact, now)


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
    trust_corporation: ActorKey
    signatories: tuple[SignatoryGiven, ...]
    contact: ContactGiven = NO_CONTACT

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
        return _with_contact(self, lpa, signed, self.contact, now)


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


def _with_contact(
    change: Change, lpa: Lpa, signed: Signer, contact: ContactGiven, now: datetime
) -> Outcome:
    problems = list(_contact_problems(signed, contact))
    if problems:
        return sorted(set(problems))
    values: Any = {
        f.name: getattr(contact, f.name)
        for f in fields(contact)
        if getattr(contact, f.name) is not None
    }
    after = lpa.with_actor(replace(signed, **values))
    return introduced(lpa, after, now) or change.accept(after)


_CONTACT_WIDTHS = {"mobile": caps.PHONE, "email": caps.EMAIL}


def _contact_problems(signer: Signer, contact: ContactGiven) -> Iterator[Problem]:
    own = {f.name for f in fields(signer)}
    for name, width in _CONTACT_WIDTHS.items():
        value = getattr(contact, name)
        if value is None:
            continue
        if name not in own:
            yield Problem(pointer("input", name), ProblemCode.NOT_ALLOWED)
        elif len(value) > width:
            yield Problem(pointer("input", name), ProblemCode.TOO_LONG)
    if contact.address is not None:
        if isinstance(signer, CertificateProvider):
            yield from address_problems(pointer("input"), contact.address)
        else:
            yield Problem(pointer("input", "address"), ProblemCode.NOT_ALLOWED)
