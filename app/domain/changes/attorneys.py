"""Which attorneys act: a caseworker sets attorneys active, inactive or removed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..enums import ActorRole, AttorneyStatus
from ..problems import Problem, pointer
from ..readiness import NO_ACTIVE_ATTORNEY
from ..state import LpaChange, LpaState, Outcome, refuse
from ..status import OPEN, require

CHANGE_ATTORNEYS = "CHANGE_ATTORNEYS"
REQUIRED = "REQUIRED"
TOO_MANY = "TOO_MANY"
NOT_FOUND = "NOT_FOUND"
DUPLICATE = "DUPLICATE"
OPTED_OUT = "OPTED_OUT"
NOTHING_TO_CHANGE = "NOTHING_TO_CHANGE"
MAX_CHANGES = 10
_APPOINTEES = (ActorRole.ATTORNEY, ActorRole.TRUST_CORPORATION)


def change_attorneys(state: LpaState, changes: Sequence[Mapping[str, Any]]) -> Outcome:
    """Set the status of each attorney named by position, leaving at least one attorney or
    trust corporation active."""
    problems = require(state.status, OPEN)
    if problems:
        return problems
    at = pointer("input", "changes")
    if not changes:
        return refuse(at, REQUIRED)
    if len(changes) > MAX_CHANGES:
        return refuse(at, TOO_MANY)
    statuses: dict[Any, AttorneyStatus] = {}
    seen: set[int] = set()
    for i, change in enumerate(changes):
        found = state.actor(ActorRole.ATTORNEY, change["attorney"])
        if found is None:
            problems.append(Problem(pointer("input", "changes", i), NOT_FOUND))
        elif change["attorney"] in seen:
            problems.append(Problem(pointer("input", "changes", i), DUPLICATE))
        elif found["opted_out_at"] is not None and change["status"] != AttorneyStatus.REMOVED:
            # an attorney who opted out declined the role; no caseworker can hand it back
            problems.append(Problem(pointer("input", "changes", i), OPTED_OUT))
        else:
            seen.add(change["attorney"])
            if found["status"] != change["status"]:
                statuses[found["id"]] = change["status"]
    if problems:
        return sorted(set(problems))
    if not statuses:
        return refuse(at, NOTHING_TO_CHANGE)
    acting = [
        p
        for p in state.people
        if p["role"] in _APPOINTEES and statuses.get(p["id"], p["status"]) == AttorneyStatus.ACTIVE
    ]
    if not acting:
        return refuse(pointer("attorneys"), NO_ACTIVE_ATTORNEY)
    return LpaChange(
        CHANGE_ATTORNEYS, actors={actor: {"status": s} for actor, s in statuses.items()}
    )
