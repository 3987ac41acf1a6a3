"""Severance: a caseworker removes restrictions and conditions the court ruled unworkable."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import ClassVar

from .. import caps
from ..change import Change, Outcome, refuse
from ..codes import ProblemCode
from ..problems import pointer
from ..records import Lpa
from ..status import OPEN, require


@dataclass(frozen=True, slots=True)
class SeverRestrictions(Change):
    """Keep `remaining`, what is left of the text after severance; blank leaves none.

    Severance only takes words away, so the text left must be shorter than the text stored.
    """

    operation: ClassVar[str] = "severRestrictions"
    event: ClassVar[str] = "SEVER_RESTRICTIONS_AND_CONDITIONS"
    remaining: str

    def decide(self, lpa: Lpa, now: datetime, actor: str) -> Outcome:
        problems = require(lpa.status, OPEN)
        if problems:
            return problems
        at = pointer("input", "restrictions_and_conditions")
        if len(self.remaining) > caps.TEXT:
            return refuse(at, ProblemCode.TOO_LONG)
        current = lpa.restrictions_and_conditions or ""
        if not current.strip():
            return refuse(pointer("restrictions_and_conditions"), ProblemCode.NO_RESTRICTIONS)
        if len(self.remaining) >= len(current):
            return refuse(at, ProblemCode.NOT_SHORTER)
        kept = self.remaining if self.remaining.strip() else None
        return self.accept(replace(lpa, restrictions_and_conditions=kept))
