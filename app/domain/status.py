"""The status lifecycle (DESIGN section 2).

in-progress -> statutory-waiting-period -> registered
side exits: withdrawn, cannot-register, cancelled, do-not-register, expired
"""

from __future__ import annotations

from .codes import ProblemCode
from .enums import LpaStatus
from .problems import Problem

S = LpaStatus

# Status changes a caseworker may make directly, by target.
_CASEWORKER = {
    S.CANCELLED: frozenset({S.REGISTERED}),
    S.DO_NOT_REGISTER: frozenset({S.STATUTORY_WAITING_PERIOD}),
    S.EXPIRED: frozenset({S.IN_PROGRESS, S.STATUTORY_WAITING_PERIOD, S.DO_NOT_REGISTER}),
    S.CANNOT_REGISTER: frozenset(set(S) - {S.REGISTERED, S.CANCELLED, S.CANNOT_REGISTER}),
}
# As the LPA store: withdrawal is refused only once withdrawn, registered or cannot-register.
WITHDRAWABLE = frozenset(set(S) - {S.WITHDRAWN, S.REGISTERED, S.CANNOT_REGISTER})
# A change other than a post-registration correction may touch an LPA only in these states.
OPEN = frozenset({S.IN_PROGRESS, S.STATUTORY_WAITING_PERIOD})


def caseworker_may_set(current: LpaStatus, target: LpaStatus) -> bool:
    return current in _CASEWORKER.get(target, frozenset())


def require(current: LpaStatus, allowed: frozenset[LpaStatus]) -> list[Problem]:
    if current in allowed:
        return []
    code = (
        ProblemCode.LPA_REGISTERED if current is S.REGISTERED else ProblemCode.NOT_ALLOWED_IN_STATUS
    )
    return [Problem("/status", code)]
