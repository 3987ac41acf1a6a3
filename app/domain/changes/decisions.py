"""Attorney decisions: which attorneys cannot make joint decisions, where the LPA lets some act
jointly and others severally.

As in the LPA store, an original attorney's flag may be set only when the attorneys act
jointly for some decisions and severally for others, and a replacement's only when the
replacements do.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from ..change import Change, Outcome, refuse
from ..codes import ProblemCode
from ..enums import AppointmentType, HowAttorneysMakeDecisions
from ..problems import Problem, pointer
from ..records import ActorKey, Attorney, Lpa
from ..status import OPEN, require
from .named import named_attorneys

_SOME_JOINTLY = HowAttorneysMakeDecisions.JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS


@dataclass(frozen=True, slots=True)
class AttorneyDecisionGiven:
    attorney: ActorKey
    cannot_make_joint_decisions: bool


@dataclass(frozen=True, slots=True)
class RecordAttorneyDecisions(Change):
    operation: ClassVar[str] = "recordAttorneyDecisions"
    event: ClassVar[str] = "ATTORNEY_DECISIONS"
    decisions: tuple[AttorneyDecisionGiven, ...]

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, OPEN)
        if problems:
            return problems
        at = pointer("input", "decisions")
        keys = [d.attorney for d in self.decisions]
        named, problems = named_attorneys(lpa, keys, "decisions")
        changed = lpa
        for i, found in named:
            if not _mode_allows(lpa, found):
                at_flag = pointer(*found.path, "cannot_make_joint_decisions")
                problems.append(Problem(at_flag, ProblemCode.NOT_ALLOWED))
            else:
                flag = self.decisions[i].cannot_make_joint_decisions
                changed = changed.with_actor(replace(found, cannot_make_joint_decisions=flag))
        if problems:
            return sorted(set(problems))
        if changed == lpa:
            return refuse(at, ProblemCode.NOTHING_TO_CHANGE)
        return self.accept(changed)


def _mode_allows(lpa: Lpa, attorney: Attorney) -> bool:
    if attorney.appointment_type is AppointmentType.ORIGINAL:
        return lpa.how_attorneys_make_decisions is _SOME_JOINTLY
    return lpa.how_replacement_attorneys_make_decisions is _SOME_JOINTLY
