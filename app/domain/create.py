"""The create decision: what `createLpa` (and an import of the LPA store's JSON) decides about
a new LPA, from a plain draft and the time, with no framework and no database.

Every rule judges the draft. An online LPA that breaks a rule is refused; a paper LPA is
stored with each broken rule kept as an anomaly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .draft import LpaDraft
from .enums import Channel
from .problems import Problem
from .rules import validate_draft


@dataclass(frozen=True, slots=True)
class CreateDecision:
    draft: LpaDraft
    problems: tuple[Problem, ...]  # every broken rule: anomalies when a paper LPA is stored
    refusals: tuple[Problem, ...]  # what the writer is told when the LPA is refused

    @property
    def accepted(self) -> bool:
        return not self.refusals


def decide_create(draft: LpaDraft, now: datetime) -> CreateDecision:
    problems = tuple(validate_draft(draft, now.date()))
    refusals = problems if draft["channel"] is Channel.ONLINE else ()
    return CreateDecision(draft, problems, refusals)
