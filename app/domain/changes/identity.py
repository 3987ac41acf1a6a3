"""Identity confirmed: the donor's or the certificate provider's identity was checked."""

from __future__ import annotations

from datetime import datetime

from ..enums import ActorRole, IdentityActor, IdentityCheckType
from ..problems import Problem
from ..state import LpaChange, LpaState, Outcome, in_future, refuse
from ..status import OPEN, require

NOT_FOUND = "NOT_FOUND"
DATE_IN_FUTURE = "DATE_IN_FUTURE"
CHANGE_TYPES = {
    IdentityActor.DONOR: "DONOR_CONFIRM_IDENTITY",
    IdentityActor.CERTIFICATE_PROVIDER: "CERTIFICATE_PROVIDER_CONFIRM_IDENTITY",
}


def confirm_identity(
    state: LpaState,
    actor: IdentityActor,
    check_type: IdentityCheckType,
    checked_at: datetime,
    now: datetime,
) -> Outcome:
    person = state.actor(ActorRole(actor.value))
    if person is None:
        return refuse("/input/actor", NOT_FOUND)
    problems = require(state.status, OPEN)
    if in_future(checked_at, now):
        problems.append(Problem("/input/checkedAt", DATE_IN_FUTURE))
    if problems:
        return sorted(set(problems))
    check = {"actor_id": person["id"], "type": check_type, "checked_at": checked_at}
    return LpaChange(CHANGE_TYPES[actor], added=[("identity_checks", check)])
