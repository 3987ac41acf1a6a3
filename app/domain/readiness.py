"""What stands between a stored LPA and registration: broken rules and missing signatures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from .enums import ActorRole, AttorneyStatus
from .problems import Problem, pointer
from .rules import validate_draft
from .stored import draft_from_rows

NOT_SIGNED = "NOT_SIGNED"
NO_ACTIVE_ATTORNEY = "NO_ACTIVE_ATTORNEY"
_SIGNERS = {
    ActorRole.ATTORNEY: "attorneys",
    ActorRole.TRUST_CORPORATION: "trust_corporations",
}


def registration_problems(
    lpa: Mapping[str, Any], people: Sequence[Mapping[str, Any]], today: date
) -> list[Problem]:
    problems = set(validate_draft(draft_from_rows(lpa, people), today))
    problems.update(unsigned(lpa, people))
    if not any(
        p["role"] in _SIGNERS and p["status"] is AttorneyStatus.ACTIVE for p in people
    ):  # opt-outs and removals can leave nobody to act
        problems.add(Problem(pointer("attorneys"), NO_ACTIVE_ATTORNEY))
    return sorted(problems)


def unsigned(lpa: Mapping[str, Any], people: Sequence[Mapping[str, Any]]) -> list[Problem]:
    missing = []
    if lpa["signed_at"] is None:
        missing.append(Problem(pointer("signed_at"), NOT_SIGNED))
    for person in people:
        role = person["role"]
        if person["signed_at"] is not None or person["status"] is AttorneyStatus.REMOVED:
            continue
        if role is ActorRole.CERTIFICATE_PROVIDER:
            missing.append(Problem(pointer("certificate_provider", "signed_at"), NOT_SIGNED))
        elif role in _SIGNERS:
            missing.append(
                Problem(pointer(_SIGNERS[role], person["position"], "signed_at"), NOT_SIGNED)
            )
    return missing
