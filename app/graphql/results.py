"""Answers that carry verdicts and flags, never personal values."""

from __future__ import annotations

from datetime import date

import strawberry

from app.domain.problems import Problem as DomainProblem

from .enums import LpaType
from .scalars import LpaUid


@strawberry.type(description="Why something was refused: a JSON pointer and a stable code.")
class Problem:
    source: str
    code: str

    @classmethod
    def of(cls, problem: DomainProblem) -> Problem:
        return cls(source=problem.source, code=problem.code)


@strawberry.type(description="The verdict on a write. Never echoes the data written.")
class MutationResult:
    accepted: bool
    uid: LpaUid | None
    version: int | None
    problems: list[Problem]


@strawberry.type(description="Whether an LPA is valid, and if not, why (codes only).")
class Validity:
    valid: bool
    problems: list[Problem]


@strawberry.type(description="Status flags of a registered or cancelled LPA.")
class LpaStatus:
    is_registered: bool
    is_cancelled: bool
    has_restrictions_and_conditions: bool
    lpa_type: LpaType
    registration_date: date | None
