"""A paper certificate provider or attorney moves online: from now on they act through the
online service, with the email they give. Refused when they are online already."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from .. import caps
from ..change import Change, Outcome, introduced, refuse
from ..codes import ProblemCode
from ..enums import AttorneyStatus, Channel
from ..problems import Problem, pointer
from ..records import ActorKey, Attorney, CertificateProvider, Lpa
from ..status import OPEN, require


@dataclass(frozen=True, slots=True)
class CertificateProviderAccessOnline(Change):
    operation: ClassVar[str] = "certificateProviderAccessOnline"
    event: ClassVar[str] = "PAPER_CERTIFICATE_PROVIDER_ACCESS_ONLINE"
    email: str

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        return _move_online(self, lpa, lpa.certificate_provider, self.email, now)


@dataclass(frozen=True, slots=True)
class AttorneyAccessOnline(Change):
    operation: ClassVar[str] = "attorneyAccessOnline"
    event: ClassVar[str] = "PAPER_ATTORNEY_ACCESS_ONLINE"
    attorney: ActorKey
    email: str

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        found = lpa.attorney(self.attorney)
        if found is None:
            return refuse(pointer("input", "attorney"), ProblemCode.NOT_FOUND)
        if found.status is AttorneyStatus.REMOVED:
            return refuse(pointer(*found.path), ProblemCode.REMOVED)
        return _move_online(self, lpa, found, self.email, now)


def _move_online(
    change: Change, lpa: Lpa, person: CertificateProvider | Attorney, email: str, now: datetime
) -> Outcome:
    problems = require(lpa.status, OPEN)
    if person.channel is Channel.ONLINE:
        problems.append(Problem(pointer(*person.path, "channel"), ProblemCode.ALREADY_ONLINE))
    if not email.strip():
        problems.append(Problem(pointer("input", "email"), ProblemCode.REQUIRED))
    elif len(email) > caps.EMAIL:
        problems.append(Problem(pointer("input", "email"), ProblemCode.TOO_LONG))
    if problems:
        return sorted(set(problems))
    after = lpa.with_actor(replace(person, channel=Channel.ONLINE, email=email))
    return introduced(lpa, after, now) or change.accept(after)
