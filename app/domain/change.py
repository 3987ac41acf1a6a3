"""What every change to a stored LPA is: a small record of what it reads, and `decide`.

`decide(lpa, now, actor)` is pure. It answers problems, or `Accepted`: the event name and the
LPA as the change leaves it. The repository writes the difference, and the history is derived
from it field by field; a change never names a table or a column.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from .assemble import as_draft
from .codes import ProblemCode
from .problems import Problem, pointer
from .records import Appointee, CertificateProvider, Lpa
from .rules import validate_draft

# A caller's clock may run a little ahead of ours; a time beyond this margin is in the future.
CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Accepted:
    event: str
    lpa: Lpa


Outcome = Accepted | list[Problem]


class Change(ABC):
    """One change type. Subclasses are frozen dataclasses; `operation` is the GraphQL
    mutation that carries it, `event` the change type of its history row and outbox event,
    `needs_case` whether `decide` reads the case file (fee requests, payments, anomalies)."""

    __slots__ = ()
    operation: ClassVar[str]
    event: ClassVar[str]
    needs_case: ClassVar[bool] = False

    @abstractmethod
    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome: ...

    def accept(self, lpa: Lpa) -> Accepted:
        return Accepted(self.event, lpa)


def refuse(source: str, code: ProblemCode) -> list[Problem]:
    return [Problem(source, code)]


def today_of(now: datetime) -> date:
    return now.date()


def in_future(at: datetime, now: datetime) -> bool:
    return at > now + CLOCK_SKEW


def signed_before_donor(lpa: Lpa) -> list[Problem]:
    """Every signature dated before the donor's, at the signer's `signedAt`."""
    if lpa.signed_at is None:
        return []
    donor_signed = lpa.signed_at
    early: list[CertificateProvider | Appointee] = []
    signers: list[CertificateProvider | Appointee] = [lpa.certificate_provider, *lpa.appointees]
    for signer in signers:
        times = [signer.signed_at, *(s.signed_at for s in getattr(signer, "signatories", ()))]
        if any(t is not None and t < donor_signed for t in times):
            early.append(signer)
    return [Problem(pointer(*s.path, "signed_at"), ProblemCode.SIGNED_BEFORE_DONOR) for s in early]


def introduced(before: Lpa, after: Lpa, now: datetime) -> list[Problem]:
    """The rules `after` breaks that `before` did not: the rules of an LPA (as createLpa
    judges them) and the order of signatures. A paper LPA stored with broken rules can still
    change, but no change may add a broken rule."""
    today = now.date()
    known = {*validate_draft(as_draft(before), today), *signed_before_donor(before)}
    found = {*validate_draft(as_draft(after), today), *signed_before_donor(after)}
    return sorted(found - known)
