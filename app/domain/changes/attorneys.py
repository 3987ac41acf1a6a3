"""Which attorneys act: a caseworker sets attorneys active, inactive or removed.

As in the LPA store, an active attorney is never made inactive, and a removed one never comes
back (not active, not inactive). A replacement made active has stepped in: when is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from ..change import Change, Outcome, refuse
from ..codes import ProblemCode
from ..enums import AppointmentType, AttorneyStatus
from ..problems import Problem, pointer
from ..records import ActorKey, Lpa
from ..status import OPEN, require
from .named import named_attorneys


@dataclass(frozen=True, slots=True)
class AttorneyStatusGiven:
    attorney: ActorKey
    status: AttorneyStatus


@dataclass(frozen=True, slots=True)
class ChangeAttorneys(Change):
    """Set the status of each attorney named by position, leaving at least one attorney or
    trust corporation active."""

    operation: ClassVar[str] = "changeAttorneys"
    event: ClassVar[str] = "CHANGE_ATTORNEYS"
    changes: tuple[AttorneyStatusGiven, ...]

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, OPEN)
        if problems:
            return problems
        at = pointer("input", "changes")
        named, problems = named_attorneys(lpa, [c.attorney for c in self.changes], "changes")
        changed = lpa
        for i, found in named:
            status = self.changes[i].status
            if found.opted_out_at is not None and status is not AttorneyStatus.REMOVED:
                # an attorney who opted out declined the role; no caseworker can hand it back
                problems.append(Problem(pointer("input", "changes", i), ProblemCode.OPTED_OUT))
            elif found.status is not status:
                problem = _status_problem(found.status, status)
                if problem is not None:
                    problems.append(Problem(pointer(*found.path, "status"), problem))
                    continue
                replacement = found.appointment_type is AppointmentType.REPLACEMENT
                stepped_in = (
                    now if replacement and status is AttorneyStatus.ACTIVE else found.stepped_in_at
                )
                changed = changed.with_actor(
                    replace(found, status=status, stepped_in_at=stepped_in)
                )
        if problems:
            return sorted(set(problems))
        if changed is lpa:
            return refuse(at, ProblemCode.NOTHING_TO_CHANGE)
        if not any(a.status is AttorneyStatus.ACTIVE for a in changed.appointees):
            return refuse(pointer("attorneys"), ProblemCode.NO_ACTIVE_ATTORNEY)
        return self.accept(changed)


def _status_problem(current: AttorneyStatus, target: AttorneyStatus) -> ProblemCode | None:
    if current is AttorneyStatus.REMOVED:
        return ProblemCode.REMOVED  # removed stays removed
    if current is AttorneyStatus.ACTIVE and target is AttorneyStatus.INACTIVE:
        return ProblemCode.INVALID_STATUS_CHANGE
    return None
