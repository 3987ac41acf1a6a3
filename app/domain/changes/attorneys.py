"""Which attorneys act: a caseworker sets attorneys active, inactive or removed.

As in the LPA store, an active attorney is never made inactive, and a removed one never comes
back (not active, not inactive). A replacement made active has stepped in: when is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from .. import caps
from ..change import Change, Outcome, refuse
from ..codes import ProblemCode
from ..enums import AppointmentType, AttorneyStatus
from ..problems import Problem, pointer
from ..records import ActorKey, Lpa
from ..status import OPEN, require


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
        if not self.changes:
            return refuse(at, ProblemCode.REQUIRED)
        if len(self.changes) > caps.ATTORNEY_CHANGES:
            return refuse(at, ProblemCode.TOO_MANY)
        changed = lpa
        seen: set[object] = set()
        for i, change in enumerate(self.changes):
            found = lpa.attorney(change.attorney)
            if found is None:
                problems.append(Problem(pointer("input", "changes", i), ProblemCode.NOT_FOUND))
            elif found.id in seen:
                problems.append(Problem(pointer("input", "changes", i), ProblemCode.DUPLICATE))
            elif found.opted_out_at is not None and change.status is not AttorneyStatus.REMOVED:
                # an attorney who opted out declined the role; no caseworker can hand it back
                problems.append(Problem(pointer("input", "changes", i), ProblemCode.OPTED_OUT))
            elif found.status is not change.status:
                seen.add(found.id)
                problem = _status_problem(found.status, change.status)
                if problem is not None:
                    problems.append(Problem(pointer(*found.path, "status"), problem))
                    continue
                stepped_in = (
                    now
                    if found.appointment_type is AppointmentType.REPLACEMENT
                    and change.status is AttorneyStatus.ACTIVE
                    else found.stepped_in_at
                )
                changed = changed.with_actor(
                    replace(found, status=change.status, stepped_in_at=stepped_in)
                )
            else:
                seen.add(found.id)
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
