"""Severance: a caseworker removes restrictions and conditions the court ruled unworkable."""

from __future__ import annotations

from ..problems import pointer
from ..rules import MAX_RESTRICTIONS_LENGTH
from ..state import LpaChange, LpaState, Outcome, refuse
from ..status import OPEN, require

SEVER_RESTRICTIONS = "SEVER_RESTRICTIONS"
TOO_LONG = "TOO_LONG"
NO_RESTRICTIONS = "NO_RESTRICTIONS"
NOT_SHORTER = "NOT_SHORTER"


def sever_restrictions(state: LpaState, remaining: str) -> Outcome:
    """Keep `remaining`, what is left of the text after severance; blank leaves none.

    Severance only takes words away, so the text left must be shorter than the text stored.
    """
    problems = require(state.status, OPEN)
    if problems:
        return problems
    at = pointer("input", "restrictions_and_conditions")
    if len(remaining) > MAX_RESTRICTIONS_LENGTH:
        return refuse(at, TOO_LONG)
    current: str = state.lpa["restrictions_and_conditions"] or ""
    if not current.strip():
        return refuse(pointer("restrictions_and_conditions"), NO_RESTRICTIONS)
    if len(remaining) >= len(current):
        return refuse(at, NOT_SHORTER)
    kept = remaining if remaining.strip() else None
    return LpaChange(SEVER_RESTRICTIONS, lpa={"restrictions_and_conditions": kept})
