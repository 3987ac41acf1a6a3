"""A caseworker marks a safeguarding signal resolved. It stays on record, resolved, and is
never raised again for the same source and code."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from ..change import Change, Outcome, refuse
from ..codes import ProblemCode
from ..enums import AnomalyStatus
from ..problems import pointer
from ..records import Lpa


@dataclass(frozen=True, slots=True)
class ResolveAnomaly(Change):
    """Any status: it changes the case, not the LPA."""

    operation: ClassVar[str] = "resolveAnomaly"
    event: ClassVar[str] = "RESOLVE_ANOMALY"
    needs_case: ClassVar[bool] = True
    source: str
    code: str

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        anomalies = lpa.case.anomalies
        found = next(
            (
                a
                for a in anomalies
                if a.source == self.source
                and a.code == self.code
                and a.status is AnomalyStatus.DETECTED
            ),
            None,
        )
        if found is None:
            return refuse(pointer("input"), ProblemCode.NOT_FOUND)
        resolved = replace(found, status=AnomalyStatus.RESOLVED)
        kept = tuple(resolved if a is found else a for a in anomalies)
        return self.accept(replace(lpa, case=replace(lpa.case, anomalies=kept)))
