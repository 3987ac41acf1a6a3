"""Identity confirmed: the donor's or the certificate provider's identity was checked, once.

A second confirmation is refused, as the LPA store refuses it: the check on record stands.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from ..change import Accepted, Change, Outcome, in_future
from ..codes import ProblemCode
from ..enums import IdentityActor, IdentityCheckType
from ..problems import Problem, pointer
from ..records import IdentityCheck, Lpa
from ..status import OPEN, require

EVENTS = {
    IdentityActor.DONOR: "DONOR_CONFIRM_IDENTITY",
    IdentityActor.CERTIFICATE_PROVIDER: "CERTIFICATE_PROVIDER_CONFIRM_IDENTITY",
}


@dataclass(frozen=True, slots=True)
class ConfirmIdentity(Change):
    """The event names whose identity: `DONOR_CONFIRM_IDENTITY` or
    `CERTIFICATE_PROVIDER_CONFIRM_IDENTITY` (`EVENTS`)."""

    operation: ClassVar[str] = "confirmIdentity"
    event: ClassVar[str] = "CONFIRM_IDENTITY"
    actor: IdentityActor
    type: IdentityCheckType
    checked_at: datetime

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, OPEN)
        if in_future(self.checked_at, now):
            problems.append(Problem(pointer("input", "checked_at"), ProblemCode.DATE_IN_FUTURE))
        person = lpa.donor if self.actor is IdentityActor.DONOR else lpa.certificate_provider
        if person.identity_checks:
            at = pointer(*person.path, "identity_check")
            problems.append(Problem(at, ProblemCode.ALREADY_CONFIRMED))
        if problems:
            return sorted(set(problems))
        check = IdentityCheck(type=self.type, checked_at=self.checked_at)
        checked = replace(person, identity_checks=(*person.identity_checks, check))
        return Accepted(EVENTS[self.actor], lpa.with_actor(checked))
