"""What stands between a stored LPA and registration: broken rules and missing signatures."""

from __future__ import annotations

from datetime import date

from .assemble import as_draft
from .codes import ProblemCode
from .enums import AttorneyStatus
from .problems import Problem, pointer
from .records import Lpa
from .rules import validate_draft


def registration_problems(lpa: Lpa, today: date) -> list[Problem]:
    problems = set(validate_draft(as_draft(lpa), today))
    problems.update(unsigned(lpa))
    if not any(a.status is AttorneyStatus.ACTIVE for a in lpa.appointees):
        # opt-outs and removals can leave nobody to act
        problems.add(Problem(pointer("attorneys"), ProblemCode.NO_ACTIVE_ATTORNEY))
    return sorted(problems)


def unsigned(lpa: Lpa) -> list[Problem]:
    missing = []
    if lpa.signed_at is None:
        missing.append(Problem(pointer("signed_at"), ProblemCode.NOT_SIGNED))
    for signer in lpa.signers():
        if signer.signed_at is None:
            missing.append(Problem(pointer(*signer.path, "signed_at"), ProblemCode.NOT_SIGNED))
    return missing
