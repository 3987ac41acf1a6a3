"""Payment: money received towards the fee."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from .. import caps
from ..change import Change, Outcome, in_future
from ..codes import ProblemCode
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
