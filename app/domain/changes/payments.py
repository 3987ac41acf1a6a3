"""Payment: money received towards the fee, never more than the fee still due."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from .. import caps
from ..change import Change, Outcome, in_future
from ..codes import ProblemCode
from ..fees import fee_due
from ..problems import Problem, pointer
from ..records import Lpa, Payment
from ..status import OPEN, require


@dataclass(frozen=True, slots=True)
class RecordPayment(Change):
    operation: ClassVar[str] = "recordPayment"
    event: ClassVar[str] = "PAYMENT"
    needs_case: ClassVar[bool] = True
    amount_pence: int
    reference: str
    paid_at: datetime

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, OPEN)
        if self.amount_pence <= 0:
            problems.append(Problem(pointer("input", "amount_pence"), ProblemCode.NOT_POSITIVE))
        if not self.reference.strip():
            problems.append(Problem(pointer("input", "reference"), ProblemCode.REQUIRED))
        elif len(self.reference) > caps.PAYMENT_REFERENCE:
            problems.append(Problem(pointer("input", "reference"), ProblemCode.TOO_LONG))
        if in_future(self.paid_at, now):
            problems.append(Problem(pointer("input", "paid_at"), ProblemCode.DATE_IN_FUTURE))
        if self.amount_pence > _still_due(lpa, now):
            problems.append(Problem(pointer("input", "amount_pence"), ProblemCode.MORE_THAN_DUE))
        if problems:
            return sorted(set(problems))
        payment = Payment(
            id=uuid.uuid4(),
            amount_pence=self.amount_pence,
            reference=self.reference,
            paid_at=self.paid_at,
        )
        case = replace(lpa.case, payments=(*lpa.case.payments, payment))
        return self.accept(replace(lpa, case=case))


def _still_due(lpa: Lpa, now: datetime) -> int:
    """The fee in effect when the LPA was made (reduced if a reduction was approved), less
    what has been paid, as case management shows it."""
    case = lpa.case
    made = (lpa.created_at or now).date()
    return fee_due(
        case.fee_schedule,
        made,
        case.fee_reduction_requests,
        case.fee_reduction_decisions,
        case.payments,
    )
