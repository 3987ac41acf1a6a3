"""Payment: money received towards the fee."""

from __future__ import annotations

import uuid
from datetime import datetime

from ..problems import Problem
from ..state import LpaChange, LpaState, Outcome, in_future
from ..status import OPEN, require

NOT_POSITIVE = "NOT_POSITIVE"
REQUIRED = "REQUIRED"
TOO_LONG = "TOO_LONG"
DATE_IN_FUTURE = "DATE_IN_FUTURE"
MAX_REFERENCE_LENGTH = 64


def record_payment(
    state: LpaState, amount_pence: int, reference: str, paid_at: datetime, now: datetime
) -> Outcome:
    problems = require(state.status, OPEN)
    if amount_pence <= 0:
        problems.append(Problem("/input/amountPence", NOT_POSITIVE))
    if not reference.strip():
        problems.append(Problem("/input/reference", REQUIRED))
    elif len(reference) > MAX_REFERENCE_LENGTH:
        problems.append(Problem("/input/reference", TOO_LONG))
    if in_future(paid_at, now):
        problems.append(Problem("/input/paidAt", DATE_IN_FUTURE))
    if problems:
        return sorted(set(problems))
    payment = {
        "id": uuid.uuid4(),
        "lpa_id": state.lpa["id"],
        "amount_pence": amount_pence,
        "reference": reference,
        "paid_at": paid_at,
    }
    return LpaChange("PAYMENT", added=[("payments", payment)])
